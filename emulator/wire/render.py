"""The one render entry: a reply, with its pacing already chosen, becomes JSON or SSE.

`render` builds the response (stamped from the reply's cached templates), applies a scripted fault
and an optional per-route decoration (Azure's content-filter annotations, added while the events
are built, never by re-parsing them), and returns what recording needs: the completion as a
client assembles it and the stream's events.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Awaitable, Callable, Protocol

from ..ids import completion_id
from ..pacing import Pacing
from ..reply import Reply
from ..json_text import dumps
from .faulted import faulted_body, faulted_stream
from .json_body import completion_dict
from .responses import BytesResponse
from .stamped import json_body, sse_events
from .stream_response import PacedEventStream, unpaced_stream

ASGIApp = Callable[..., Awaitable[None]]


class Decoration(Protocol):
    """What a route adds to the live shape."""

    @property
    def name(self) -> str:
        """Keys the cached stream templates."""

    def body(self, body: dict[str, Any]) -> dict[str, Any]:
        """The non-streamed completion, decorated."""

    def first_events(self) -> list[bytes]:
        """Events sent before the first chunk."""

    def choice_fields(self, delta: dict[str, Any], finish_reason: str | None) -> str:
        """JSON members (each starting with a comma) closing a chunk's choice object."""


@dataclass
class Rendered:
    body: dict[str, Any]  # the completion as a client assembles it (journal, store)
    response: ASGIApp
    events: list[bytes] | None = None  # a stream's events
    paced: bool = False  # events leave one by one (the journal notes each)


def render(reply: Reply, headers: dict[str, str], *, stream: bool, pacing: Pacing, include_usage: bool = False,
           include_obfuscation: bool = False, decoration: Decoration | None = None,
           on_sent: Callable[[], None] | None = None) -> Rendered:
    cid, created = completion_id(), int(time.time())
    body = completion_dict(reply, cid, created)
    if decoration is not None:
        body = decoration.body(body)
    if not stream:
        payload = json_body(reply, cid, created, body) if decoration is None else dumps(body).encode("utf-8")
        response: ASGIApp = BytesResponse(payload, 200, headers)
        return Rendered(body, response if reply.fault is None else faulted_body(reply.fault, response))
    events = sse_events(reply, cid, created, include_usage=include_usage, include_obfuscation=include_obfuscation,
                        chunk_tokens=pacing.chunk_tokens, decoration=decoration)
    if decoration is not None:
        events = decoration.first_events() + events
    if reply.fault is not None:
        return Rendered(body, faulted_stream(reply.fault, events, headers, pacing), events)
    if pacing.is_paced:
        return Rendered(body, PacedEventStream(events, headers, pacing, on_sent=on_sent), events, paced=True)
    return Rendered(body, unpaced_stream(events, headers), events)
