"""The hot paths' dispatch: `POST` to chat completions, Responses and embeddings straight to their endpoints.

Its own module, apart from app.py, so the compiled build (docs/performance.md) compiles it: it runs for
every request, while app.py keeps what Starlette needs as Python functions (its exception handlers).
"""
from __future__ import annotations

import inspect
from typing import Any, Awaitable, Callable

from starlette.applications import Starlette
from starlette.requests import Request

from .endpoints.chat import create_chat_completion
from .endpoints.embeddings import create_embedding
from .endpoints.responses import create_response
from .endpoints.shell import HEADER_MAP, STATE, header_map
from .journal import SETTLED_AFTER_SEND, Journal
from .state import EmulatorState
from .wire.head import HEAD, add_header
from .wire.responses import BytesResponse

ASGIApp = Callable[..., Awaitable[None]]
Send = Callable[[dict[str, Any]], Awaitable[None]]
# What answers an exception no endpoint turned into an answer (app.py's `_unexpected`, the full stack's too).
OnError = Callable[[Request, Exception], Awaitable[Any]]


class ChatFastPath:
    """The hot paths: `POST` to chat completions, Responses and embeddings go straight to their endpoints.

    Routing and the middleware stack cost about as much as the emulator's own work per request,
    so the endpoints that carry the load skip them (none of them is seen by `JournalMiddleware`:
    they journal themselves). Requests with an `Origin` header (browsers, which need CORS) and
    everything else take the full Starlette stack. Responses and embeddings answers keep the
    `Vary: Origin` that stack's CORS middleware adds to an answer without an origin; chat's never had it.
    A JSON answer gets it added to its headers (no `send` wrapper per request); a stream, or an answer
    already varying by something, through `_varied`.
    """

    def __init__(self, app: Starlette, on_error: OnError, rest: ASGIApp | None = None) -> None:
        self.app = app
        self.on_error = on_error
        self.rest: ASGIApp = rest or app  # what serves every other request (the probes in front of `app`, say)
        self.state: EmulatorState = app.state.emulator
        self.journal: Journal = self.state.journal

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        endpoint = FAST_ENDPOINTS.get(scope["path"]) if scope["type"] == "http" else None
        if endpoint is None or scope["method"] != "POST":
            await self.rest(scope, receive, send)
            return
        headers = header_map(scope["headers"])  # decoded here once, for the shell too
        if "origin" in headers:
            await self.rest(scope, receive, send)
            return
        scope["app"], scope[STATE], scope[HEADER_MAP], scope[SETTLED_AFTER_SEND] = self.app, self.state, headers, True
        request = Request(scope, receive)
        response: Any
        try:
            response = await endpoint(request)
        except Exception as exc:  # the same last resort as the full stack's
            response = await self.on_error(request, exc)
        if endpoint is not _CHAT:  # `Vary: Origin`: in a JSON answer's own headers, else on its way out
            if not (type(response) is BytesResponse and response.vary_by_origin()):
                send = _varied(send)
        try:
            await response(scope, receive, send)
        finally:  # the journal's bookkeeping of a one-write answer, once the client has it (see `Journal.add`)
            self.journal.settle()


# The endpoints themselves: in the compiled build, what Starlette's routes hold wraps them (endpoints/named.py).
_CHAT: Callable[[Request], Awaitable[Any]] = inspect.unwrap(create_chat_completion)
FAST_ENDPOINTS: dict[str, Callable[[Request], Awaitable[Any]]] = {
    "/v1/chat/completions": _CHAT, "/v1/responses": inspect.unwrap(create_response),
    "/v1/embeddings": inspect.unwrap(create_embedding)}


def _varied(send: Send) -> Send:
    """`send`, adding `Vary: Origin` to the answer's start as Starlette's CORS middleware does for a
    request without an origin (merged into a `Vary` the answer already has)."""

    async def send_varied(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            headers = message.get("headers", ())
            if b"vary" not in dict(headers):  # Starlette compares raw names as they are (lower case)
                add_header(message, b"vary", b"Origin")
            else:
                headers = list(headers)
                vary = [i for i, (name, _) in enumerate(headers) if name == b"vary"]
                value = b", ".join([*(headers[i][1] for i in vary), b"Origin"])
                headers[vary[0]] = (b"vary", value)
                for i in vary[:0:-1]:  # the later ones, last first
                    del headers[i]
                message["headers"] = headers
                message.pop(HEAD, None)  # its lines no longer say what the headers do
        await send(message)

    return send_varied
