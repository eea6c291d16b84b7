"""Load realism: seeded pacing jitter, the concurrency model (`--max-concurrency`, `--max-queue`)."""
from __future__ import annotations

import threading

import httpx
import pytest
from openai import APIStatusError, OpenAI

from emulator import Emulator
from emulator.pacing import Pacing

MESSAGES = [{"role": "user", "content": "Tell me something"}]


def drawn_pacings(seed: int, count: int = 8, **headers: str) -> list[dict]:
    """The pacing each of `count` streams drew on a fresh server seeded with `seed`."""
    with Emulator(pacing=Pacing(ttft_ms=5, tokens_per_second=2000, ttft_jitter_ms=3,
                                tokens_per_second_jitter=500), seed=seed) as emu:
        client = emu.client()
        for _ in range(count):
            list(client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES, stream=True,
                                                extra_headers=headers))
        return [httpx.get(f"{emu.url}/_emulator/requests/{entry.id}").json()["pacing"] for entry in emu.requests]


def test_jitter_is_drawn_per_stream_and_the_same_under_the_same_seed():
    first, again, other = drawn_pacings(7), drawn_pacings(7), drawn_pacings(8)
    assert first == again
    assert first != other
    ttfts = [p["ttft_ms"] for p in first]
    rates = [p["tokens_per_second"] for p in first]
    assert len(set(ttfts)) == len(ttfts) and len(set(rates)) == len(rates)  # each stream draws its own
    assert all(t >= 0 for t in ttfts) and all(r >= 200 for r in rates)  # never negative, never below a tenth


def test_jitter_per_request_header():
    pacings = drawn_pacings(3, count=4, **{"x-emulator-ttft-ms": "40", "x-emulator-ttft-jitter-ms": "0"})
    assert [p["ttft_ms"] for p in pacings] == [40.0] * 4  # the header's spread (none) wins over the server's


def test_a_bad_jitter_header_is_a_400(emu):
    response = httpx.post(emu.base_url + "/chat/completions", headers={"x-emulator-ttft-jitter-ms": "-5",
                                                                       "authorization": "Bearer sk-test"},
                          json={"model": "gpt-4o-mini", "messages": MESSAGES, "stream": True})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_pacing_header"


def test_jitter_per_scenario(emu):
    # A spread well under the mean: a draw clipped to 0 ms would be an unpaced stream, which journals no pacing.
    emu.add_scenario({"name": "slow", "reply": {"content": "one two three",
                                               "pacing": {"ttft_ms": 40, "ttft_jitter_ms": 4}}})
    for _ in range(3):
        list(emu.client().chat.completions.create(model="gpt-4o-mini", messages=MESSAGES, stream=True))
    ttfts = [httpx.get(f"{emu.url}/_emulator/requests/{e.id}").json()["pacing"]["ttft_ms"] for e in emu.requests]
    assert len(set(ttfts)) == 3


def stream_in_background(client: OpenAI) -> tuple[threading.Thread, threading.Event]:
    """A paced stream read in a thread; the event is set once its first chunk has arrived."""
    first_chunk = threading.Event()

    def read() -> None:
        for _ in client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES, stream=True):
            first_chunk.set()

    thread = threading.Thread(target=read)
    thread.start()
    return thread, first_chunk


def event_times(entry) -> tuple[float, float]:
    """When a stream's first and last events were written (monotonic seconds)."""
    offsets = entry.event_offsets_ms
    return entry.started + offsets[0] / 1000, entry.started + offsets[-1] / 1000


def test_beyond_max_concurrency_a_stream_waits_for_the_one_being_served(make_emulator):
    emu = make_emulator(max_concurrency=1, pacing=Pacing(ttft_ms=20, tokens_per_second=100))
    client = emu.client()
    first, started = stream_in_background(client)
    assert started.wait(10)
    second, _ = stream_in_background(client)  # arrives while the first is still streaming
    first.join(10)
    second.join(10)
    served_first, served_second = sorted(emu.requests, key=lambda e: e.started)
    first_last = event_times(served_first)[1]
    second_first = event_times(served_second)[0]
    assert second_first >= first_last  # its first byte came only after the first stream's last


def test_without_a_limit_streams_overlap(make_emulator):
    emu = make_emulator(pacing=Pacing(ttft_ms=20, tokens_per_second=100))
    client = emu.client()
    first, started = stream_in_background(client)
    assert started.wait(10)
    second, _ = stream_in_background(client)
    first.join(10)
    second.join(10)
    served_first, served_second = sorted(emu.requests, key=lambda e: e.started)
    assert event_times(served_second)[0] < event_times(served_first)[1]


def test_a_full_queue_answers_the_live_503(make_emulator):
    emu = make_emulator(max_concurrency=1, max_queue=0, pacing=Pacing(ttft_ms=20, tokens_per_second=100))
    client = emu.client()
    first, started = stream_in_background(client)
    assert started.wait(10)
    with pytest.raises(APIStatusError) as refused:
        client.with_options(max_retries=0).chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)
    first.join(10)
    assert refused.value.status_code == 503
    assert "overloaded" in refused.value.message
    # The slot is free again once the stream ended.
    assert client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES).choices
