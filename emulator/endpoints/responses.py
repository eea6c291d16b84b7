"""`POST /v1/responses`: validate → pick a responder → build a reply → render the Response (JSON or SSE).

The same responders as Chat Completions answer (a matching scenario first, else the built-in model):
the request is read as a conversation (`ResponsesRequest.chat`) and the reply rendered as a `response`
object (`wire/response_object.py`) or its typed events (`wire/response_events.py`).
"""
from __future__ import annotations

import secrets
import time
from typing import Any, Protocol

from starlette.requests import Request
from starlette.responses import Response

from .. import http, profiles
from ..contract.errors import ApiError
from ..contract.responses_request import ResponsesRequest, validate_responses_request
from ..contract.responses_shape import RESPONSES_REQUEST
from ..contract.validate import parse_json_object
from ..faults import ErrorEvent, Fault
from ..ids import request_id
from ..journal import JOURNAL_ENTRY, JournalEntry
from ..model.finish import finish_reply
from ..model.text import reasoning_summary
from ..profiles import IGNORED_FIELDS_HEADER, PROFILES, Profile
from ..profiles.ignore import strip_unknown
from ..reply import Reply
from ..respond import respond
from ..response_store import StoredResponse
from ..state import EmulatorState
from ..store import key_digest
from ..wire.json_body import dumps
from ..wire.response_events import failed_after, stream_events
from ..wire.response_object import final_status, output_items, response_dict, with_billing
from ..wire.stream_response import PacedEventStream, unpaced_stream
from .chat import _pacing


def response_id(stem: str) -> str:
    """`resp_` + 50 hex, sharing its first 16 with the response's items (as live ids do)."""
    return f"resp_{stem[:16]}{secrets.token_hex(17)}"


class ResponsesRoute(Protocol):
    """Another URL shape for the same operation (Azure's): checks the URL and its auth first, may decide
    the model."""

    def check(self, request: Request, state: EmulatorState, profile: Profile) -> None: ...
    def body_for(self, request: Request, state: EmulatorState, body: dict[str, Any]) -> dict[str, Any]: ...


async def create_response(request: Request, route: ResponsesRoute | None = None) -> Response:
    state: EmulatorState = request.app.state.emulator
    started, rid = time.perf_counter(), request_id()
    headers = {name.decode("latin-1"): value.decode("latin-1") for name, value in request.scope["headers"]}
    entry = request.scope[JOURNAL_ENTRY] = state.journal.start("POST", request.scope["path"], headers)
    profile, ignored = PROFILES[state.settings.profile], list[str]()
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
        if profile.ignore_unknown and not RESPONSES_REQUEST.is_valid(body):
            body = strip_unknown(body, RESPONSES_REQUEST, "", ignored)
        store = state.services["responses"]
        req = validate_responses_request(body, profiles.catalogue_for(state, profile), headers=headers,
                                         api_key=api_key, previous=lambda rid_: store.get(api_key, rid_))
        reply = build_reply(state, req)
        entry.matched = reply.source
        base = {**http.base_headers(rid, started), **reply.headers, **_ignored_header(ignored)}
        try:
            base.update(state.limiter.consume(api_key, reply.usage.total_tokens, req.model.id))
        except ApiError as error:
            if not (req.stream and error.status == 429):
                raise
            reply.fault = ErrorEvent(error=error.envelope())  # streams report rate limits in the stream
        response = render(state, req, reply, base, entry)
    except ApiError as error:
        entry.status, entry.response = error.status, profile.error_payload(error)
        entry.matched = getattr(error, "scenario", None)
        response = profile.error_response(error, {**http.base_headers(rid, started), **_ignored_header(ignored)})
    entry.duration_ms = (time.perf_counter() - started) * 1000
    state.journal.add(entry, len(getattr(response, "body", b"")))
    return response


def _ignored_header(ignored: list[str]) -> dict[str, str]:
    return {IGNORED_FIELDS_HEADER: ",".join(ignored)} if ignored else {}


def build_reply(state: EmulatorState, req: ResponsesRequest) -> Reply:
    reply = finish_reply(req.chat, respond(req.chat, state.scenarios, state.settings.strict))
    summary = req.reasoning_summary
    if summary and not reply.reasoning_summary:
        reply.reasoning_summary = reasoning_summary(req.chat, summary)
    return reply


def render(state: EmulatorState, req: ResponsesRequest, reply: Reply, headers: dict[str, str],
           entry: JournalEntry) -> Response:
    rid, created = response_id(req.stem), int(time.time())
    status, incomplete = final_status(reply)
    output = output_items(req, reply)
    final = response_dict(req, rid, created, status=status, output=output, reply=reply, incomplete_details=incomplete,
                          completed_at=int(time.time()))
    initial = response_dict(req, rid, created, status="queued" if req.background else "in_progress", output=[])
    fault = reply.fault
    failure = fault if req.stream and isinstance(fault, ErrorEvent) else None
    stored = final
    if failure is not None:  # a mid-stream failure: the response ends `failed`, with no output
        error = failure.error.get("error", failure.error)
        output, fault = [], Fault(delay=failure.delay)
        # `response.error.code` is always a string (the spec's ResponseErrorCode): the error's code, else its type.
        code = error.get("code") or error.get("type") or "server_error"
        stored = {**initial, "status": "failed", "error": {"code": code, "message": error.get("message")}}
    if req.store:
        state.services["responses"].save(StoredResponse(
            rid, key_digest(req.chat.api_key), stored, req.items, req.context + req.items + output,
            stage="queued" if req.background and not req.stream else "done"))
    entry.status, entry.response = 200, stored
    if not req.stream:
        payload = initial if req.background else with_billing(final)
        response = http.BytesResponse(dumps(payload).encode("utf-8"), 200, headers)
        return response if fault is None else fault.wrap(response)
    obfuscate = req.include_obfuscation and not req.background  # background streams carry none
    pacing = _pacing(state, req.chat.headers, reply)
    events = stream_events(initial, final, chunk_tokens=pacing.chunk_tokens, obfuscate=obfuscate)
    if failure is not None:
        events = failed_after(events, failure.after, stored, error, obfuscate=obfuscate)
    entry.stream, entry.events = True, events
    if fault is not None:
        return fault.response(events, headers, pacing)
    if pacing.is_paced:
        return PacedEventStream(events, headers, pacing, on_sent=entry.event_sent)  # type: ignore[return-value]
    entry.all_events_sent()
    return unpaced_stream(events, headers)
