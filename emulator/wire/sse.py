"""A `Reply` as the live API's server-sent events (docs/live-api.md#streaming): one `data:` line per chunk, `[DONE]` last.

Chunks are rendered up front as bytes; an unpaced stream leaves in a single write and a paced one
is written chunk by chunk with pauses in between.
"""
from __future__ import annotations

import random
from json.encoder import encode_basestring as encode_string
from typing import Any, Callable, Iterator

from ..ids import ALNUM, stable_seed
from ..reply import Choice, Reply, ToolCall
from ..tokens import join, text_groups, tokenize
from ..json_text import dumps
from .json_body import logprobs_dict

DONE = b"data: [DONE]\n\n"


def event(payload: dict[str, Any]) -> bytes:
    return b"data: " + dumps(payload).encode("utf-8") + b"\n\n"


def _fragments(tokens: list[str], size: int) -> Iterator[str]:
    """The text of each chunk: `size` tokens, more where a character spans tokens."""
    for start, end in text_groups(tokens, size):
        yield join(tokens[start:end])


def _call_header(index: int, call: ToolCall) -> dict[str, Any]:
    if call.type == "custom":
        return {"index": index, "id": call.id, "type": "custom", "custom": {"name": call.name, "input": ""}}
    return {"index": index, "id": call.id, "type": "function", "function": {"name": call.name, "arguments": ""}}


def _call_fragment(index: int, call: ToolCall, fragment: str) -> dict[str, Any]:
    if call.type == "custom":
        return {"index": index, "custom": {"input": fragment}}
    return {"index": index, "function": {"arguments": fragment}}


def choice_deltas(
    choice: Choice, chunk_tokens: int, encoding: str,
) -> Iterator[tuple[dict[str, Any], Any, str | None]]:
    """(delta, logprobs, finish_reason) for each chunk of one choice, as the recordings show them."""
    with_logprobs = choice.logprobs is not None
    if choice.function_call is not None:
        call = choice.function_call
        yield ({"role": "assistant", "content": None, "function_call": {"name": call.name, "arguments": ""}},
               None, None)
        for fragment in _fragments(tokenize(call.arguments, encoding), chunk_tokens):
            yield {"function_call": {"arguments": fragment}}, None, None
    elif choice.tool_calls:
        calls = choice.tool_calls
        if len(calls) == 1:
            yield ({"role": "assistant", "content": None, "tool_calls": [_call_header(0, calls[0])], "refusal": None},
                   None, None)
        else:
            yield {"role": "assistant", "content": None}, None, None
        for index, call in enumerate(calls):
            if len(calls) > 1:
                yield {"tool_calls": [_call_header(index, call)]}, None, None
            for fragment in _fragments(tokenize(call.arguments, encoding), chunk_tokens):
                yield {"tool_calls": [_call_fragment(index, call, fragment)]}, None, None
    elif choice.audio is not None:
        yield {"role": "assistant", "content": None, "refusal": None}, None, None
        yield from _audio_deltas(choice, chunk_tokens)
    elif choice.refusal is not None:
        yield ({"role": "assistant", "content": None, "refusal": ""},
               {"content": None, "refusal": []} if with_logprobs else None, None)
        yield from _text_chunks(choice, "refusal", chunk_tokens)
    else:
        yield ({"role": "assistant", "content": "", "refusal": None},
               {"content": [], "refusal": None} if with_logprobs else None, None)
        yield from _text_chunks(choice, "content", chunk_tokens)
    yield {}, None, choice.finish_reason


def _text_chunks(choice: Choice, key: str, size: int) -> Iterator[tuple[dict[str, Any], Any, None]]:
    tokens = choice.tokens
    entries = logprobs_dict(choice)
    for start, end in text_groups(tokens, size):
        logprobs = None
        if entries is not None:
            part = entries[key][start:end]
            logprobs = {"content": part, "refusal": None} if key == "content" else {"content": None, "refusal": part}
        yield {key: join(tokens[start:end])}, logprobs, None


# Base64 characters per audio data chunk: 0.5 s of 24 kHz 16-bit audio, a multiple of 4 characters
# (3 bytes), so the SDK's concatenation of the pieces is still valid base64.
AUDIO_CHUNK_CHARS = 32000


def _audio_deltas(choice: Choice, size: int) -> Iterator[tuple[dict[str, Any], None, None]]:
    """`delta.audio` as the SDK accumulates it: id once, transcript fragments, data pieces, expiry once."""
    audio = choice.audio
    assert audio is not None
    fragments = list(_fragments(choice.tokens, size)) or [""]
    yield {"audio": {"id": audio.id, "transcript": fragments[0]}}, None, None
    for fragment in fragments[1:]:
        yield {"audio": {"transcript": fragment}}, None, None
    for i in range(0, len(audio.data), AUDIO_CHUNK_CHARS):
        yield {"audio": {"data": audio.data[i:i + AUDIO_CHUNK_CHARS]}}, None, None
    yield {"audio": {"expires_at": audio.expires_at}}, None, None


def _interleave(streams: list[Iterator[Any]]) -> Iterator[tuple[int, Any]]:
    """Round-robin over the choices: each appears first in index order (the SDK relies on it)."""
    active = list(enumerate(streams))
    while active:
        still = []
        for index, stream in active:
            item = next(stream, None)
            if item is not None:
                yield index, item
                still.append((index, stream))
        active = still


def render_events(
    reply: Reply, completion_id: str, created: int, *, include_usage: bool, include_obfuscation: bool,
    chunk_tokens: int = 1, choice_fields: Callable[[dict[str, Any], str | None], str] | None = None,
) -> list[bytes]:
    """Every event of the stream, `[DONE]` included, in order.

    Chunks differ only in their choice, so the shared head is encoded once and each chunk is
    assembled from strings; only deltas other than plain text go through the JSON encoder.
    `choice_fields(delta, finish_reason)` adds members to each chunk's choice (a route's decoration).
    """
    head = dumps({"id": completion_id, "object": "chat.completion.chunk", "created": created, "model": reply.model,
                  "service_tier": reply.service_tier, "system_fingerprint": reply.system_fingerprint})
    prefix = "data: " + head[:-1] + ',"choices":'
    usage_null = ',"usage":null' if include_usage else ""
    obfuscation = _Obfuscation(stable_seed(reply.model, reply.usage.completion_tokens)) if include_obfuscation else None
    events = []
    streams = [choice_deltas(c, max(chunk_tokens, 1), reply.tokenizer) for c in reply.choices]
    for index, (delta, logprobs, finish_reason) in _interleave(streams):
        chunk = (f'{prefix}[{{"index":{index},"delta":{_delta_json(delta)},"logprobs":'
                 f'{"null" if logprobs is None else dumps(logprobs)},"finish_reason":'
                 f'{"null" if finish_reason is None else encode_string(finish_reason)}'
                 f'{"" if choice_fields is None else choice_fields(delta, finish_reason)}}}]{usage_null}')
        events.append(_close(chunk, obfuscation))
    if include_usage:
        events.append(_close(f'{prefix}[],"usage":{dumps(reply.usage.as_dict())}', obfuscation))
    events.append(DONE)
    return events


def _delta_json(delta: dict[str, Any]) -> str:
    if len(delta) == 1:
        text = delta.get("content")
        if type(text) is str:
            return '{"content":' + encode_string(text) + "}"
    return dumps(delta)


def _close(chunk: str, obfuscation: "_Obfuscation | None") -> bytes:
    if obfuscation is not None:
        chunk += ',"obfuscation":"' + obfuscation.next() + '"'
    return (chunk + "}\n\n").encode("utf-8")


class _Obfuscation:
    """Deterministic filler of 2 to 7 alphanumerics per chunk (the live field's observed shape)."""

    _POOL = "".join(random.Random(0).choices(ALNUM, k=509))

    def __init__(self, seed: int) -> None:
        self.position = seed % len(self._POOL)

    def next(self) -> str:
        length = 2 + self.position % 6
        start = self.position
        self.position = (self.position + 7 * length + 3) % (len(self._POOL) - 8)
        return self._POOL[start:start + length]
