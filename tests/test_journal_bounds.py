"""The journal stays bounded (entries and bytes, oldest dropped) and stores huge strings as a
size marker, so a server left running under a busy front end does not grow without limit."""
from __future__ import annotations

import base64
import gc
import json
import os
import struct
import sys
import tracemalloc

import openai
import pytest

from emulator.journal import Journal

REQUEST = json.dumps({"model": "gpt-4o-mini", "messages": [
    {"role": "system", "content": "You are a helpful assistant for an online shop. " * 8},
    {"role": "user", "content": "Where is my order number {n}?"}], "stream": True})
RESPONSE = json.dumps({"id": "chatcmpl-{n}", "object": "chat.completion", "model": "gpt-4o-mini-2024-07-18",
                       "choices": [{"index": 0, "message": {"role": "assistant", "content": "Your order is on its way. " * 12},
                                    "finish_reason": "stop"}],
                       "usage": {"prompt_tokens": 90, "completion_tokens": 72, "total_tokens": 162}})
EVENT = b'data: {"id":"chatcmpl-1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"word"}}]}\n\n'


def journal_request(journal: Journal, n: int) -> None:
    """One request as the chat endpoint journals it: fresh objects every time, every tenth one with a
    40 KB string (as a pasted document), every other one streamed."""
    entry = journal.start("POST", "/v1/chat/completions", {"authorization": "Bearer sk-x", "x-n": str(n)})
    entry.body = json.loads(REQUEST.replace("{n}", str(n)))
    if n % 10 == 0:
        entry.body["messages"][1]["content"] = f"{n} " + "x" * 40_000
    entry.response = json.loads(RESPONSE.replace("{n}", str(n)))
    entry.status, entry.matched, entry.duration_ms = 200, "builtin", 1.5
    if n % 2:
        entry.stream, entry.events = True, [EVENT] * 30
        entry.all_events_sent()
    journal.add(entry)


def resident_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


@pytest.mark.skipif(not os.path.exists("/proc/self/statm"), reason="needs Linux /proc to read memory use")
def test_fifty_thousand_requests_keep_memory_bounded():
    max_bytes = 2 * 1024 * 1024
    journal = Journal(max_entries=1000, max_bytes=max_bytes)
    for n in range(5_000):
        journal_request(journal, n)
    gc.collect()
    rss_5k, blocks_5k = resident_bytes(), sys.getallocatedblocks()
    for n in range(5_000, 45_000):
        journal_request(journal, n)
    # Trace the last 5,000: by then every entry the journal holds was allocated under tracing.
    tracemalloc.start()
    try:
        for n in range(45_000, 50_000):
            journal_request(journal, n)
        gc.collect()
        held = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    gc.collect()
    rss_50k, blocks_50k = resident_bytes(), sys.getallocatedblocks()
    stats = journal.stats()
    print(f"\njournal of {stats['entries']} entries holds {held / 1e6:.1f} MB (bound {max_bytes / 1e6:.1f} MB of JSON); "
          f"RSS {rss_5k / 1e6:.1f} MB after 5k requests, {rss_50k / 1e6:.1f} MB after 50k; "
          f"allocated blocks {blocks_5k} -> {blocks_50k}")
    assert stats["bytes"] <= max_bytes  # the byte bound held, dropping the oldest
    assert stats["entries"] < 1000 and stats["dropped"] == 50_000 - stats["entries"]
    assert journal.entries()[-1].body["messages"][1]["content"] == "Where is my order number 49999?"
    assert held < 3 * max_bytes  # Python objects cost more than their JSON, but not without limit
    # Ten times more requests, no more memory: the journal holds a window, not a history
    # (45,000 more retained entries would be over 100 MB).
    assert rss_50k - rss_5k < 16 * 1024 * 1024
    assert blocks_50k < blocks_5k * 1.1


def test_count_bound_drops_the_oldest():
    journal = Journal(max_entries=100)
    for n in range(250):
        journal_request(journal, n)
    ids = [e.id for e in journal]
    assert len(ids) == 100 and ids == list(range(151, 251))
    assert journal.stats()["dropped"] == 150


def test_byte_bound_drops_the_oldest_but_keeps_the_newest():
    journal = Journal(max_entries=1000, max_bytes=20_000)
    for n in range(1, 10):
        journal_request(journal, n)
    assert journal.stats()["bytes"] <= 20_000
    assert journal.entries()[-1].id == 9
    tiny = Journal(max_entries=10, max_bytes=10)  # smaller than any entry: the newest one still stays
    journal_request(tiny, 1)
    journal_request(tiny, 2)
    assert [e.id for e in tiny] == [2]


def test_long_strings_are_stored_as_a_marker_with_their_size():
    journal = Journal(string_limit=1000)
    entry = journal.start("POST", "/v1/chat/completions", {})
    entry.body = {"model": "m", "messages": [{"role": "user", "content": [
        {"type": "text", "text": "short stays"},
        {"type": "image_url", "image_url": {"url": "data:image/png;base64," + "A" * 2_000_000}}]},
        {"role": "user", "content": "y" * 5000}]}
    journal.add(entry)
    parts = entry.body["messages"][0]["content"]
    assert parts[0] == {"type": "text", "text": "short stays"}
    assert parts[1]["image_url"]["url"] == "data:image/png;base64,<truncated: 1.9 MB base64>"
    assert entry.body["messages"][1]["content"] == "<truncated: 4.9 KB text>"
    assert entry.truncated and entry.size < 5000


@pytest.fixture
def small_journal_server(make_emulator):
    return make_emulator(journal_size=50, journal_max_bytes=256 * 1024)


def test_over_http_the_journal_keeps_the_newest_requests(small_journal_server):
    emu = small_journal_server
    emu.reset()
    client = openai.OpenAI(base_url=emu.base_url, api_key="sk-bounds", max_retries=0)
    for n in range(120):
        client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": f"request {n}"}])
    entries = emu.requests
    assert len(entries) == 50
    assert entries[-1].messages[0]["content"] == "request 119"
    assert entries[0].messages[0]["content"] == "request 70"


def test_a_base64_image_is_journaled_truncated_and_the_admin_api_says_so(small_journal_server):
    emu = small_journal_server
    emu.reset()
    client = openai.OpenAI(base_url=emu.base_url, api_key="sk-bounds", max_retries=0)
    header = b"\x89PNG\r\n\x1a\n" + struct.pack(">I4sII", 13, b"IHDR", 512, 512) + b"\x08\x02\x00\x00\x00"
    image = "data:image/png;base64," + base64.b64encode(header + bytes(600_000)).decode()
    client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": [
        {"type": "text", "text": "What is in this image?"}, {"type": "image_url", "image_url": {"url": image}}]}])
    import httpx

    detail = httpx.get(f"{emu.url}/_emulator/requests/{emu.requests[-1].id}").json()
    parts = detail["request"]["messages"][0]["content"]
    assert parts[0]["text"] == "What is in this image?"
    assert parts[1]["image_url"]["url"] == "data:image/png;base64,<truncated: 781.3 KB base64>"
    assert detail["truncated"] is True and detail["size"] < 20_000
