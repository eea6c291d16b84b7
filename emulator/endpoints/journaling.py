"""Endpoints that journal themselves (chat, responses, embeddings): with the matched scenario, near
misses, and stream events, which the generic `JournalMiddleware` cannot see. Also what the three share
around their own work: another URL shape (Azure's) and reading the body they validate."""
from __future__ import annotations

import time
from typing import Any, Awaitable, Callable, Protocol, TypeVar

from ..contract.errors import ApiError
from ..contract.shapes import Object
from ..contract.validate import parse_json_object
from ..journal import JOURNAL_ENTRY, RETRY_HEADERS, SETTLED_AFTER_SEND
from ..profiles import IGNORED_FIELDS_HEADER
from ..respond import NoScenarioMatched
from ..wire.responses import BytesResponse
from .named import named
from .shell import Endpoint, Exchange, endpoint


class Route(Protocol):
    """Another URL shape for an operation (Azure's paths): checks the URL and reads the key in its own
    words before anything else, and may decide the model."""

    def check(self, ex: Exchange) -> None: ...
    def body_for(self, ex: Exchange, body: dict[str, Any]) -> dict[str, Any]: ...


R = TypeVar("R", bound=Route)


def journaled_endpoint(serve: Callable[[Exchange, R | None], Awaitable[Any]], route: R | None) -> Endpoint:
    """The operation `serve` as an endpoint: journaled, under `route`'s URL shape when given (which
    then reads the key itself, after its URL checks)."""

    if route is None:
        def plain(ex: Exchange) -> Awaitable[Any]:
            return serve(ex, None)  # the coroutine itself: no coroutine of its own around it
        return endpoint(named(plain, serve), begin=begin_journal)

    async def handler(ex: Exchange) -> Any:
        route.check(ex)
        return await serve(ex, route)

    return endpoint(named(handler, serve), authenticate=route is None, begin=begin_journal)


def read_request(ex: Exchange, route: Route | None, shape: Object | None, raw: bytes) -> dict[str, Any]:
    """The JSON object to validate, from the body's bytes `raw` (`Exchange.body`): journaled, shaped by
    `route`, and with unknown fields dropped (and named in the ignored-fields header) under lenient
    profiles; `shape` is the operation's request shape (None: the profile's chat request shape)."""
    entry = ex.request.scope[JOURNAL_ENTRY]
    entry.request_bytes = len(raw)
    body = entry.body = parse_json_object(raw)
    if route is not None:
        body = route.body_for(ex, body)
    body, ignored = ex.profile.accept(body, shape)
    if ignored:
        ex.headers[IGNORED_FIELDS_HEADER] = ",".join(ignored)
    return body


def begin_journal(ex: Exchange) -> None:
    """Open the journal entry first (the access log reads it), and close it with the answer."""
    raw = ex.request.scope["headers"]
    headers = ex.request_headers
    if len(headers) != len(raw):  # a repeated header: the journal keeps the last one sent
        headers = {name.decode("latin-1"): value.decode("latin-1") for name, value in raw}
    entry = ex.request.scope[JOURNAL_ENTRY] = ex.state.journal.start(
        "POST", ex.request.scope["path"], headers, ex.request.scope.get("query_string", b"").decode("latin-1"))

    def record(response: Any, error: ApiError | None) -> None:
        # Called once: let go of it, so the exchange and this closure (which hold each other) and the
        # request's objects are freed by reference counting when the request ends, not left to the garbage
        # collector (whose runs, set off by a cycle a request, cost a served request ~20k instructions).
        ex.after = None
        if error is not None:
            # Answered: its traceback (whose first frame holds the error) would keep the frames and this
            # exchange in a cycle for the garbage collector.
            error.__traceback__ = None
            entry.status, entry.response = error.status, ex.profile.error_payload(error)
            entry.matched = error.scenario  # a scripted error names its scenario
            entry.retry_headers = {name: error.headers[name] for name in RETRY_HEADERS if name in error.headers}
            if isinstance(error, NoScenarioMatched):
                entry.near_misses = error.near_misses
        entry.duration_ms = (time.perf_counter() - ex.started) * 1000
        # A one-write answer on the served fast path is journaled once it is sent (`Journal.add`'s `later`);
        # a stream's entry at once, so the live inspector shows it while it goes out.
        later = type(response) is BytesResponse and SETTLED_AFTER_SEND in ex.request.scope
        ex.state.journal.add(entry, len(getattr(response, "body", b"")), later)  # streams: their events give the size

    ex.after = record
