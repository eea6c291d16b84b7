"""`POST /v1/responses`: validate → pick a responder → build a reply → render the Response (JSON or SSE).

The same responders as Chat Completions answer (a matching scenario first, else the built-in model):
the request is read as a conversation (`ResponsesRequest.chat`) and the reply rendered as a `response`
object or its typed events (`wire/response_render.py`), through the same endpoint shell and delivery.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Any, Awaitable

from ..contract.errors import ApiError
from ..contract.responses_request import Lookup, ResponsesRequest, validate_responses_request
from ..contract.responses_shape import RESPONSES_REQUEST
from ..delivery import ASGIApp, watch_delivery
from ..faults import ErrorEvent
from ..journal import JOURNAL_ENTRY, JournalEntry
from ..json_text import json_bytes
from ..model.request_options import apply_request_options
from ..model.text import reasoning_summary
from ..pacing import Pacing
from ..pacing import resolve as resolve_pacing
from ..reply import Reply
from ..respond import respond_or_forward
from ..response_store import StoredResponse, owner_digest
from ..state import EmulatorState
from ..wire.response_render import render_response
from .chat import with_chaos
from .journaling import Route, journaled_endpoint
from .shell import Endpoint, Exchange
from .validated import validated_request


def responses_endpoint(route: Route | None = None) -> Endpoint:
    """`POST /v1/responses`, or the same operation under `route`'s URL shape (Azure's)."""
    return journaled_endpoint(serve_response, route)


async def serve_response(ex: Exchange, route: Route | None) -> Any:
    state = ex.state
    entry: JournalEntry = ex.request.scope[JOURNAL_ENTRY]
    raw, req = await validated_responses_request(ex, route, entry)
    # The whole conversation is in the body: the built-in model's memo may keep the reply (a copy of a
    # kept request has the key already: the same bytes, profile and path).
    if not req.context and req.chat.raw_key is None:
        req.chat.raw_key = (raw, ex.profile.name, ex.request.scope["path"])
    proxy = state.proxy if state.proxy is not None and state.proxy.active else None
    # Rate limits: a stream reports them inside the stream (after response.created), others as the 429.
    limited: ApiError | None = None
    try:
        state.limiter.admit(ex.api_key, req.chat.prompt_tokens, req.model.id)
    except ApiError as error:
        limited = _inside_stream(req, error)
    chosen = respond_or_forward(req.chat, state.scenarios, state.settings.strict, upstream=proxy is not None)
    if chosen is None:  # `--upstream`: no scenario answered, the upstream does (and is recorded)
        assert proxy is not None
        return await proxy.answer(ex.request, entry.headers, raw, req.body, entry, responses=req)
    reply = build_reply(req, chosen)
    entry.matched = reply.source
    reply = with_chaos(state, req.chat, reply, entry)
    headers = ex.answer_headers(reply.headers)
    if limited is None:
        try:
            headers.update(state.limiter.consume(ex.api_key, reply.usage.total_tokens, req.model.id))
        except ApiError as error:
            limited = _inside_stream(req, error)
    if limited is not None:
        reply = replace(reply, fault=ErrorEvent(error=limited.envelope()))
    pacing = resolve_pacing(reply.pacing, state.next_pacing, entry.headers, state.settings.pacing, state.rng) \
        if req.stream else state.settings.pacing
    if state.admission is None:
        return _answer(state, req, reply, headers, pacing, entry)
    await state.admission.enter()  # --max-concurrency: wait for a slot, held until the answer is sent
    try:
        return state.admission.holding(_answer(state, req, reply, headers, pacing, entry))
    except BaseException:
        state.admission.leave()
        raise


def validated_responses_request(ex: Exchange, route: Route | None,
                                entry: JournalEntry) -> Awaitable[tuple[bytes, ResponsesRequest]]:
    """The body validated, or for identical bytes a copy of the kept request with its own ids, headers
    and key (endpoints/validated.py); a body continuing a chain reads the store, so it is never kept.
    `validated_request`'s own coroutine: no coroutine of its own around it."""

    def validate(body: dict[str, Any]) -> ResponsesRequest:
        state = ex.state
        proxy = state.proxy if state.proxy is not None and state.proxy.active else None
        previous: Lookup = proxy.chains.lookup(ex.api_key, state.responses) if proxy is not None else \
            (lambda rid: state.responses.get(ex.api_key, rid))  # `--upstream`: the upstream's responses continue too
        return validate_responses_request(body, ex.catalogue(), headers=entry.headers, api_key=ex.api_key,
                                          previous=previous)

    return validated_request(ex, route, validate, lambda kept: kept.again(entry.headers, ex.api_key),
                             shape=RESPONSES_REQUEST, reusable=_reusable)


def _reusable(req: ResponsesRequest, body: dict[str, Any]) -> bool:
    """Whether identical bytes may be answered with a copy: not when the body reads the store."""
    return not req.context and body.get("previous_response_id") is None


def _inside_stream(req: ResponsesRequest, error: ApiError) -> ApiError:
    """A rate limit a stream reports inside itself; any other error is raised."""
    if req.stream and error.status == 429:
        return error
    raise error


def _answer(state: EmulatorState, req: ResponsesRequest, reply: Reply, headers: dict[str, str], pacing: Pacing,
            entry: JournalEntry) -> ASGIApp:
    """Render the reply and record it (the journal entry keeps the response's JSON, `stored`, parsed
    only if read; the store keeps it unless `store: false`): the response to send."""
    rendered, stored, rid = render_response(req, reply, headers, pacing=pacing, on_sent=entry.event_sent)
    entry.status = 200
    entry.set_response_json(stored)
    if req.store:
        state.responses.save(StoredResponse(
            rid, owner_digest(req.chat.api_key), stored, req.items_json(),
            json_bytes(req.context) if req.context else b"[]",
            "queued" if req.background and not req.stream else "done"))
    events = rendered.events
    if events is None and reply.fault is None:
        return rendered.response  # a plain JSON body: it goes out at once
    if events is not None:
        entry.stream, entry.events = True, events
        if not rendered.paced and reply.fault is None:
            entry.all_events_sent()  # one write: the journal needs no timing per event
    # The client checks read how it ended; the live feed is told when it did.
    return watch_delivery(rendered.response, entry, reply.fault, state.journal.delivered)


def build_reply(req: ResponsesRequest, chosen: Reply) -> Reply:
    """The responder's reply (never changed in place: the built-in model's replies are remembered), with
    a reasoning summary when the request asks for one."""
    reply = apply_request_options(req.chat, chosen)
    summary = req.reasoning_summary
    if summary and not reply.reasoning_summary:
        reply = replace(reply, reasoning_summary=reasoning_summary(req.chat, summary))
    return reply


create_response = responses_endpoint()
