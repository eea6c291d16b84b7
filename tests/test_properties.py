"""Property tests: requests drawn from the contract's request schema (the checker's strategies)."""
from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from emulator.conformance.strategies import invalid_requests, valid_requests
from schema_check import assert_valid

PROPERTY = settings(max_examples=80, deadline=None, database=None, derandomize=True,
                    suppress_health_check=list(HealthCheck))
MODELS = st.sampled_from(["gpt-4o-mini", "gpt-4.1", "gpt-3.5-turbo"])


TOOLS = [
    {"type": "function", "function": {"name": "get_weather", "parameters": {
        "type": "object", "properties": {"city": {"type": "string"}, "days": {"type": "integer", "minimum": 1}},
        "required": ["city"]}}},
    {"type": "function", "function": {"name": "lookup_order", "description": "Find an order", "parameters": {
        "type": "object", "properties": {"order_id": {"type": "string", "format": "uuid"},
                                         "items": {"type": "array", "items": {"type": "string"}, "maxItems": 3}},
        "required": ["order_id", "items"], "additionalProperties": False}, "strict": True}},
    {"type": "function", "function": {"name": "ping"}},
]
WITH_TOOLS = st.lists(st.sampled_from(TOOLS), min_size=1, max_size=3, unique_by=lambda t: t["function"]["name"])


def non_stream(request: dict) -> dict:
    return {k: v for k, v in request.items() if k not in ("stream", "stream_options")}


@PROPERTY
@given(st.data())
def test_valid_requests_get_200_and_a_valid_body(http, data):
    request = non_stream(data.draw(valid_requests(data.draw(MODELS))))
    response = http.post("/chat/completions", json=request)
    assert response.status_code == 200, (request, response.text)
    body = response.json()
    assert_valid("chat_completion", body)
    assert len(body["choices"]) == (request.get("n") or 1)


@PROPERTY
@given(st.data())
def test_invalid_requests_get_a_4xx_envelope(http, data):
    request, param, broken = data.draw(invalid_requests(data.draw(MODELS)))
    response = http.post("/chat/completions", json=request)
    assert 400 <= response.status_code < 500, (broken, request, response.text)
    assert_valid("error", response.json())
    error = response.json()["error"]
    assert error["type"] == "invalid_request_error"
    if param is not None:
        assert error["param"] is not None and error["param"].split(".")[0].split("[")[0] == param.split("[")[0], (
            broken, error)


def assemble(raw: bytes) -> tuple[dict, dict | None]:
    """Concatenate a stream's deltas per choice: content, refusal, tool calls, finish reason; and its usage."""
    choices: dict[int, dict] = {}
    usage = None
    for event in raw.split(b"\n\n"):
        if not event.startswith(b"data: {"):
            continue
        chunk = json.loads(event[6:])
        assert_valid("chat_completion_chunk", chunk)
        usage = chunk.get("usage") or usage
        for choice in chunk["choices"]:
            into = choices.setdefault(choice["index"], {"content": None, "refusal": None, "tool_calls": [],
                                                        "finish_reason": None})
            delta = choice["delta"]
            for key in ("content", "refusal"):
                if delta.get(key) is not None:
                    into[key] = (into[key] or "") + delta[key]
            for call in delta.get("tool_calls") or ():
                if "id" in call:
                    into["tool_calls"].append({"id": call["id"], "name": call["function"]["name"], "arguments": ""})
                into["tool_calls"][call["index"]]["arguments"] += call["function"]["arguments"]
            into["finish_reason"] = choice["finish_reason"] or into["finish_reason"]
    return choices, usage


@PROPERTY
@given(st.data())
def test_stream_concatenates_to_the_non_streamed_reply(http, data):
    request = non_stream(data.draw(valid_requests(data.draw(MODELS))))
    if data.draw(st.booleans()):
        request["tools"] = data.draw(WITH_TOOLS)
        request["messages"] = [*request["messages"], {"role": "user", "content": data.draw(st.sampled_from(
            ["weather in Oslo", "lookup order and get weather", "ping", "hello"]))}]
    whole = http.post("/chat/completions", json=request).json()
    raw = http.post("/chat/completions", json={**request, "stream": True,
                                               "stream_options": {"include_usage": True}}).content
    streamed, usage = assemble(raw)
    assert usage == whole["usage"]
    for choice in whole["choices"]:
        got = streamed[choice["index"]]
        message = choice["message"]
        assert got["finish_reason"] == choice["finish_reason"]
        if message.get("tool_calls"):
            calls = [{"id": c["id"], "name": c["function"]["name"], "arguments": c["function"]["arguments"]}
                     for c in message["tool_calls"]]
            assert got["tool_calls"] == calls
        else:
            content = message["content"]
            assert (got["content"] or "") == (content or "") and got["refusal"] == message["refusal"]
