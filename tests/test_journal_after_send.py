"""A JSON answer on the served fast path is journaled right after it is sent (`Journal.add(later=True)`,
`Journal.settle()`): whoever reads the journal once the client has its answer (the test itself, the
admin API the inspector reads, another thread) still finds the entry, complete and in order."""
from __future__ import annotations

import threading

import httpx

from emulator.journal import Journal

CHAT = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Hi"}]}


def test_each_answer_is_in_the_journal_the_moment_the_client_has_it(emu, http):
    for n in range(30):
        body = {**CHAT, "messages": [{"role": "user", "content": f"Hi {n}"}]}
        answer = http.post("/chat/completions", json=body)
        entry = emu.requests[-1]  # read at once, from the test's thread
        assert entry.status == 200 and entry.body == body
        assert entry.response["choices"][0]["message"]["content"] == answer.json()["choices"][0]["message"]["content"]
        assert entry.size > 0  # sized: journaled completely, not half
        assert len(emu.requests) == n + 1


def test_the_admin_api_and_errors_see_the_entry_too(emu, http):
    refused = http.post("/chat/completions", json={"model": "gpt-4o-mini"})
    assert refused.status_code == 400
    listed = httpx.get(f"{emu.url}/_emulator/requests").json()["data"]
    assert [entry["status"] for entry in listed] == [400]
    assert httpx.get(f"{emu.url}/_emulator/requests").json()["journal"]["entries"] == 1


def test_the_bounds_hold_for_entries_journaled_after_their_answer(make_emulator):
    emu = make_emulator(journal_size=5)
    with httpx.Client(base_url=emu.base_url, headers={"Authorization": f"Bearer {emu.api_key}"}) as http:
        for n in range(12):
            assert http.post("/chat/completions", json={**CHAT, "user": f"u{n}"}).status_code == 200
            assert len(emu.requests) == min(n + 1, 5)
    assert [entry.body["user"] for entry in emu.requests] == [f"u{n}" for n in range(7, 12)]


def test_readers_in_another_thread_see_entries_in_order_and_complete(emu, http):
    seen: list[list[int]] = []
    problems: list[str] = []
    done = threading.Event()

    def read() -> None:
        while not done.is_set():
            entries = emu.requests
            ids = [entry.id for entry in entries]
            if ids != sorted(ids):
                problems.append(f"out of order: {ids}")
            problems.extend(f"unsized entry {entry.id}" for entry in entries if entry.size <= 0)
            seen.append(ids)

    reader = threading.Thread(target=read)
    reader.start()
    try:
        for n in range(60):
            assert http.post("/chat/completions", json={**CHAT, "user": f"u{n}"}).status_code == 200
            assert emu.requests[-1].body["user"] == f"u{n}"
    finally:
        done.set()
        reader.join()
    assert problems == []
    assert [entry.body["user"] for entry in emu.requests] == [f"u{n}" for n in range(60)]


def test_a_settle_journals_what_was_handed_over_in_order_and_tells_the_listeners_once():
    journal = Journal(max_entries=3)
    heard: list[tuple[str, int | None]] = []
    journal.listeners.append(lambda kind, entry: heard.append((kind, entry.id if entry else None)))
    entries = [journal.start("POST", "/v1/chat/completions", {}) for _ in range(4)]
    for entry in entries:
        entry.status = 200
        journal.add(entry, 10, later=True)
    assert heard == []  # nothing told before the answers are sent...
    assert [entry.id for entry in journal.entries()] == [2, 3, 4]  # ...but a reader finds them, bounded
    journal.settle()
    assert heard == [("added", 1), ("added", 2), ("added", 3), ("added", 4)]
    assert journal.stats()["dropped"] == 1


def test_a_listener_may_read_the_journal_while_it_settles():
    journal = Journal()
    read: list[list[int]] = []
    journal.listeners.append(lambda kind, entry: read.append([e.id for e in journal.entries()]))
    for _ in range(2):
        journal.add(journal.start("POST", "/v1/chat/completions", {}), 10, later=True)
    journal.settle()
    assert read == [[1, 2], [1, 2]]  # the first listener call settled the second entry too, in order
