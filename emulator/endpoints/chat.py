"""`POST /v1/chat/completions`: validate → pick a responder → build a reply → render JSON or SSE."""
from __future__ import annotations

import time
from typing import Any, Protocol

from starlette.requests import Request
from starlette.responses import Response

from .. import http, profiles
from ..contract.errors import ApiError
from ..contract.validate import parse_json_object, validate_chat_request
from ..ids import completion_id, request_id
from ..journal import JOURNAL_ENTRY, JournalEntry
from ..model.finish import finish_reply
from ..profiles import IGNORED_FIELDS_HEADER, PROFILES, Profile
from ..record.proxy import Forwarded
from ..reply import Pacing, Reply
from ..respond import respond
from ..state import EmulatorState
from ..store import make_record
from ..wire.json_body import completion_dict, dumps
from ..wire.stamped import json_body, sse_events
from ..wire.stream_response import PacedEventStream, unpaced_stream

# Per-request pacing headers (documented in the README).
TTFT_HEADER = "x-emulator-ttft-ms"
TPS_HEADER = "x-emulator-tokens-per-second"
CHUNK_HEADER = "x-emulator-chunk-tokens"


async def create_chat_completion(request: Request) -> Response:
    return await serve_chat(request)


class ChatRoute(Protocol):
    """Another URL shape for the same operation (Azure's paths): checks the URL (and its own auth) before
    anything else, may decide the model, and shapes the answer."""

    def check(self, request: Request, state: EmulatorState, profile: Profile) -> None: ...
    def body_for(self, request: Request, state: EmulatorState, body: dict[str, Any]) -> dict[str, Any]: ...
    def decorate_body(self, body: dict[str, Any]) -> dict[str, Any]: ...
    def decorate_events(self, events: list[bytes]) -> list[bytes]: ...


async def serve_chat(request: Request, route: ChatRoute | None = None) -> Response:
    state: EmulatorState = request.app.state.emulator
    started = time.perf_counter()
    rid = request_id()
    # ASGI header names are already lower-case; one pass here (Starlette's Headers looks each key up again).
    headers = {name.decode("latin-1"): value.decode("latin-1") for name, value in request.scope["headers"]}
    path = request.scope["path"]
    entry = request.scope[JOURNAL_ENTRY] = state.journal.start("POST", path, headers)  # for the access log
    profile, ignored = PROFILES[state.settings.profile], []
    try:
        profile = profiles.for_request(headers, state.settings.profile)
        if route is not None:
            route.check(request, state, profile)
        api_key = profile.read_api_key(request, state.settings.api_keys)
        http.check_json_content_type(request)
        raw = await http.read_body(request, state.settings.max_body_bytes)
        entry.request_bytes = len(raw)
        body = entry.body = parse_json_object(raw)
        if route is not None:
            body = route.body_for(request, state, body)
        body, ignored = profile.accept(body)
        chat = validate_chat_request(body, profiles.catalogue_for(state, profile), headers=headers, api_key=api_key,
                                     extra_checks=(*profile.checks, *state.request_checks),
                                     shape=profile.request_shape)
        chat.raw_key = (raw, profile.name, path)
        proxy = state.services.get("proxy")
        scripted = state.scenarios.respond(chat) if proxy is not None and state.scenarios is not None else None
        if proxy is not None and scripted is None:  # `--upstream`: what no scenario answers goes upstream
            entry.matched, entry.stream = "upstream", chat.stream

            def answered(status: int, body: Any) -> None:
                entry.status, entry.response = status, body

            forwarded = await proxy.forward(Forwarded("POST", path, request.scope["query_string"].decode(),
                                                      headers, raw, chat.body), answered)
            entry.status = forwarded.status_code
            entry.duration_ms = (time.perf_counter() - started) * 1000
            state.journal.add(entry, len(getattr(forwarded, "body", b"")))
            return forwarded
        reply = finish_reply(chat, scripted or respond(chat, state.scenarios, state.settings.strict))
        entry.matched = reply.source
        limits = state.limiter.consume(api_key, reply.usage.total_tokens, chat.model.id)
        response = _render(state, chat, reply, {**http.base_headers(rid, started), **limits, **reply.headers,
                                                **_ignored_header(ignored)}, entry, route)
    except ApiError as error:
        entry.status, entry.response = error.status, profile.error_payload(error)
        entry.matched = getattr(error, "scenario", None)  # a scripted error names its scenario
        response = profile.error_response(error, {**http.base_headers(rid, started), **_ignored_header(ignored)})
    entry.duration_ms = (time.perf_counter() - started) * 1000
    state.journal.add(entry, len(getattr(response, "body", b"")))  # streams: their events give the size
    return response


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
        state.services["store"].save(make_record(chat.api_key, body, chat.body, headers["x-request-id"]))
    if not chat.stream:
        payload = json_body(reply, cid, created) if route is None else dumps(body).encode("utf-8")
        response = http.BytesResponse(payload, 200, headers)
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
