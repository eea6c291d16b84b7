"""Render a reply once, then stamp each response with its own `id` and `created`.

A reply is the same for every request that gets it (the built-in model's replies are remembered,
see `model/memo.py`), and only the completion id and timestamp differ between its responses. So
the JSON body and the SSE events are rendered once with marks in those two places and kept on the
reply; each response replaces the marks. The marks sit where content cannot reach: content is a
JSON string, whose quotes are escaped, and the marks include the structural quotes around them.
"""
from __future__ import annotations

from ..reply import Reply
from .json_body import completion_dict, dumps
from .sse import render_events

_ID_MARK = "\x00"  # encoded as \\u0000: never a real id
_ID_PATTERN = b'{"id":"\\u0000"'
_CREATED_PATTERN = b',"created":0,'


def _stamp(template: bytes, completion_id: bytes, created: bytes) -> bytes:
    return template.replace(_ID_PATTERN, b'{"id":"' + completion_id + b'"', 1).replace(
        _CREATED_PATTERN, b',"created":' + created + b",", 1)


def json_body(reply: Reply, completion_id: str, created: int) -> bytes:
    template = reply.rendered.get("json")
    if template is None:
        template = reply.rendered["json"] = dumps(completion_dict(reply, _ID_MARK, 0)).encode("utf-8")
    return _stamp(template, completion_id.encode(), str(created).encode())


def sse_events(reply: Reply, completion_id: str, created: int, *, include_usage: bool, include_obfuscation: bool,
               chunk_tokens: int) -> list[bytes]:
    key = ("sse", include_usage, include_obfuscation, chunk_tokens)
    template = reply.rendered.get(key)
    if template is None:
        template = reply.rendered[key] = render_events(
            reply, _ID_MARK, 0, include_usage=include_usage, include_obfuscation=include_obfuscation,
            chunk_tokens=chunk_tokens)
    cid, stamp = completion_id.encode(), str(created).encode()
    return [_stamp(event, cid, stamp) for event in template]
