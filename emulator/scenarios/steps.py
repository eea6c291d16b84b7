"""One step of a scenario (`reply`, `error` and/or `fault`), compiled once, run per request."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .. import faults
from ..contract.chat_request import ChatRequest
from ..contract.embedding_request import EmbeddingInput
from ..model import builtin
from ..model.embedding import normalized, seeded_vector, text_vector
from ..reply import Reply
from .errors import build_error, error_event, shortcut_of
from .reply_template import ReplyTemplate, content_filter_reply

def build_fault(spec: str | dict[str, Any], request: ChatRequest) -> faults.Fault:
    """A scenario's `fault` (a name from `faults.SHORTHANDS` or an object) for this request."""
    spec = faults.SHORTHANDS[spec] if isinstance(spec, str) else spec
    if "error_event" in spec:
        spec = {**spec, "error_event": error_event(spec["error_event"], request)}
    return faults.build(spec)


@dataclass
class ScriptedVector:
    """What an `api: embeddings` step gives one input: its vector (None: the built-in one), and the
    answer's `model` and headers when the step sets them."""

    scenario: str
    vector: list[float] | None = None
    model: str | None = None
    headers: dict[str, str] = field(default_factory=dict)


class Step:
    def __init__(self, spec: dict[str, Any], chaos: dict[str, float] | None = None) -> None:
        self.chaos = chaos  # the scenario's chaos rates, for every step
        self.reply_spec: dict[str, Any] = spec.get("reply") or {}
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
        if self.chaos is not None:
            reply.chaos = self.chaos
        return reply

    def embed(self, one: EmbeddingInput, name: str) -> ScriptedVector:
        """This step's answer for one input of an embeddings request; an error step raises its `ApiError`."""
        if self.error is not None:
            error = build_error(self.error, one)
            error.scenario = name
            raise error
        spec, length = self.reply_spec, one.request.dimensions
        vector = None
        if "embedding" in spec:
            vector = normalized(spec["embedding"], length)
        elif isinstance(spec.get("seed"), str):
            vector = text_vector(spec["seed"], one.model.snapshot, one.model.dimensions, length)
        elif "seed" in spec:
            vector = seeded_vector(spec["seed"], length)
        return ScriptedVector(name, vector, spec.get("model"), dict(spec.get("headers", {})))
