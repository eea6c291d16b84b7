"""Pick a responder for a validated request: a matching scenario first, else the upstream (`--upstream`),
else the built-in model."""
from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from .contract.chat_request import ChatRequest
from .contract.embedding_request import EmbeddingInput, EmbeddingRequest
from .contract.errors import ApiError
from .embedding_reply import EmbeddingReply
from .model import builtin
from .model.embedding import text_vector32
from .model.memo import BUILTIN_REPLIES
from .reply import Reply
from .scenarios.near_miss import NO_MATCH, NearMiss, explain

if TYPE_CHECKING:
    from .scenarios.steps import ScriptedVector

NO_SCENARIO_MATCHED = "no_scenario_matched"


class ScenarioSource(Protocol):
    def respond(self, request: ChatRequest) -> Reply | None:
        """The scripted reply of the first matching scenario, None when none matches (may raise ApiError)."""

    def near_misses(self, request: ChatRequest | EmbeddingInput) -> list[NearMiss]:
        """Why no scenario matched: the nearest scenarios and their failed conditions, closest first."""

    def respond_embeddings(self, request: EmbeddingRequest) -> list[ScriptedVector | None]:
        """Per input, what the first matching embeddings scenario gives it; None where none matched."""


class NoScenarioMatched(ApiError):
    """Strict mode's 404, carrying its near misses as data (the journal keeps them for the admin API
    and the pytest plugin; the message is formatted from them)."""

    def __init__(self, near_misses: list[NearMiss] | None) -> None:
        why = ": no scenarios are loaded." if near_misses is None else ". " + explain(near_misses)
        super().__init__(404, NO_MATCH + why, code=NO_SCENARIO_MATCHED)
        self.near_misses = near_misses or []


def respond(request: ChatRequest, scenarios: ScenarioSource, strict: bool = False) -> Reply:
    reply = scenarios.respond(request)
    if reply is not None:
        return reply
    if strict:
        raise NoScenarioMatched(scenarios.near_misses(request))
    return BUILTIN_REPLIES.reply(request, builtin.respond)


def respond_or_forward(request: ChatRequest, scenarios: ScenarioSource, strict: bool, upstream: bool) -> Reply | None:
    """As `respond`; with an upstream, None when no scenario answers: the upstream is to answer."""
    if not upstream:
        return respond(request, scenarios, strict)
    return scenarios.respond(request)


def respond_embeddings(request: EmbeddingRequest, scenarios: ScenarioSource, strict: bool = False) -> EmbeddingReply:
    """Each input's vector: a matching `api: embeddings` scenario's, else the built-in model's (strict
    mode: the 404 for the first input no scenario answered)."""
    return _embedding_reply(request, scenarios.respond_embeddings(request), scenarios, strict)


def embeddings_or_forward(request: EmbeddingRequest, scenarios: ScenarioSource, strict: bool,
                          upstream: bool) -> EmbeddingReply | None:
    """As `respond_embeddings`; with an upstream, None when an input has no scenario: the upstream is
    to answer the whole request."""
    scripted = scenarios.respond_embeddings(request)
    if upstream and None in scripted:
        return None
    return _embedding_reply(request, scripted, scenarios, strict)


def _embedding_reply(request: EmbeddingRequest, scripted: list[ScriptedVector | None], scenarios: ScenarioSource,
                     strict: bool) -> EmbeddingReply:
    model = request.model
    sources = []
    reply = EmbeddingReply([], model.snapshot, request.prompt_tokens)
    vectors = reply.vectors
    for index, answer in enumerate(scripted):
        if answer is None and strict:
            raise NoScenarioMatched(scenarios.near_misses(EmbeddingInput(request, index)))
        if answer is not None:
            sources.append(answer.scenario)
            reply.model = answer.model or reply.model
            reply.headers.update(answer.headers)
        if answer is None or answer.vector is None:
            vectors.append(text_vector32(request.text(index), model.snapshot, model.dimensions, request.dimensions))
        else:
            vectors.append(answer.vector)
    reply.source = sources[0] if sources else "builtin"
    return reply
