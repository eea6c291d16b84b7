"""A reply as the Responses API answers it: the `response` object (JSON), or its typed events (SSE).

Ids and timestamps are drawn here; the object comes from `response_object.py`, the events from
`response_events.py`, and the answer leaves through the same `deliver` as a chat completion (faults,
pacing). A scripted mid-stream error (an `error_event` fault, or a rate limit hit while streaming)
becomes the live failure: the `error` event and `response.failed`, the response stored as failed.
"""
from __future__ import annotations

import secrets
import time
from typing import Any, Callable

from ..contract.responses_request import ResponsesRequest
from ..faults import ErrorEvent, Fault
from ..pacing import Pacing
from ..reply import Reply
from ..json_text import dumps
from .render import Rendered, deliver
from .response_events import Chunking, failed_after, stream_events
from .response_object import final_status, output_items, response_dict, with_billing


def response_id(stem: str) -> str:
    """`resp_` + 50 hex, sharing its first 16 with the response's items (as live ids do)."""
    return f"resp_{stem[:16]}{secrets.token_hex(17)}"


def render_response(req: ResponsesRequest, reply: Reply, headers: dict[str, str], *, pacing: Pacing,
                    on_sent: Callable[[], None] | None = None) -> Rendered:
    """`Rendered.body` is the response as stored and journaled: the final object (also for a background
    response, which the client first sees queued), or the failed one."""
    rid, created = response_id(req.stem), int(time.time())
    status, incomplete = final_status(reply)
    final = response_dict(req, rid, created, status=status, output=output_items(req, reply), reply=reply,
                          incomplete_details=incomplete, completed_at=int(time.time()))
    initial = response_dict(req, rid, created, status="queued" if req.background else "in_progress", output=[])
    if not req.stream:
        payload = initial if req.background else with_billing(final)
        return deliver(final, headers, payload=dumps(payload).encode("utf-8"), fault=reply.fault, pacing=pacing)
    obfuscate = req.include_obfuscation and not req.background  # background streams carry none
    events = stream_events(initial, final, Chunking(reply.tokenizer, pacing.chunk_tokens), obfuscate=obfuscate)
    fault = reply.fault
    if isinstance(fault, ErrorEvent):
        error = fault.error.get("error", fault.error)
        final = _failed(initial, error)
        events = failed_after(events, fault.after, final, error, obfuscate=obfuscate)
        fault = Fault(delay=fault.delay) if fault.delay else None
    return deliver(final, headers, events=events, fault=fault, pacing=pacing, on_sent=on_sent)


def _failed(initial: dict[str, Any], error: dict[str, Any]) -> dict[str, Any]:
    # `response.error.code` is always a string (the spec's ResponseErrorCode): the error's code, else its type.
    code = error.get("code") or error.get("type") or "server_error"
    return {**initial, "status": "failed", "error": {"code": code, "message": error.get("message")}}
