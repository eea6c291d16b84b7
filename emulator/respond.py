"""Pick a responder for a validated request: a matching scenario first, else the built-in model."""
from __future__ import annotations

from typing import Protocol

from .contract.chat_request import ChatRequest
from .contract import errors
from .model import builtin
from .model.memo import BUILTIN_REPLIES
from .reply import Reply


class ScenarioSource(Protocol):
    def respond(self, request: ChatRequest) -> Reply | None:
        """The scripted reply of the first matching scenario, None when none matches (may raise ApiError)."""

    def explain_miss(self, request: ChatRequest) -> str:
        """Why no scenario matched: the nearest scenarios and their failed conditions."""


def respond(request: ChatRequest, scenarios: ScenarioSource, strict: bool = False) -> Reply:
    reply = scenarios.respond(request)
    if reply is not None:
        return reply
    if strict:
        raise errors.no_scenario_matched(scenarios.explain_miss(request))
    return BUILTIN_REPLIES.reply(request, builtin.respond)
