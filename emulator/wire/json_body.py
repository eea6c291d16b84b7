"""A `Reply` as the live API's `chat.completion` object, keys in the live order (docs/live-api.md#objects)."""
from __future__ import annotations

import json
from typing import Any

import orjson

from ..reply import Choice, Reply, ToolCall

dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def dumps_float_free(payload: Any) -> bytes:
    """`dumps(payload).encode("utf-8")` for a payload the caller knows holds no float, through orjson
    (about ten times faster on a completion). orjson writes strings (same escapes over every code
    point), integers, booleans, null, lists and dicts exactly as `dumps` does, but small floats as
    `0.00001` where `json` and the live API write `1e-05`: hence no floats. What orjson refuses
    (integers beyond 64 bits, lone surrogates, non-string keys) goes through `dumps`, as before."""
    try:
        return orjson.dumps(payload)
    except TypeError:
        return dumps(payload).encode("utf-8")


def json_bytes(payload: object) -> bytes:
    """UTF-8 JSON that cannot fail to encode. Python's JSON parser accepts a lone surrogate (`"\\ud800"`),
    so text kept from a request, a scenario or an admin call may hold one; it goes out as the same JSON
    escape, which reads back as the same string. (No other character can fail, and only inside a string.)"""
    return dumps(payload).encode("utf-8", "backslashreplace")


def json_text(payload: object) -> str:
    """JSON text that is valid UTF-8 (for SQLite's TEXT columns): lone surrogates as their escapes."""
    return json_bytes(payload).decode("utf-8")


def tool_call_dict(call: ToolCall) -> dict[str, Any]:
    if call.type == "custom":
        return {"id": call.id, "type": "custom", "custom": {"name": call.name, "input": call.arguments}}
    return {"id": call.id, "type": "function", "function": {"name": call.name, "arguments": call.arguments}}


def message_dict(choice: Choice) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": choice.content}
    if choice.tool_calls:
        message["tool_calls"] = [tool_call_dict(c) for c in choice.tool_calls]
    message["refusal"] = choice.refusal
    message["annotations"] = choice.annotations
    if choice.function_call is not None:
        message["function_call"] = {"name": choice.function_call.name, "arguments": choice.function_call.arguments}
    if choice.audio is not None:
        a = choice.audio
        message["audio"] = {"id": a.id, "data": a.data, "expires_at": a.expires_at, "transcript": a.transcript}
    return message


def logprobs_dict(choice: Choice) -> dict[str, Any] | None:
    if choice.logprobs is None:
        return None
    entries = [entry.as_dict() for entry in choice.logprobs]
    if choice.refusal is not None:
        return {"content": None, "refusal": entries}
    return {"content": entries, "refusal": None}


def completion_dict(reply: Reply, completion_id: str, created: int) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": completion_id,
        "object": "chat.completion",
        "created": created,
        "model": reply.model,
        "choices": [
            {"index": c.index, "message": message_dict(c), "logprobs": logprobs_dict(c), "finish_reason": c.finish_reason}
            for c in reply.choices
        ],
        "usage": reply.usage.as_dict(),
        "service_tier": reply.service_tier,
        "system_fingerprint": reply.system_fingerprint,
    }
    if reply.metadata:
        body["metadata"] = reply.metadata
    return body
