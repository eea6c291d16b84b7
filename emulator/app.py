"""The Starlette application: routes, CORS and the one place errors become the OpenAI envelope."""
from __future__ import annotations

import inspect
import logging
from typing import Awaitable, Callable

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from .admin.guard import AdminGuard, is_admin_path
from .admin.routes import admin_routes
from .contract import errors
from .endpoints import azure
from .endpoints.chat import create_chat_completion
from .endpoints.embeddings import create_embedding
from .endpoints.models import list_models, retrieve_model
from .endpoints.responses import create_response
from .endpoints.shell import HEADER_MAP, error_answer, header_map
from .endpoints.stored_responses import cancel_response, delete_response, list_input_items, retrieve_response
from .endpoints.stored import (delete_stored_completion, list_stored_completions, list_stored_messages,
                               retrieve_stored_completion, update_stored_completion)
from .ids import request_id
from .wire.head import HEAD, add_header
from .wire.responses import BytesResponse
from .journal import SETTLED_AFTER_SEND, JournalMiddleware
from .config import Settings
from .state import EmulatorState

log = logging.getLogger("emulator")
ASGIApp = Callable[..., Awaitable[None]]

# Headers a browser app may read from a cross-origin response.
EXPOSED_HEADERS = [
    "x-request-id", "openai-processing-ms", "openai-version", "openai-organization",
    "x-ratelimit-limit-requests", "x-ratelimit-limit-tokens", "x-ratelimit-remaining-requests",
    "x-ratelimit-remaining-tokens", "x-ratelimit-reset-requests", "x-ratelimit-reset-tokens",
    "retry-after", "retry-after-ms", "x-should-retry", "x-emulator-ignored-fields", "openai-model",
]

def core_routes() -> list[BaseRoute]:
    return [
        Route("/v1/chat/completions", create_chat_completion, methods=["POST"]),
        Route("/v1/chat/completions", list_stored_completions, methods=["GET"]),
        Route("/v1/chat/completions/{completion_id}", retrieve_stored_completion, methods=["GET"]),
        Route("/v1/chat/completions/{completion_id}", update_stored_completion, methods=["POST"]),
        Route("/v1/chat/completions/{completion_id}", delete_stored_completion, methods=["DELETE"]),
        Route("/v1/chat/completions/{completion_id}/messages", list_stored_messages, methods=["GET"]),
        Route("/v1/responses", create_response, methods=["POST"]),
        Route("/v1/responses/{response_id}", retrieve_response, methods=["GET"]),
        Route("/v1/responses/{response_id}", delete_response, methods=["DELETE"]),
        Route("/v1/responses/{response_id}/cancel", cancel_response, methods=["POST"]),
        Route("/v1/responses/{response_id}/input_items", list_input_items, methods=["GET"]),
        Route("/v1/embeddings", create_embedding, methods=["POST"]),
        Route("/v1/models", list_models, methods=["GET"]),
        Route("/v1/models/{model:path}", retrieve_model, methods=["GET"]),
        *admin_routes(),
        # Azure OpenAI's URL shape, served under the azure profile (docs/profiles.md).
        Route("/openai/deployments/{deployment}/chat/completions", azure.create_deployment_chat_completion,
              methods=["POST"]),
        Route("/openai/v1/chat/completions", azure.create_v1_chat_completion, methods=["POST"]),
        Route("/openai/deployments/{deployment}/embeddings", azure.create_deployment_embedding, methods=["POST"]),
        Route("/openai/v1/embeddings", azure.create_v1_embedding, methods=["POST"]),
        Route("/openai/v1/responses", azure.create_v1_azure_response, methods=["POST"]),
        Route("/openai/v1/responses/{response_id}", azure.retrieve_v1_azure_response, methods=["GET"]),
        Route("/openai/v1/responses/{response_id}", azure.delete_v1_azure_response, methods=["DELETE"]),
        Route("/openai/v1/responses/{response_id}/cancel", azure.cancel_v1_azure_response, methods=["POST"]),
        Route("/openai/v1/responses/{response_id}/input_items", azure.list_v1_azure_input_items, methods=["GET"]),
        Route("/openai/responses", azure.create_azure_response, methods=["POST"]),
        Route("/openai/{rest:path}", azure.azure_not_found, methods=["GET", "POST", "PUT", "PATCH", "DELETE"]),
    ]


async def _not_found(request: Request, exc: Exception) -> Response:
    return error_answer(request, errors.invalid_url(request.method, request.url.path))


async def _unexpected(request: Request, exc: Exception) -> Response:
    """Never a traceback to the client: the live 500 envelope, and the details in our log."""
    rid = request_id()
    log.exception("unexpected error while serving %s %s (%s)", request.method, request.url.path, rid)
    return error_answer(request, errors.server_error(rid[4:]), rid)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code in (404, 405):
        return await _not_found(request, exc)
    return error_answer(request, errors.ApiError(exc.status_code, str(exc.detail)))


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

    def __init__(self, app: Starlette, rest: ASGIApp | None = None) -> None:
        self.app = app
        self.rest = rest or app  # what serves every other request (the probes in front of `app`, say)
        self.state = app.state
        self.journal = app.state.emulator.journal

    async def __call__(self, scope: dict, receive, send) -> None:  # type: ignore[no-untyped-def]
        endpoint = FAST_ENDPOINTS.get(scope["path"]) if scope["type"] == "http" else None
        if endpoint is None or scope["method"] != "POST":
            await self.rest(scope, receive, send)
            return
        headers = header_map(scope["headers"])  # decoded here once, for the shell too
        if "origin" in headers:
            await self.rest(scope, receive, send)
            return
        scope["app"], scope[HEADER_MAP], scope[SETTLED_AFTER_SEND] = self.app, headers, True
        request = Request(scope, receive)
        try:
            response = await endpoint(request)
        except Exception as exc:  # the same last resort as the full stack's
            response = await _unexpected(request, exc)
        if endpoint is not _CHAT:  # `Vary: Origin`: in a JSON answer's own headers, else on its way out
            if not (type(response) is BytesResponse and response.vary_by_origin()):
                send = _varied(send)
        try:
            await response(scope, receive, send)
        finally:  # the journal's bookkeeping of a one-write answer, once the client has it (see `Journal.add`)
            self.journal.settle()


# The endpoints themselves: in the compiled build, what Starlette's routes hold wraps them (endpoints/named.py).
_CHAT = inspect.unwrap(create_chat_completion)
FAST_ENDPOINTS = {"/v1/chat/completions": _CHAT, "/v1/responses": inspect.unwrap(create_response),
                  "/v1/embeddings": inspect.unwrap(create_embedding)}


def _varied(send: Callable[[dict], Awaitable[None]]) -> Callable[[dict], Awaitable[None]]:
    """`send`, adding `Vary: Origin` to the answer's start as Starlette's CORS middleware does for a
    request without an origin (merged into a `Vary` the answer already has)."""

    async def send_varied(message: dict) -> None:
        if message["type"] == "http.response.start":
            headers = message.get("headers", ())
            if b"vary" not in dict(headers):  # Starlette compares raw names as they are (lower case)
                add_header(message, b"vary", b"Origin")
            else:
                headers = list(headers)
                vary = [i for i, (name, _) in enumerate(headers) if name == b"vary"]
                value = b", ".join([*(headers[i][1] for i in vary), b"Origin"])
                headers[vary[0]] = (b"vary", value)
                for i in reversed(vary[1:]):
                    del headers[i]
                message["headers"] = headers
                message.pop(HEAD, None)  # its lines no longer say what the headers do
        await send(message)

    return send_varied


def _cors(app: ASGIApp, origins: tuple[str, ...]) -> ASGIApp:
    return CORSMiddleware(app, allow_origins=list(origins), allow_methods=["*"], allow_headers=["*"],
                          expose_headers=EXPOSED_HEADERS, max_age=600)


class CorsByPath:
    """The chat API's CORS (`--cors-origin`, any origin by default) on the API; the admin API behind its
    guard, with no CORS unless `--admin-cors-origin` names origins (admin/guard.py says why)."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.api = _cors(app, settings.cors_origins)
        self.admin = AdminGuard(_cors(app, settings.admin_cors_origins) if settings.admin_cors_origins else app,
                                settings)

    async def __call__(self, scope: dict, receive, send) -> None:  # type: ignore[no-untyped-def]
        admin = scope["type"] == "http" and is_admin_path(scope["path"])
        await (self.admin if admin else self.api)(scope, receive, send)


def build_app(state: EmulatorState) -> Starlette:
    middleware = [
        Middleware(CorsByPath, settings=state.settings),
        Middleware(JournalMiddleware, journal=state.journal),
    ]
    routes = core_routes()
    if state.proxy is not None:  # `--upstream`: reads the upstream answers
        from .record.passthrough import pass_through_routes, stored_response_routes

        routes = pass_through_routes({
            "/v1/models": list_models, "/v1/models/{model:path}": retrieve_model,
            "/v1/chat/completions": list_stored_completions,
            "/v1/chat/completions/{completion_id}": retrieve_stored_completion,
            "/v1/chat/completions/{completion_id}/messages": list_stored_messages,
        }) + stored_response_routes({
            ("GET", "/v1/responses/{response_id}"): retrieve_response,
            ("DELETE", "/v1/responses/{response_id}"): delete_response,
            ("POST", "/v1/responses/{response_id}/cancel"): cancel_response,
            ("GET", "/v1/responses/{response_id}/input_items"): list_input_items,
        }) + routes
    app = Starlette(
        routes=routes,
        middleware=middleware,
        exception_handlers={HTTPException: _http_error, Exception: _unexpected},
    )
    app.router.redirect_slashes = False  # a 307 to a Location built from the client's Host: the live API answers 404
    app.state.emulator = state
    return app
