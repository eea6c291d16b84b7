"""A reply as the Responses API answers it: the `response` object (JSON), or its typed events (SSE).

Ids and timestamps are drawn here and stamped into the reply's template (`response_template.py`, made
from `response_object.py`'s object and `response_events.py`'s events); the answer leaves through the
same `deliver` as a chat completion (faults, pacing). A scripted mid-stream error (an `error_event`
fault, or a rate limit hit while streaming) becomes the live failure: the `error` event and
`response.failed`, the response stored as failed.
"""
from __future__ import annotations

import time
from typing import Any, Callable

from ..contract.responses_request import ResponsesRequest
from ..faults import ErrorEvent, Fault
from ..json_text import json_bytes
from ..pacing import Pacing
from ..reply import Reply
from .render import Rendered, deliver
from .response_events import failed_after
from .response_template import template_for
from .responses import BytesResponse


def render_response(req: ResponsesRequest, reply: Reply, headers: dict[str, str], *, pacing: Pacing,
                    on_sent: Callable[[], None] | None = None) -> tuple[Rendered, bytes, str]:
    """The answer, the response as stored and journaled (JSON, as a retrieval sends it: the final
    object, also for a background response, which the client first sees queued; or the failed one), and
    its id. No object is built for an answer that does not fail: `Rendered.body` is not to be read."""
    template = template_for(req, reply, pacing.chunk_tokens)
    if template.plain and reply.fault is None:  # the usual answer: the holes' values listed, nothing more
        rid, payload, stored = template.plain_answer(req.hexes)
        return Rendered(None, BytesResponse(payload, 200, headers), payload=payload), stored, rid  # as `deliver` does
    now = int(time.time())  # created and completed in the same second: the built-in answer is immediate
    own = template.stamp(req.stem, now, now)
    if template.events is None:
        assert template.body is not None
        if template.body_like_stored:  # the usual body: one list of values fills both
            holes = list(map(own.values.__getitem__, template.stored.names))
            payload, stored = template.body.fill_in(holes), template.stored.fill_in(holes)
        else:
            payload, stored = template.body.fill(own.values), template.stored.fill(own.values)
        return deliver(None, headers, payload=payload, fault=reply.fault, pacing=pacing), stored, own.rid
    events = template.events.fill(own.values)
    fault = reply.fault
    if isinstance(fault, ErrorEvent):
        error = fault.error.get("error", fault.error)
        failed = _failed(own.initial, error)
        events = failed_after(events, fault.after, failed, error,
                              obfuscate=req.include_obfuscation and not req.background)
        delayed = Fault(delay=fault.delay) if fault.delay else None
        return (deliver(failed, headers, events=events, fault=delayed, pacing=pacing, on_sent=on_sent),
                json_bytes(failed), own.rid)
    return (deliver(None, headers, events=events, fault=fault, pacing=pacing, on_sent=on_sent),
            template.stored.fill(own.values), own.rid)


def _failed(initial: dict[str, Any], error: dict[str, Any]) -> dict[str, Any]:
    # `response.error.code` is always a string (the spec's ResponseErrorCode): the error's code, else its type.
    code = error.get("code") or error.get("type") or "server_error"
    return {**initial, "status": "failed", "error": {"code": code, "message": error.get("message")}}
