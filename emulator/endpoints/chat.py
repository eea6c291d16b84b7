"""`POST /v1/chat/completions`: validate → pick a responder → build a reply → render JSON or SSE."""
from __future__ import annotations

import time
from typing import Any, Protocol

from starlette.responses import Response

from ..contract.errors import ApiError
from ..contract.validate import parse_json_object, validate_chat_request
from ..ids import completion_id
from ..journal import JOURNAL_ENTRY, JournalEntry
from ..model.finish import finish_reply
from ..profiles import IGNORED_FIELDS_HEADER
from ..reply import Pacing, Reply
from ..respond import respond
from ..state import EmulatorState
from ..store import make_record
from ..wire.json_body import completion_dict, dumps
from ..wire.stamped import json_body, sse_events
from ..wire.responses import BytesResponse
from ..wire.stream_response import PacedEventStream, unpaced_stream
from .shell import Endpoint, Exchange, endpoint

# Per-request pacing headers (documented in the README).
TTFT_HEADER = "x-emulator-ttft-ms"
TPS_HEADER = "x-emulator-tokens-per-second"
CHUNK_HEADER = "x-emulator-chunk-tokens"


class ChatRoute(Protocol):
    """Another URL shape for the same operation (Azure's paths): checks the URL and reads the key in its
    own words before anything else, may decide the model, and shapes the answer."""

    def check(self, ex: Exchange) -> None: ...
    def body_for(self, ex: Exchange, body: dict[str, Any]) -> dict[str, Any]: ...
    def decorate_body(self, body: dict[str, Any]) -> dict[str, Any]: ...
    def decorate_events(self, events: list[bytes]) -> list[bytes]: ...


def _begin(ex: Exchange) -> None:
    """Open the journal entry first (the access log reads it), and close it with the answer."""
    # ASGI header names are already lower-case; one pass here (Starlette's Headers looks each key up again).
    headers = {name.decode("latin-1"): value.decode("latin-1") for name, value in ex.request.scope["headers"]}
    entry = ex.request.scope[JOURNAL_ENTRY] = ex.state.journal.start("POST", ex.request.scope["path"], headers)

    def record(response: Any, error: ApiError | None) -> None:
        if error is not None:
            entry.status, entry.response = error.status, ex.profile.error_payload(error)
            entry.matched = getattr(error, "scenario", None)  # a scripted error names its scenario
        entry.duration_ms = (time.perf_counter() - ex.started) * 1000
        ex.state.journal.add(entry, len(getattr(response, "body", b"")))  # streams: their events give the size

    ex.after = record


def chat_endpoint(route: ChatRoute | None = None) -> Endpoint:
    """`POST /v1/chat/completions`, or the same operation under `route`'s URL shape."""

    async def create_chat_completion(ex: Exchange) -> Any:
        if route is not None:
            route.check(ex)
        return await serve_chat(ex, route)

    return endpoint(create_chat_completion, authenticate=route is None, begin=_begin)


async def serve_chat(ex: Exchange, route: ChatRoute | None) -> Any:
    state, request = ex.state, ex.request
    entry: JournalEntry = request.scope[JOURNAL_ENTRY]
    raw = await ex.body()
    entry.request_bytes = len(raw)
    body = entry.body = parse_json_object(raw)
    if route is not None:
        body = route.body_for(ex, body)
    body, ignored = ex.profile.accept(body)
    ex.headers.update(_ignored_header(ignored))
    chat = validate_chat_request(body, ex.catalogue(), headers=entry.headers, api_key=ex.api_key,
                                 extra_checks=(*ex.profile.checks, *state.request_checks),
                                 shape=ex.profile.request_shape)
    chat.raw_key = (raw, ex.profile.name, request.scope["path"])
    reply = finish_reply(chat, respond(chat, state.scenarios, state.settings.strict))
    entry.matched = reply.source
    limits = state.limiter.consume(ex.api_key, reply.usage.total_tokens, chat.model.id)
    return _render(state, chat, reply, {**ex.answer_headers(), **limits, **reply.headers}, entry, route)


create_chat_completion = chat_endpoint()


def _ignored_header(ignored: list[str]) -> dict[str, str]:
    return {IGNORED_FIELDS_HEADER: ",".join(ignored)} if ignored else {}


def _render(state: EmulatorState, chat, reply: Reply, headers: dict[str, str], entry: JournalEntry,
            route: ChatRoute | None = None) -> Response:
    cid, created = completion_id(), int(time.time())
    body = completion_dict(reply, cid, created)
    if route is not None:
        body = route.decorate_body(body)
    entry.status, entry.response = 200, body
    if chat.body.get("store"):  # streamed ones too: `body` is the assembled response
        state.store.save(make_record(chat.api_key, body, chat.body, headers["x-request-id"]))
    if not chat.stream:
        payload = json_body(reply, cid, created) if route is None else dumps(body).encode("utf-8")
        response = BytesResponse(payload, 200, headers)
        return response if reply.fault is None else reply.fault.wrap(response)
    pacing = _pacing(state, chat.headers, reply)
    events = sse_events(reply, cid, created, include_usage=chat.include_usage,
                        include_obfuscation=chat.include_obfuscation, chunk_tokens=pacing.chunk_tokens)
    if route is not None:
        events = route.decorate_events(events)
    entry.stream, entry.events = True, events
    if reply.fault is not None:
        return reply.fault.response(events, headers, pacing)
    if pacing.is_paced:
        return PacedEventStream(events, headers, pacing, on_sent=entry.event_sent)  # type: ignore[return-value]
    entry.all_events_sent()
    return unpaced_stream(events, headers)


def _pacing(state: EmulatorState, headers: dict[str, str], reply: Reply) -> Pacing:
    """The reply's own pacing (a scenario's), else one set for the next streams, else the request's
    headers, else the server default."""
    if reply.pacing is not None:
        return reply.pacing
    override = state.next_pacing.take()
    if override is not None:
        return override
    default = state.settings.pacing
    if TTFT_HEADER not in headers and TPS_HEADER not in headers and CHUNK_HEADER not in headers:
        return default
    try:
        return Pacing(
            time_to_first_token=float(headers.get(TTFT_HEADER, default.time_to_first_token * 1000)) / 1000,
            tokens_per_second=float(headers.get(TPS_HEADER, default.tokens_per_second)),
            chunk_tokens=max(int(headers.get(CHUNK_HEADER, default.chunk_tokens)), 1),
        )
    except ValueError:
        raise ApiError(400, f"Invalid pacing header: {TTFT_HEADER} and {TPS_HEADER} take numbers, "
                            f"{CHUNK_HEADER} an integer.", param=None, code="invalid_pacing_header") from None
