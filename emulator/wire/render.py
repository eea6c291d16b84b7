"""The one render path: a reply, with its pacing already chosen, becomes JSON or SSE.

`render` builds the response (stamped from the reply's cached templates), applies a scripted fault
and an optional per-route decoration (Azure's content-filter annotations, added while the events
are built, never by re-parsing them), and returns what recording needs: the completion as a
client assembles it and the stream's events. `deliver` is how every rendered answer leaves (the
Responses API's renderer, wire/response_render.py, uses it too).
"""
from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Awaitable, Callable, Protocol

from ..ids import completion_id
from ..pacing import Pacing
from ..reply import Reply
from ..json_text import dumps
from .faulted import faulted_body, faulted_stream
from .head import Headers
from .json_body import completion_dict
from .responses import BytesResponse
from .stamped import json_body, sse_events
from .stream_response import PacedEventStream, unpaced_stream

if TYPE_CHECKING:
    from ..faults import Fault

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


@dataclass(init=False)
class Rendered:
    parsed: dict[str, Any] | None  # the completion as a client assembles it, when built (see `body`)
    response: ASGIApp
    events: list[bytes] | None  # a stream's events
    paced: bool  # events leave one by one (the journal notes each)
    payload: bytes | None  # a JSON answer's bytes

    # Written out: the compiled build compiles it, where a dataclass's generated `__init__` stays interpreted.
    def __init__(self, parsed: dict[str, Any] | None, response: ASGIApp, events: list[bytes] | None = None,
                 paced: bool = False, payload: bytes | None = None) -> None:
        self.parsed, self.response, self.events, self.paced, self.payload = parsed, response, events, paced, payload

    @property
    def body(self) -> dict[str, Any]:
        """The completion as a client assembles it (journal, store). A plain JSON answer stamped from
        its reply's template is not built as a dict at all unless asked for: it is its payload, parsed."""
        if self.parsed is None:
            assert self.payload is not None
            self.parsed = json.loads(self.payload)
        return self.parsed


def render(reply: Reply, headers: Headers, *, stream: bool, pacing: Pacing, include_usage: bool = False,
           include_obfuscation: bool = False, decoration: Decoration | None = None,
           on_sent: Callable[[], None] | None = None) -> Rendered:
    cid, created = completion_id(), int(time.time())
    if not stream and decoration is None:  # the hot path: the reply's template, stamped
        return deliver(None, headers, payload=json_body(reply, cid, created), fault=reply.fault, pacing=pacing)
    body = completion_dict(reply, cid, created)
    if decoration is not None:
        body = decoration.body(body)
    if not stream:
        return deliver(body, headers, payload=dumps(body).encode("utf-8"), fault=reply.fault, pacing=pacing)
    events = sse_events(reply, cid, created, include_usage=include_usage, include_obfuscation=include_obfuscation,
                        chunk_tokens=pacing.chunk_tokens, decoration=decoration)
    if decoration is not None:
        events = decoration.first_events() + events
    return deliver(body, headers, events=events, fault=reply.fault, pacing=pacing, on_sent=on_sent)


def deliver(body: dict[str, Any] | None, headers: Headers, *, payload: bytes | None = None,
            events: list[bytes] | None = None, fault: Fault | None, pacing: Pacing,
            on_sent: Callable[[], None] | None = None) -> Rendered:
    """How every rendered answer (chat or Responses) leaves: a JSON `payload`, or `events` in one write or
    paced, with a scripted fault applied to either. `body`: the completion as a dict, when built (a JSON
    answer's is then read from its payload); `headers`: by name, or ready lines (wire/head.py)."""
    if events is None:
        assert payload is not None
        response: ASGIApp = BytesResponse(payload, 200, headers)
        return Rendered(body, response if fault is None else faulted_body(fault, response), payload=payload)
    if fault is not None:
        return Rendered(body, faulted_stream(fault, events, headers, pacing, on_sent), events)
    if pacing.is_paced:
        return Rendered(body, PacedEventStream(events, headers, pacing, on_sent=on_sent), events, paced=True)
    return Rendered(body, unpaced_stream(events, headers), events)
