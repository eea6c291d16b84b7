"""The Responses API's and embeddings' bytes on the wire, pinned as tests/test_wire_bytes.py pins chat's:
each body and stream byte for byte against fixtures/emulator/wire/responses/, with what differs per
response normalized (ids, in order of first appearance, so which ids repeat stays pinned; timestamps;
the random `obfuscation` characters and the `encrypted_content` made from an id, keeping their length).

Performance work on these paths (templates, stored bytes) must not move a byte. Regenerate only for a
deliberate change: `EMULATOR_REGENERATE_WIRE=1 pytest tests/test_wire_bytes_responses.py`.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent.parent / "fixtures" / "emulator" / "wire" / "responses"
_ID = re.compile(rb'"((?:resp|msg|rs|fc|ctc|fco)_[0-9a-f]{50})"')
_TIME = re.compile(rb'"(created_at|completed_at)":\d+')
_RANDOM = re.compile(rb'"(obfuscation|encrypted_content)":"([A-Za-z0-9_=-]*)"')

WEATHER = {"type": "function", "name": "get_weather", "parameters": {
    "type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"], "additionalProperties": False}}

CASES = {
    "plain": {"model": "gpt-4o-mini", "instructions": "You are helpful.", "input": "Hello! How are you today?"},
    "non_ascii_and_escapes": {"model": "gpt-4o-mini", "input": 'Grüße, 東京 😀 "quoted" \\ tab\there\nnew',
                              "metadata": {"k": "v"}, "temperature": 0.5},
    "tool_call": {"model": "gpt-4o-mini", "input": "Weather in Paris?", "tools": [WEATHER], "tool_choice": "required"},
    "reasoning_summary": {"model": "o4-mini", "input": "think", "reasoning": {"summary": "auto", "effort": "low"},
                          "include": ["reasoning.encrypted_content"]},
    "logprobs": {"model": "gpt-4o-mini", "input": "Give me logprobs", "include": ["message.output_text.logprobs"],
                 "top_logprobs": 2},
    "json_schema": {"model": "gpt-4o-mini", "input": "A person", "text": {"format": {
        "type": "json_schema", "name": "person", "strict": True, "schema": {
            "type": "object", "additionalProperties": False, "required": ["name", "age"],
            "properties": {"name": {"type": "string"}, "age": {"type": "integer"}}}}}},
    "length": {"model": "gpt-4o-mini", "input": "Tell me a long story", "max_output_tokens": 16},
    "background": {"model": "gpt-4o-mini", "input": "Later", "background": True},
}


def normalized(raw: bytes) -> bytes:
    ids: dict[bytes, bytes] = {}

    def id_mark(match: re.Match[bytes]) -> bytes:
        found = match.group(1)
        ids.setdefault(found, found.split(b"_", 1)[0] + b"_ID%d" % len(ids))
        return b'"' + ids[found] + b'"'

    raw = _TIME.sub(lambda m: b'"' + m.group(1) + b'":0', _ID.sub(id_mark, raw))
    return _RANDOM.sub(lambda m: b'"' + m.group(1) + b'":"' + b"x" * len(m.group(2)) + b'"', raw)


def check_against_fixture(name: str, raw: bytes) -> None:
    path = FIXTURES / name
    if os.environ.get("EMULATOR_REGENERATE_WIRE"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(raw)
    assert raw == path.read_bytes(), f"the bytes of {name} changed"


@pytest.mark.parametrize("case", list(CASES))
def test_response_bodies_are_pinned(http, case):
    """Twice: the first answer renders, the second comes from what the first kept."""
    for _ in range(2):
        response = http.post("/responses", json=CASES[case])
        assert response.status_code == 200, response.text
        check_against_fixture(f"{case}.json", normalized(response.content))


@pytest.mark.parametrize("case", [c for c in CASES if c != "background"])
def test_response_streams_are_pinned(http, case):
    for _ in range(2):
        response = http.post("/responses", json={**CASES[case], "stream": True})
        assert response.status_code == 200, response.text
        check_against_fixture(f"{case}.sse", normalized(response.content))


@pytest.mark.parametrize("case", ["plain", "tool_call", "reasoning_summary"])
def test_stored_responses_and_their_items_are_pinned(http, case):
    """What a retrieval, the input items and a chained response send, after both kinds of creation."""
    for stream in (False, True):
        created = http.post("/responses", json={**CASES[case], "stream": stream})
        rid = re.search(rb'"(resp_[0-9a-f]{50})"', created.content).group(1).decode()  # type: ignore[union-attr]
        retrieved, items = http.get(f"/responses/{rid}"), http.get(f"/responses/{rid}/input_items")
        assert retrieved.status_code == items.status_code == 200
        check_against_fixture(f"{case}.retrieved.json", normalized(retrieved.content))
        check_against_fixture(f"{case}.input_items.json", normalized(items.content))
        calls = [item for item in retrieved.json()["output"] if item["type"] == "function_call"]
        follow = ([{"type": "function_call_output", "call_id": c["call_id"], "output": "sunny"} for c in calls]
                  or "And then?")
        chained = http.post("/responses", json={"model": CASES[case]["model"], "previous_response_id": rid,
                                                "input": follow, "store": False})
        assert chained.status_code == 200, chained.text
        check_against_fixture(f"{case}.chained.json", normalized(chained.content))


def test_a_background_response_polls_and_streams_again_the_same_bytes(http):
    created = http.post("/responses", json=CASES["background"]).json()
    polls = [normalized(http.get(f"/responses/{created['id']}").content) for _ in range(3)]
    check_against_fixture("background.polls.json", b"\n".join(polls))
    again = http.get(f"/responses/{created['id']}", params={"stream": "true"})
    check_against_fixture("background.restream.sse", normalized(again.content))


EMBEDDINGS = {
    "base64": {"model": "text-embedding-3-small", "input": "The quick brown fox jumped over the lazy dog",
               "encoding_format": "base64"},
    "float": {"model": "text-embedding-3-small", "input": "The quick brown fox jumped over the lazy dog"},
    "several_shortened": {"model": "text-embedding-3-large", "input": ["Grüße 東京", "second"],
                          "dimensions": 64},
    "tokens": {"model": "text-embedding-3-small", "input": [[1, 2, 3], [40, 50]], "encoding_format": "base64"},
    "ada_float": {"model": "text-embedding-ada-002", "input": ["a", "b"], "encoding_format": "float"},
}


@pytest.mark.parametrize("case", list(EMBEDDINGS))
def test_embedding_bodies_are_pinned(http, case):
    for _ in range(2):
        response = http.post("/embeddings", json=EMBEDDINGS[case])
        assert response.status_code == 200, response.text
        check_against_fixture(f"embeddings_{case}.json", response.content)
