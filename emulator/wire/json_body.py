"""A `Reply` as the live API's `chat.completion` object, keys in the live order (docs/live-api.md#objects)."""
from __future__ import annotations

from operator import attrgetter
from typing import Any

import orjson

from ..json_text import dumps
from ..reply import Choice, Reply, ToolCall, Usage


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



# --- the head every completion shares, and one text choice from a frame ---------------------------
# A completion's JSON starts with its id and `created`; what follows (the tail) is the same for every
# response of one reply, so it is what `wire/stamped.py` keeps and puts behind each response's head.
HEAD_ID = b'{"id":"'
HEAD_CREATED = b'","object":"chat.completion","created":'

# Most completions are one choice of text and nothing else (the built-in model's usual answer), and
# their tails differ only in the content and the usage numbers. So a tail is cut once per model, tier,
# fingerprint and finish reason into the parts around those two (a frame), and each reply's tail is
# the frame's parts joined with its own content and usage: the bytes `completion_dict` gives, without
# building the dicts. The frame is cut from `completion_dict`'s own output, so the two cannot differ.
_CONTENT_MARK = "\x01"  # written `"\u0001"`: no other string of a frame is that
_USAGE_FIELDS = ("prompt_tokens", "completion_tokens", "total_tokens", "reasoning_tokens", "cached_tokens",
                 "prompt_audio_tokens", "completion_audio_tokens", "accepted_prediction_tokens",
                 "rejected_prediction_tokens")
_usage_numbers = attrgetter(*_USAGE_FIELDS)
_MAX_KEPT = 1024  # frames (a catalogue that accepts any model id makes any number) and usage objects
_frames: dict[tuple[str, str | None, str | None, str], tuple[bytes, bytes, bytes] | None] = {}
_usages: dict[tuple[int, ...], bytes] = {}


def text_completion_tail(reply: Reply) -> bytes | None:
    """The JSON of `completion_dict(reply, ...)` after `created`, for a reply of one text choice with
    nothing else (no refusal, tool calls, logprobs, annotations, audio or metadata); None otherwise."""
    if len(reply.choices) != 1 or reply.metadata:
        return None
    choice = reply.choices[0]
    if (choice.content is None or choice.index or choice.refusal is not None or choice.tool_calls
            or choice.function_call is not None or choice.logprobs is not None or choice.annotations
            or choice.audio is not None):
        return None
    key = (reply.model, reply.service_tier, reply.system_fingerprint, choice.finish_reason)
    frame = _frames.get(key)
    if frame is None:
        if key in _frames:  # no frame for this model (see `_frame`)
            return None
        frame = _kept(_frames, key, _frame(reply, choice.finish_reason))
        if frame is None:
            return None
    try:
        content = orjson.dumps(choice.content)
    except TypeError:  # a lone surrogate (scenario text): the general path's fallback decides
        return None
    before, between, after = frame
    return b"".join((before, content, between, usage_json(reply.usage), after))


def usage_json(usage: Usage) -> bytes:
    """`usage.as_dict()` as JSON, kept by its numbers (replies of similar requests share them)."""
    numbers = _usage_numbers(usage)
    written = _usages.get(numbers)
    if written is None:
        written = _kept(_usages, numbers, dumps_float_free(usage.as_dict()))
    return written


def _frame(reply: Reply, finish_reason: str) -> tuple[bytes, bytes, bytes] | None:
    """The tail of `reply`'s model, tier and fingerprint around its content and usage; None if the
    marked content is found other than once (a model id spelling it)."""
    usage = Usage(0, 0)
    marked = Reply([Choice(0, content=_CONTENT_MARK, finish_reason=finish_reason)], usage, reply.model,
                   reply.service_tier, reply.system_fingerprint)
    raw = dumps_float_free(completion_dict(marked, "", 0))
    head, content, usage_text = HEAD_ID + HEAD_CREATED + b"0", orjson.dumps(_CONTENT_MARK), usage_json(usage)
    if not raw.startswith(head) or raw.count(content) != 1:
        return None
    before, rest = raw[len(head):].split(content)
    between, usage_mark, after = rest.partition(b'"usage":' + usage_text)
    return (before, between + b'"usage":', after) if usage_mark else None


def _kept(cache: dict[Any, Any], key: Any, value: Any) -> Any:
    if len(cache) >= _MAX_KEPT:
        cache.clear()
    cache[key] = value
    return value
