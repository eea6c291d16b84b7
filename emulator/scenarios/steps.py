"""One step of a scenario (`reply`, `error` and/or `fault`), compiled once, run per request."""
from __future__ import annotations

from typing import Any

from .. import faults
from ..contract.chat_request import ChatRequest
from ..model import builtin
from ..reply import Reply
from .errors import build_error, error_event, shortcut_of
from .reply_template import ReplyTemplate, content_filter_reply

def build_fault(spec: str | dict[str, Any], request: ChatRequest) -> faults.Fault:
    """A scenario's `fault` (a name from `faults.SHORTHANDS` or an object) for this request."""
    spec = faults.SHORTHANDS[spec] if isinstance(spec, str) else spec
    if "error_event" in spec:
        spec = {**spec, "error_event": error_event(spec["error_event"], request)}
    return faults.build(spec)


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
