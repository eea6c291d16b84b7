"""The bytes on the wire, pinned: a JSON completion's body and a stream's events, byte for byte against
fixtures/emulator/wire/, with the id and timestamp (the only parts that differ per response) normalized.

Performance work on the render path (codecs, templates, header encoding) must not move a byte: key
order, separators, non-ASCII kept as is, float formatting in logprobs, escapes. Regenerate a fixture only
for a deliberate change of the built-in model's answers: `EMULATOR_REGENERATE_WIRE=1 pytest tests/test_wire_bytes.py`.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent.parent / "fixtures" / "emulator" / "wire"

WEATHER_TOOL = {"type": "function", "function": {"name": "get_weather", "parameters": {
    "type": "object", "properties": {"city": {"type": "string"}, "days": {"type": "integer"}},
    "required": ["city", "days"]}}}

CASES = {
    "plain": {"messages": [{"role": "system", "content": "You are helpful."},
                           {"role": "user", "content": "Hello! How are you today?"}]},
    "non_ascii_and_escapes": {"messages": [{"role": "user", "content": 'Grüße, 東京 😀 "quoted" \\ tab\there\nnew'}]},
    "logprobs": {"messages": [{"role": "user", "content": "Give me logprobs"}], "logprobs": True,
                 "top_logprobs": 2, "seed": 7},
    "tool_call": {"messages": [{"role": "user", "content": "Weather in Paris?"}], "tools": [WEATHER_TOOL],
                  "tool_choice": "required"},
    "json_schema": {"messages": [{"role": "user", "content": "A person"}], "response_format": {
        "type": "json_schema", "json_schema": {"name": "person", "strict": True, "schema": {
            "type": "object", "additionalProperties": False, "required": ["name", "age", "score"],
            "properties": {"name": {"type": "string"}, "age": {"type": "integer"}, "score": {"type": "number"}}}}}},
    "n_and_length": {"messages": [{"role": "user", "content": "Two short ones"}], "n": 2,
                     "max_completion_tokens": 5},
}


def normalized(raw: bytes, completion_id: str, created: int) -> bytes:
    return raw.replace(completion_id.encode(), b"chatcmpl-ID").replace(b'"created":%d' % created, b'"created":0')


def check_against_fixture(name: str, raw: bytes) -> None:
    path = FIXTURES / name
    if os.environ.get("EMULATOR_REGENERATE_WIRE"):
        path.write_bytes(raw)
    assert raw == path.read_bytes(), f"the bytes of {name} changed"


@pytest.mark.parametrize("case", list(CASES))
def test_json_body_bytes_are_pinned(http, case):
    response = http.post("/chat/completions", json={"model": "gpt-4o-mini", **CASES[case]})
    assert response.status_code == 200, response.text
    body = response.json()
    check_against_fixture(f"{case}.json", normalized(response.content, body["id"], body["created"]))


@pytest.mark.parametrize("case", ["plain", "non_ascii_and_escapes", "logprobs", "tool_call"])
def test_stream_bytes_are_pinned(http, case):
    fields = {"model": "gpt-4o-mini", **CASES[case], "stream": True,
              "stream_options": {"include_usage": True, "include_obfuscation": False}}
    response = http.post("/chat/completions", json=fields)
    assert response.status_code == 200, response.text
    first = json.loads(response.content.split(b"\n\n", 1)[0][len(b"data: "):])
    check_against_fixture(f"{case}.sse", normalized(response.content, first["id"], first["created"]))


def test_header_names_and_order_are_pinned(http):
    """The values vary (ids, timings, remaining counts); which headers come, in which order, does not."""
    json_answer = http.post("/chat/completions", json={"model": "gpt-4o-mini", **CASES["plain"]})
    stream = http.post("/chat/completions", json={"model": "gpt-4o-mini", **CASES["plain"], "stream": True})
    names = {"json": list(json_answer.headers.keys()), "stream": list(stream.headers.keys())}
    check_against_fixture("header_names.json", (json.dumps(names, indent=1) + "\n").encode())


def test_a_body_means_what_json_reads_in_it(http):
    """The fast parser (emulator/json_codec.py) must not change a body's values: an integer beyond 64
    bits stays that integer in the error (orjson alone would read it as a float)."""
    big = "123456789012345678901234567890"
    raw = ('{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}],"max_completion_tokens":%s}' % big)
    response = http.post("/chat/completions", content=raw.encode(), headers={"content-type": "application/json"})
    assert response.status_code == 400
    assert f"max_tokens is too large: {big}." in response.json()["error"]["message"]
