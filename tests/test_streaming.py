"""SSE streaming as the live API streams (docs/live-api.md#streaming), through the official SDK and raw bytes."""
from __future__ import annotations

import asyncio
import json
import logging
import os
import random
import socket
import threading
import time
from pathlib import Path

import httpx
import pytest

from schema_check import assert_valid

HELLO = [{"role": "user", "content": "Stream me something"}]
GOLDEN = Path(__file__).parent.parent / "fixtures" / "emulator" / "short_stream.sse"


def raw_stream(http, **fields) -> bytes:
    body = {"model": "gpt-4o-mini", "messages": HELLO, "stream": True, **fields}
    response = http.post("/chat/completions", json=body)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/event-stream")
    assert response.headers["x-request-id"].startswith("req_")
    assert "x-ratelimit-remaining-requests" in response.headers
    return response.content


def chunks_of(raw: bytes) -> list[dict]:
    events = raw.split(b"\n\n")
    assert events[-1] == b"" and events[-2] == b"data: [DONE]", "stream must end with data: [DONE] and a blank line"
    chunks = []
    for event in events[:-2]:
        assert event.startswith(b"data: ") and b"\n" not in event
        payload = event[len(b"data: "):]
        chunk = json.loads(payload)
        assert payload == json.dumps(chunk, separators=(",", ":"), ensure_ascii=False).encode(), "compact JSON"
        assert_valid("chat_completion_chunk", chunk)
        chunks.append(chunk)
    return chunks


def test_framing_is_pinned_by_a_golden_transcript(http):
    raw = raw_stream(http, messages=[{"role": "user", "content": "Hi"}], max_completion_tokens=6, seed=1)
    first = chunks_of(raw)[0]
    normalized = raw.replace(first["id"].encode(), b"chatcmpl-ID").replace(
        b'"created":%d' % first["created"], b'"created":0')
    if os.environ.get("EMULATOR_REGENERATE_WIRE"):  # a deliberate change of the answers, as tests/test_wire_bytes.py
        GOLDEN.write_bytes(normalized)
    assert normalized == GOLDEN.read_bytes()


def test_chunk_sequence_for_text(http):
    chunks = chunks_of(raw_stream(http))
    ids = {c["id"] for c in chunks}
    assert len(ids) == 1 and len({c["created"] for c in chunks}) == 1 and {c["model"] for c in chunks} == {
        "gpt-4o-mini-2024-07-18"}
    for chunk in chunks:
        assert list(chunk) == ["id", "object", "created", "model", "service_tier", "system_fingerprint", "choices",
                               "obfuscation"]
        assert chunk["object"] == "chat.completion.chunk" and "usage" not in chunk
        assert chunk["obfuscation"].isalnum()
    assert chunks[0]["choices"][0]["delta"] == {"role": "assistant", "content": "", "refusal": None}
    assert chunks[-1]["choices"][0] == {"index": 0, "delta": {}, "logprobs": None, "finish_reason": "stop"}
    middle = chunks[1:-1]
    assert all(list(c["choices"][0]["delta"]) == ["content"] for c in middle)
    assert all(c["choices"][0]["finish_reason"] is None for c in chunks[:-1])


def test_include_usage_and_obfuscation_off(http):
    chunks = chunks_of(raw_stream(http, stream_options={"include_usage": True, "include_obfuscation": False}))
    assert all("obfuscation" not in c for c in chunks)
    assert all(c["usage"] is None for c in chunks[:-1])
    last = chunks[-1]
    assert last["choices"] == [] and last["usage"]["total_tokens"] > 0


def test_stream_concatenates_to_the_non_streamed_reply(client):
    request = {"model": "gpt-4o-mini", "messages": HELLO, "n": 2, "seed": 3}
    whole = client.chat.completions.create(**request)
    parts = {0: "", 1: ""}
    finish = {}
    usage = None
    for chunk in client.chat.completions.create(**request, stream=True, stream_options={"include_usage": True}):
        if chunk.usage:
            usage = chunk.usage
        for choice in chunk.choices:
            parts[choice.index] += choice.delta.content or ""
            if choice.finish_reason:
                finish[choice.index] = choice.finish_reason
    assert [parts[0], parts[1]] == [c.message.content for c in whole.choices]
    assert finish == {0: "stop", 1: "stop"}
    assert usage.model_dump() == whole.usage.model_dump()


def test_n_choices_interleave_one_per_chunk(http):
    chunks = chunks_of(raw_stream(http, n=3))
    assert all(len(c["choices"]) == 1 for c in chunks)
    order = [c["choices"][0]["index"] for c in chunks]
    assert order[:3] == [0, 1, 2]
    for index in range(3):
        mine = [c["choices"][0] for c in chunks if c["choices"][0]["index"] == index]
        assert mine[0]["delta"]["role"] == "assistant"
        assert sum("role" in m["delta"] for m in mine) == 1
        assert mine[-1]["finish_reason"] == "stop" and mine[-1]["delta"] == {}


def test_logprobs_ride_with_their_tokens(http):
    chunks = chunks_of(raw_stream(http, logprobs=True, top_logprobs=2))
    assert chunks[0]["choices"][0]["logprobs"] == {"content": [], "refusal": None}
    for chunk in chunks[1:-1]:
        choice = chunk["choices"][0]
        assert "".join(e["token"] for e in choice["logprobs"]["content"]) == choice["delta"]["content"]
    assert chunks[-1]["choices"][0]["logprobs"] is None


def test_length_finish_in_stream(http):
    chunks = chunks_of(raw_stream(http, max_completion_tokens=4))
    assert chunks[-1]["choices"][0]["finish_reason"] == "length"
    assert len(chunks) == 1 + 4 + 1


def test_stream_helper_final_completion_equals_non_streamed(client):
    request = {"model": "gpt-4o", "messages": HELLO, "seed": 11}
    whole = client.chat.completions.create(**request)
    with client.chat.completions.stream(**request, stream_options={"include_usage": True}) as stream:
        deltas = [e.delta for e in stream if e.type == "content.delta"]
        final = stream.get_final_completion()
    assert "".join(deltas) == whole.choices[0].message.content
    assert final.choices[0].message.content == whole.choices[0].message.content
    assert final.choices[0].finish_reason == whole.choices[0].finish_reason
    assert final.usage.model_dump() == whole.usage.model_dump()
    assert final.id.startswith("chatcmpl-") and final.model == whole.model


async def test_async_stream(async_client):
    stream = await async_client.chat.completions.create(model="gpt-4o", messages=HELLO, stream=True)
    text = ""
    async for chunk in stream:
        for choice in chunk.choices:
            text += choice.delta.content or ""
    assert "Stream me something" in text


def test_errors_before_the_first_byte_are_plain_json(http):
    response = http.post("/chat/completions", json={"model": "gpt-4o", "messages": HELLO, "stream": True, "n": 0})
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/json")


def test_pacing_header_spreads_the_chunks(http):
    started = time.perf_counter()
    seen = []
    with http.stream("POST", "/chat/completions", json={"model": "gpt-4o", "messages": HELLO, "stream": True,
                                                       "max_completion_tokens": 5},
                     headers={"x-emulator-ttft-ms": "150", "x-emulator-tokens-per-second": "50"}) as response:
        for line in response.iter_lines():
            if line.startswith("data: "):
                seen.append(time.perf_counter() - started)
    assert len(seen) == 8  # role, 5 tokens, final, [DONE]
    # The server cannot send sooner than its pacing allows (a lower bound: a busy machine only delays):
    # the first chunk after the time to first token, the final chunk after six more token intervals.
    assert seen[0] >= 0.15
    assert seen[-2] >= 0.15 + 6 * 0.02


def test_bad_pacing_header_is_an_envelope(http):
    response = http.post("/chat/completions", json={"model": "gpt-4o", "messages": HELLO, "stream": True},
                         headers={"x-emulator-ttft-ms": "soon"})
    assert response.status_code == 400 and response.json()["error"]["code"] == "invalid_pacing_header"


def _hang_up_after(url: str, key: str, read_bytes: int) -> None:
    body = json.dumps({"model": "gpt-4o", "messages": HELLO, "stream": True}).encode()
    host, port = url.split("//")[1].split("/")[0].split(":")
    with socket.create_connection((host, int(port))) as sock:
        sock.sendall(b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + key.encode()
                     + b"\r\nContent-Type: application/json\r\nx-emulator-tokens-per-second: 400\r\n"
                     + b"Content-Length: %d\r\n\r\n" % len(body) + body)
        got = 0
        while got < read_bytes:
            data = sock.recv(256)
            if not data:
                break
            got += len(data)


def _tasks(emu) -> set:
    async def running() -> set:
        return set(asyncio.all_tasks()) - {asyncio.current_task()}

    return asyncio.run_coroutine_threadsafe(running(), emu.loop).result(2)


def test_clients_hanging_up_mid_stream_leave_nothing_behind(emu, caplog):
    caplog.set_level(logging.DEBUG)
    before = _tasks(emu)  # the server's own tasks (and any other test's leftovers) are not ours
    rng = random.Random(5)
    threads = [threading.Thread(target=_hang_up_after, args=(emu.base_url, "sk-gone", rng.randint(1, 3000)))
               for _ in range(30)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        left = _tasks(emu) - before
        if not left:
            break
        time.sleep(0.05)
    assert not left, f"stream tasks still running after their clients left: {left}"
    problems = [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
    assert not problems, [r.getMessage() for r in problems]
    assert httpx.post(emu.base_url + "/chat/completions", headers={"Authorization": "Bearer k"},
                      json={"model": "gpt-4o", "messages": HELLO}).status_code == 200


@pytest.mark.parametrize("header, value", [
    ("x-emulator-ttft-ms", "inf"), ("x-emulator-ttft-ms", "nan"), ("x-emulator-ttft-ms", "1e309"),
    ("x-emulator-ttft-ms", "-5"), ("x-emulator-ttft-ms", "600001"),
    ("x-emulator-tokens-per-second", "1e-300"), ("x-emulator-tokens-per-second", "-inf"),
])
def test_pacing_headers_that_would_hold_a_stream_open_are_refused(http, header, value):
    response = http.post("/chat/completions", json={"model": "gpt-4o", "messages": HELLO, "stream": True},
                         headers={header: value})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_pacing_header" and header in error["message"]


def test_admin_pacing_refuses_infinity_and_nan(emu):
    for body in (b'{"ttft_ms": Infinity}', b'{"tokens_per_second": NaN}', b'{"ttft_ms": 1e309}'):
        response = httpx.post(emu.url + "/_emulator/pacing", content=body, headers={"content-type": "application/json"})
        assert response.status_code == 400 and response.json()["error"]["code"] == "invalid_value", body
    assert emu.pacing()["next"] is None
