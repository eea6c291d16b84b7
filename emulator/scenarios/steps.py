"""One step of a scenario (`reply`, `error` and/or `fault`), compiled once, run per request."""
from __future__ import annotations

from typing import Any

from .. import faults
from ..contract.chat_request import ChatRequest
from ..model import builtin
from ..reply import Reply
from .errors import build_error, error_event, shortcut_of
from .replies import ReplyTemplate, content_filter_reply

# `fault: <name>` shorthands and what they mean in the object form.
FAULT_NAMES: dict[str, dict[str, Any]] = {
    "stall": {"stall": True},
    "connection_reset": {"connection_reset": True},
    "malformed_chunk": {"malformed_chunk": True},
    "keepalive": {"keepalive": 3},
    "error_event": {"error_event": "server_error"},
}


def build_fault(spec: str | dict[str, Any], request: ChatRequest) -> faults.Fault:
    if isinstance(spec, str):
        spec = FAULT_NAMES[spec]
    delay = spec.get("delay_ms", 0) / 1000
    if spec.get("stall"):
        return faults.Stall(delay, spec.get("stall_max_seconds", 300.0))
    if "cut_after" in spec:
        return faults.CutAfter(delay, spec["cut_after"])
    if "error_event" in spec:
        return faults.ErrorEvent(delay, error_event(spec["error_event"], request), spec.get("after", 2))
    if spec.get("malformed_chunk"):
        return faults.MalformedChunk(delay, spec.get("after", 2))
    if spec.get("connection_reset"):
        return faults.ConnectionReset(delay, spec.get("after", 0))
    if "keepalive" in spec:
        return faults.Keepalive(delay, spec["keepalive"], spec.get("keepalive_interval_ms", 20) / 1000)
    return faults.Delay(delay)


class Step:
    def __init__(self, spec: dict[str, Any]) -> None:
        self.reply = ReplyTemplate(spec["reply"]) if "reply" in spec else None
        self.error = spec.get("error")
        self.fault = spec.get("fault")
        self.content_filter = self.error is not None and shortcut_of(self.error) == "content_filter"

    def run(self, request: ChatRequest, name: str) -> Reply:
        """The reply of this step; an error step raises its `ApiError`."""
        if self.content_filter:
            return content_filter_reply(request, name)
        if self.error is not None:
            error = build_error(self.error, request)
            error.scenario = name  # the journal records who answered
            raise error
        if self.reply is not None:
            reply = self.reply.build(request, name)
        else:  # a fault alone: the built-in answer, delivered badly
            reply = builtin.respond(request)
            reply.source = name
        if self.fault is not None:
            reply.fault = build_fault(self.fault, request)
        return reply
