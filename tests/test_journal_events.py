"""A sent stream's events are kept compressed in the journal (journal.JournalEntry.pack_events) and
read back byte for byte: by `emu.requests`, by the admin API the inspector reads, and by `--workers`'
pickled entries. The byte bound still counts them as sent, so the journal keeps the same entries."""
from __future__ import annotations

import gc
import json
import pickle
import tracemalloc

import httpx
import pytest

from emulator.journal import Journal


def sse_events(body: bytes) -> list[bytes]:
    return [event + b"\n\n" for event in body.split(b"\n\n") if event]


@pytest.mark.parametrize(("path", "body"), [
    ("/chat/completions", {"model": "gpt-4o-mini", "stream": True, "messages": [{"role": "user", "content": "Hi there"}]}),
    ("/responses", {"model": "gpt-4o-mini", "stream": True, "input": "Hi there"}),
])
def test_a_sent_streams_events_read_back_as_they_went_out(emu, http, path, body):
    sent = http.post(path, json=body)
    assert sent.status_code == 200
    entry = emu.requests[-1]
    assert entry.delivery == "complete"
    assert entry.events == sse_events(sent.content)
    admin = httpx.get(f"{emu.url}/_emulator/requests/{entry.id}").json()
    assert "".join(event["data"] for event in admin["events"]) == sent.text
    assert pickle.loads(pickle.dumps(entry)).events == entry.events  # as --workers share entries


def chunk_events(n: int) -> list[bytes]:
    """A 60-chunk stream, different for each `n` as distinct prompts' streams are."""
    head = '{"id":"chatcmpl-%07d","object":"chat.completion.chunk","created":1700000000,"model":"gpt-4o-mini-2024-07-18",' % n
    return [("data: " + head + '"choices":[{"index":0,"delta":{"content":%s},"finish_reason":null}]}\n\n'
             % json.dumps(f" word{n * 60 + i}")).encode() for i in range(60)] + [b"data: [DONE]\n\n"]


def test_delivered_streams_hold_a_fraction_of_their_events_and_the_bound_counts_them_as_sent():
    journal = Journal(max_entries=10_000, max_bytes=10**9)
    sent = [chunk_events(n) for n in range(300)]
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for events in sent:
            entry = journal.start("POST", "/v1/chat/completions", {})
            entry.stream, entry.events = True, list(events)
            journal.add(entry)
            journal.delivered(entry)
        gc.collect()
        held = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    raw = sum(len(event) for events in sent for event in events)
    assert held < raw / 3
    assert [entry.events for entry in journal] == sent
    assert journal.stats()["bytes"] > raw  # the same entries fit the byte bound as before
