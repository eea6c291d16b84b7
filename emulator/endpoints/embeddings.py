"""`POST /v1/embeddings`: validate → a vector per input (a matching scenario's, else the built-in
model's) → render JSON → journal."""
from __future__ import annotations

from typing import Any

from ..contract.embedding_request import EMBEDDING_REQUEST, validate_embedding_request
from ..journal import JOURNAL_ENTRY, JournalEntry
from ..respond import embeddings_or_forward
from ..wire.embedding_body import embedding_list
from ..wire.responses import BytesResponse
from .journaling import Route, journaled_endpoint
from .shell import Endpoint, Exchange
from .validated import validated_request


def embeddings_endpoint(route: Route | None = None) -> Endpoint:
    """`POST /v1/embeddings`, or the same operation under `route`'s URL shape (Azure's deployments)."""
    return journaled_endpoint(serve_embeddings, route)


async def serve_embeddings(ex: Exchange, route: Route | None) -> Any:
    entry: JournalEntry = ex.request.scope[JOURNAL_ENTRY]
    raw, request = await validated_request(  # identical bytes: the kept request (endpoints/validated.py)
        ex, route, lambda body: validate_embedding_request(body, ex.catalogue(), headers=entry.headers,
                                                           api_key=ex.api_key),
        lambda kept: kept.again(entry.headers, ex.api_key), shape=EMBEDDING_REQUEST)
    proxy = ex.state.proxy if ex.state.proxy is not None and ex.state.proxy.active else None
    reply = embeddings_or_forward(request, ex.state.scenarios, ex.state.settings.strict, upstream=proxy is not None)
    if reply is None:  # `--upstream`: an input no scenario answers; the upstream answers (and is recorded)
        assert proxy is not None
        return await proxy.answer(ex.request, entry.headers, raw, request.body, entry, embeddings=request)
    entry.matched = reply.source
    limits = ex.state.limiter.consume(ex.api_key, reply.prompt_tokens, request.model.id)
    ex.headers.update({"openai-model": reply.model, **limits, **reply.headers})
    payload, entry.response = embedding_list(reply, request.encoding_format)
    entry.status = 200
    return BytesResponse(payload, 200, ex.answer_headers())


create_embedding = embeddings_endpoint()
