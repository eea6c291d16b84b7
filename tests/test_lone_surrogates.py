"""One bad request never poisons what the server keeps: a lone surrogate (`"\\ud800"`, which Python's
JSON parser accepts) in a request body is refused as unparseable and nothing of it is stored, and every
reader (stored completions, the journal, its live feed) answers whatever an entry holds."""
from __future__ import annotations

import json

import httpx

from emulator.server import Emulator
from emulator.store import SQLiteStore, make_record

KEY = {"authorization": "Bearer sk-poison", "content-type": "application/json"}
LONE = "\\ud800"  # as it is written inside a JSON body


def chat(emu, body: str) -> httpx.Response:
    return httpx.post(emu.base_url + "/chat/completions", content=body.encode(), headers=KEY)


def listed(emu) -> dict:
    response = httpx.get(emu.base_url + "/chat/completions", headers=KEY)
    assert response.status_code == 200, response.text
    return response.json()


def test_a_completion_holding_a_lone_surrogate_is_refused_and_not_stored(emu):
    body = ('{"model": "gpt-4o-mini", "store": true, "metadata": {"k": "%s"}, '
            '"messages": [{"role": "user", "content": "hi"}]}' % LONE)
    refused = chat(emu, body)
    assert refused.status_code == 400, refused.text  # the client never got an id, so nothing may be kept
    assert refused.json()["error"]["message"].startswith("We could not parse the JSON body")
    assert listed(emu)["data"] == []
    stored = chat(emu, '{"model": "gpt-4o-mini", "store": true, "messages": [{"role": "user", "content": "hi"}]}')
    assert stored.status_code == 200  # the key is not stuck
    assert [c["id"] for c in listed(emu)["data"]] == [stored.json()["id"]]


def test_a_stored_completion_with_odd_text_reads_back(tmp_path):
    # No request can store a lone surrogate (see above), but another process sharing the store file
    # (or an older build that wrote it) may: every reader answers such a record, escaped.
    path = tmp_path / "store.db"
    with Emulator(store_path=path) as emu:
        created = chat(emu, '{"model": "gpt-4o-mini", "store": true, "messages": [{"role": "user", "content": "hi"}]}')
        assert created.status_code == 200, created.text
        completion_id = created.json()["id"]
        other_process = SQLiteStore(path)
        other_process.save(make_record("sk-poison", created.json(), {
            "model": "gpt-4o-mini", "metadata": {"k": "\ud800"}, "messages": [{"role": "user", "content": "hi \ud800"}]},
            "req_other"))
        other_process.close()
        assert [(c["id"], c["metadata"]) for c in listed(emu)["data"]] == [(completion_id, {"k": "\ud800"})]
        one = httpx.get(f"{emu.base_url}/chat/completions/{completion_id}", headers=KEY)
        assert one.status_code == 200 and json.loads(one.text)["metadata"] == {"k": "\ud800"}
        messages = httpx.get(f"{emu.base_url}/chat/completions/{completion_id}/messages", headers=KEY)
        assert messages.status_code == 200
        assert json.loads(messages.text)["data"][0]["content"] == "hi \ud800"  # the same string, escaped


def test_the_sqlite_store_keeps_and_returns_odd_text(tmp_path):
    store = SQLiteStore(tmp_path / "store.db")
    completion = {"id": "chatcmpl-1", "model": "gpt-4o-mini-2024-07-18", "object": "chat.completion"}
    store.save(make_record("sk-a", completion, {"model": "gpt-4o-mini", "metadata": {"k": "\ud800"},
                                                "messages": [{"role": "user", "content": "\udfff"}]}, "req_1"))
    record = store.get("sk-a", "chatcmpl-1")
    assert record is not None and record.metadata == {"k": "\ud800"}
    assert json.loads(record.messages)[0]["content"] == "\udfff"
    assert store.update_metadata("sk-a", "chatcmpl-1", {"k": "\udbff"}).metadata == {"k": "\udbff"}
    store.close()


def test_a_journal_entry_with_odd_text_breaks_no_reader(emu):
    # The journal keeps the JSON body of a /v1 request the endpoint read, whatever it made of it.
    for body in ('{"metadata": {"k": "%s"}}' % LONE, '{"model": "%s", "metadata": {}}' % LONE):
        httpx.post(emu.base_url + "/chat/completions/chatcmpl-nope", headers=KEY, content=body.encode())
    admin = emu.url + "/_emulator"
    for detail in ("false", "true"):
        listing = httpx.get(admin + "/requests", params={"detail": detail})
        assert listing.status_code == 200, listing.text
        assert len(listing.json()["data"]) == 2
    entry_id = listing.json()["data"][0]["id"]
    one = httpx.get(f"{admin}/requests/{entry_id}")
    assert one.status_code == 200 and json.loads(one.text)["request"] is not None
    with httpx.stream("GET", admin + "/requests/stream") as feed:  # a new live-feed connection
        assert feed.status_code == 200
        received = b""
        for chunk in feed.iter_bytes():
            received += chunk
            if received.count(b"event: request") == 2:
                break
    assert b'"model":"\\ud800"' in received


def test_a_scenario_holding_a_lone_surrogate_is_refused_when_added(emu):
    added = httpx.post(emu.url + "/_emulator/scenarios", headers={"content-type": "application/json"},
                       content=('{"name": "bad", "reply": {"content": "x %s"}}' % LONE).encode())
    assert added.status_code == 400 and added.json()["error"]["code"] == "invalid_scenario"
    assert "lone surrogate" in added.json()["error"]["message"]
    assert emu.list_scenarios()["data"] == []
