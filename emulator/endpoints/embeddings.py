"""`POST /v1/embeddings`: validate → a vector per input (a matching scenario's, else the built-in
model's) → render JSON → journal."""
from __future__ import annotations

from typing import Any, Protocol

from ..contract.embedding_request import EMBEDDING_REQUEST, validate_embedding_request
from ..contract.validate import parse_json_object
from ..journal import JOURNAL_ENTRY, JournalEntry
from ..profiles import IGNORED_FIELDS_HEADER
from ..respond import respond_embeddings
from ..wire.embedding_body import embedding_list_dict
from .journaling import begin_journal
from .shell import Endpoint, Exchange, endpoint


class EmbeddingsRoute(Protocol):
    """Another URL shape for the operation (Azure's deployments): checks the URL and reads the key in
    its own words first, and may decide the model."""

    def check(self, ex: Exchange) -> None: ...
    def body_for(self, ex: Exchange, body: dict[str, Any]) -> dict[str, Any]: ...


def embeddings_endpoint(route: EmbeddingsRoute | None = None) -> Endpoint:
    """`POST /v1/embeddings`, or the same operation under `route`'s URL shape."""

    async def create_embedding(ex: Exchange) -> dict[str, Any]:
        if route is not None:
            route.check(ex)
        return await serve_embeddings(ex, route)

    return endpoint(create_embedding, authenticate=route is None, begin=begin_journal)


async def serve_embeddings(ex: Exchange, route: EmbeddingsRoute | None) -> dict[str, Any]:
    entry: JournalEntry = ex.request.scope[JOURNAL_ENTRY]
    raw = await ex.body()
    entry.request_bytes = len(raw)
    body = entry.body = parse_json_object(raw)
    if route is not None:
        body = route.body_for(ex, body)
    body, ignored = ex.profile.accept(body, EMBEDDING_REQUEST)
    if ignored:
        ex.headers[IGNORED_FIELDS_HEADER] = ",".join(ignored)
    request = validate_embedding_request(body, ex.catalogue(), headers=entry.headers, api_key=ex.api_key)
    reply = respond_embeddings(request, ex.state.scenarios, ex.state.settings.strict)
    entry.matched = reply.source
    limits = ex.state.limiter.consume(ex.api_key, reply.prompt_tokens, request.model.id)
    ex.headers.update({"openai-model": reply.model, **limits, **reply.headers})
    entry.status, entry.response = 200, embedding_list_dict(reply, request.encoding_format)
    return entry.response


create_embedding = embeddings_endpoint()
