"""The Starlette application: routes, CORS and the one place errors become the OpenAI envelope."""
from __future__ import annotations

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
from .endpoints.shell import error_answer
from .endpoints.stored_responses import cancel_response, delete_response, list_input_items, retrieve_response
from .endpoints.stored import (delete_stored_completion, list_stored_completions, list_stored_messages,
                               retrieve_stored_completion, update_stored_completion)
from .ids import request_id
from .fast_path import ChatFastPath
from .journal import JournalMiddleware
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


def fast_path(app: Starlette) -> ChatFastPath:
    """The hot paths' dispatch in front of `app` (fast_path.py), answering an unexpected error as `app` does."""
    return ChatFastPath(app, _unexpected)


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
