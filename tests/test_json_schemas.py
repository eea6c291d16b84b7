"""The contract's JSON Schemas accept the live API's recorded shapes (docs/live-api.md) and reject broken ones."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from emulator.contract.json_schemas import schema_errors, schema_names, validator

ID = "chatcmpl-ABfw031mOJeYCSHe4yI2ZjOA6kMJL"

# The 2026 recording's key order (docs/live-api.md#objects) and detail fields.
COMPLETION: dict[str, Any] = {
    "id": ID, "object": "chat.completion", "created": 1727346168, "model": "gpt-4o-mini-2024-07-18",
    "choices": [{
        "index": 0,
        "message": {"role": "assistant", "content": "Hello there!", "refusal": None, "annotations": []},
        "logprobs": None, "finish_reason": "stop",
    }],
    "usage": {
        "prompt_tokens": 14, "completion_tokens": 3, "total_tokens": 17,
        "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
        "completion_tokens_details": {"reasoning_tokens": 0, "audio_tokens": 0,
                                      "accepted_prediction_tokens": 0, "rejected_prediction_tokens": 0},
    },
    "service_tier": "default", "system_fingerprint": "fp_5050236cbd",
}

TOOL_MESSAGE = {
    "role": "assistant", "content": None, "refusal": None,
    "tool_calls": [
        {"id": "call_7y3QbTLpBxh1Kp0QUeEBYbJv", "type": "function",
         "function": {"name": "get_weather", "arguments": "{\"city\":\"Edinburgh\"}"}},
        {"id": "call_4gxYzl0pT1t9cRr4nB7Ku2Wm", "type": "custom", "custom": {"name": "sql", "input": "SELECT 1"}},
    ],
}

LOGPROBS = {"content": [{"token": "Hi", "logprob": -0.01, "bytes": [72, 105],
                         "top_logprobs": [{"token": "Hi", "logprob": -0.01, "bytes": [72, 105]}]}],
            "refusal": None}

CHUNKS: list[dict[str, Any]] = [
    {"id": ID, "object": "chat.completion.chunk", "created": 1727346168, "model": "gpt-4o-2024-08-06",
     "system_fingerprint": "fp_5050236cbd",
     "choices": [{"index": 0, "delta": {"role": "assistant", "content": "", "refusal": None}, "logprobs": None, "finish_reason": None}]},
    {"id": ID, "object": "chat.completion.chunk", "created": 1727346168, "model": "gpt-4o-2024-08-06",
     "service_tier": "default", "system_fingerprint": "fp_5050236cbd",
     "choices": [{"index": 0, "delta": {"tool_calls": [{"index": 0, "id": "call_x", "type": "function",
                                                        "function": {"name": "f", "arguments": ""}}]},
                  "logprobs": None, "finish_reason": None}],
     "obfuscation": "aB3x", "usage": None},
    {"id": ID, "object": "chat.completion.chunk", "created": 1727346168, "model": "gpt-4o-2024-08-06",
     "choices": [{"index": 0, "delta": {}, "logprobs": None, "finish_reason": "stop"}], "obfuscation": ""},
    {"id": ID, "object": "chat.completion.chunk", "created": 1727346168, "model": "gpt-4o-2024-08-06",
     "choices": [], "usage": {"prompt_tokens": 14, "completion_tokens": 30, "total_tokens": 44,
                              "completion_tokens_details": {"reasoning_tokens": 0}}},
    {"id": ID, "object": "chat.completion.chunk", "created": 1, "model": "gpt-4o-audio-preview",
     "choices": [{"index": 0, "delta": {"audio": {"id": "audio_1", "data": "AAAA", "transcript": "hi"}}, "finish_reason": None}]},
]


def _with(body: dict[str, Any], path: list[Any], value: Any) -> dict[str, Any]:
    changed = copy.deepcopy(body)
    target = changed
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return changed


def test_every_schema_file_is_a_valid_schema() -> None:
    assert "chat_completion" in schema_names()
    for name in schema_names():
        validator(name)  # check_schema raises on an invalid document


def test_validator_is_cached() -> None:
    assert validator("error") is validator("error")


def test_unknown_schema_name_is_a_key_error() -> None:
    with pytest.raises(KeyError):
        validator("no_such_schema")


@pytest.mark.parametrize("body", [
    COMPLETION,
    _with(COMPLETION, ["choices", 0, "message"], TOOL_MESSAGE),
    _with(COMPLETION, ["choices", 0, "logprobs"], LOGPROBS),
    _with(COMPLETION, ["choices", 0, "message"], {"role": "assistant", "content": None,
                                                  "refusal": "I'm very sorry, but I can't assist with that."}),
    _with(COMPLETION, ["moderation"], {"input": {"type": "error", "code": "x", "message": "m"},
                                       "output": {"type": "moderation_results", "model": "omni-moderation-latest", "results": []}}),
], ids=["text", "tool_calls", "logprobs", "refusal", "moderation"])
def test_recorded_completions_are_valid(body: dict[str, Any]) -> None:
    assert schema_errors("chat_completion", body) == []


@pytest.mark.parametrize(("path", "value", "where"), [
    (["created"], "1727346168", "$.created"),
    (["object"], "chat.completion.chunk", "$.object"),
    (["choices", 0, "finish_reason"], "done", "$.choices[0].finish_reason"),
    (["choices", 0, "message", "role"], "user", "$.choices[0].message.role"),
    (["usage", "total_tokens"], 1.5, "$.usage.total_tokens"),
    (["choices", 0, "logprobs"], {"content": []}, "$.choices[0].logprobs"),
])
def test_broken_completions_name_the_path(path: list[Any], value: Any, where: str) -> None:
    errors = schema_errors("chat_completion", _with(COMPLETION, path, value))
    assert errors and errors[0].startswith(where + ":")


def test_missing_required_key_is_reported() -> None:
    body = copy.deepcopy(COMPLETION)
    del body["choices"][0]["message"]["refusal"]
    assert schema_errors("chat_completion", body) == ["$.choices[0].message: 'refusal' is a required property"]


@pytest.mark.parametrize("chunk", CHUNKS)
def test_recorded_chunks_are_valid(chunk: dict[str, Any]) -> None:
    assert schema_errors("chat_completion_chunk", chunk) == []


def test_chunk_tool_call_without_index_is_invalid() -> None:
    chunk = _with(CHUNKS[1], ["choices", 0, "delta", "tool_calls", 0], {"function": {"arguments": "{"}})
    assert schema_errors("chat_completion_chunk", chunk)


def test_error_envelope_needs_all_four_keys() -> None:
    good = {"error": {"message": "Unknown parameter: 'foo'.", "type": "invalid_request_error",
                      "param": "foo", "code": "unknown_parameter"}}
    assert schema_errors("error", good) == []
    for key in ("message", "type", "param", "code"):
        broken = copy.deepcopy(good)
        del broken["error"][key]
        assert schema_errors("error", broken) == [f"$.error: '{key}' is a required property"]
    assert schema_errors("error", {"message": "flat", "type": "x"})


def test_models_and_stored_lists() -> None:
    model = {"id": "gpt-4o-mini", "object": "model", "created": 1721172741, "owned_by": "system"}
    assert schema_errors("model", model) == []
    assert schema_errors("model_list", {"object": "list", "data": [model]}) == []
    assert schema_errors("model_list", {"object": "list", "data": [{**model, "created": None}]})
    page = {"object": "list", "data": [COMPLETION], "first_id": ID, "last_id": ID, "has_more": False}
    assert schema_errors("chat_completion_list", page) == []
    messages = {"object": "list", "first_id": ID + "-0", "last_id": ID + "-0", "has_more": False,
                "data": [{"id": ID + "-0", "role": "user", "content": "write a haiku about ai",
                          "refusal": None, "name": None, "content_parts": None}]}
    assert schema_errors("chat_completion_message_list", messages) == []
    deleted = {"object": "chat.completion.deleted", "id": ID, "deleted": True}
    assert schema_errors("chat_completion_deleted", deleted) == []
    assert schema_errors("chat_completion_deleted", {**deleted, "deleted": "yes"})


def test_request_schema() -> None:
    ok = {"model": "gpt-4o-mini", "messages": [{"role": "system", "content": "Be brief."},
                                                {"role": "user", "content": [{"type": "text", "text": "hi"}]}],
          "temperature": 0.5, "n": 2, "stop": ["x"], "tools": [{"type": "function", "function": {"name": "f"}}]}
    assert schema_errors("chat_request", ok) == []
    assert schema_errors("chat_request", {**ok, "n": 130})[0].startswith("$.n:")
    assert schema_errors("chat_request", {**ok, "temperature": "hot"})[0].startswith("$.temperature:")
    assert schema_errors("chat_request", {**ok, "foo": 1})
    assert schema_errors("chat_request", {"model": "m"}) == ["$: 'messages' is a required property"]
    assert schema_errors("chat_request", {**ok, "messages": [{"role": "tool", "content": "x"}]})
