"""A `Reply` as the live API's `chat.completion` object, keys in the live order (docs/live-api.md#objects)."""
from __future__ import annotations

from typing import Any

import orjson

from ..json_text import dumps
from ..reply import Choice, Reply, ToolCall


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
