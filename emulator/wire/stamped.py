"""Render a reply once, then stamp each response with its own `id` and `created`.

A reply is the same for every request that gets it (the built-in model's replies are remembered,
see `model/memo.py`), and only the completion id and timestamp differ between its responses. So
the JSON body and the SSE events are rendered once with marks in those two places and kept on the
reply; each response replaces the marks. The marks sit where content cannot reach: content is a
JSON string, whose quotes are escaped, and the marks include the structural quotes around them.

A reply keeps the JSON template and at most `MAX_STREAM_TEMPLATES` stream templates (one per
`include_usage` / obfuscation / `x-emulator-chunk-tokens` combination), the oldest dropped: a
client sending a new chunk size with every request re-renders instead of growing the reply.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..reply import Reply
from ..json_text import dumps
from .json_body import HEAD_CREATED, HEAD_ID, completion_dict, dumps_float_free, text_completion_tail
from .sse import render_events

if TYPE_CHECKING:
    from .render import Decoration

MAX_STREAM_TEMPLATES = 4
_ID_MARK = "\x00"  # encoded as \\u0000: never a real id
_ID_PATTERN = b'{"id":"\\u0000"'
_CREATED_PATTERN = b',"created":0,'


def _stamp(template: bytes, completion_id: bytes, created: bytes) -> bytes:
    return template.replace(_ID_PATTERN, b'{"id":"' + completion_id + b'"', 1).replace(
        _CREATED_PATTERN, b',"created":' + created + b",", 1)


def json_body(reply: Reply, completion_id: str, created: int) -> bytes:
    """The completion's JSON: this response's head (id and `created`, which open every completion) and
    the tail kept on the reply, written the first time (from a frame for one text choice)."""
    tail = reply.rendered.get("json")
    if tail is None:
        tail = reply.rendered["json"] = text_completion_tail(reply) or _tail(reply)
    return b"".join((HEAD_ID, completion_id.encode(), HEAD_CREATED, b"%d" % created, tail))


def _tail(reply: Reply) -> bytes:
    marked = completion_dict(reply, "", 0)
    written = dumps(marked).encode("utf-8") if _may_hold_floats(reply) else dumps_float_free(marked)
    head = HEAD_ID + HEAD_CREATED + b"0"
    assert written.startswith(head), "a completion opens with its id and created"
    return written[len(head):]


def _may_hold_floats(reply: Reply) -> bool:
    """Logprobs are floats; annotations come from scenarios and may hold anything. Nothing else in a
    completion is a float (usage and timestamps are integers)."""
    return any(choice.logprobs is not None or choice.annotations for choice in reply.choices)


def sse_events(reply: Reply, completion_id: str, created: int, *, include_usage: bool, include_obfuscation: bool,
               chunk_tokens: int, decoration: "Decoration | None" = None) -> list[bytes]:
    """The stream's events, each stamped. Every chunk starts with the same head up to `created`, so
    the template keeps what follows the head and a response puts its own head in front."""
    key = ("sse", include_usage, include_obfuscation, chunk_tokens, None if decoration is None else decoration.name)
    template = reply.rendered.get(key)
    if template is None:
        events = render_events(reply, _ID_MARK, 0, include_usage=include_usage,
                               include_obfuscation=include_obfuscation, chunk_tokens=chunk_tokens,
                               choice_fields=None if decoration is None else decoration.choice_fields)
        head = events[0][: events[0].index(_CREATED_PATTERN) + len(_CREATED_PATTERN)]
        template = (head, [e[len(head):] if e.startswith(head) else e for e in events],
                    [e.startswith(head) for e in events])
        _keep(reply.rendered, key, template)
    head, rests, stamped = template
    own_head = _stamp(head, completion_id.encode(), str(created).encode())
    return [own_head + rest if is_chunk else rest for rest, is_chunk in zip(rests, stamped, strict=True)]


def _keep(rendered: dict[Any, Any], key: tuple[Any, ...], template: Any) -> None:
    """Store a stream template, dropping the oldest beyond `MAX_STREAM_TEMPLATES` (dicts keep
    insertion order, so the first stream key is the oldest)."""
    streams = [k for k in list(rendered) if isinstance(k, tuple) and k[0] == "sse"]  # list(): atomic copy
    for old in streams[: max(len(streams) + 1 - MAX_STREAM_TEMPLATES, 0)]:
        rendered.pop(old, None)
    rendered[key] = template
