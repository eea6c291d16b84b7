"""Azure OpenAI's URL shapes: `POST /openai/deployments/{deployment}/chat/completions?api-version=...`
and the newer `POST /openai/v1/chat/completions` (model = deployment name in the body); for the
Responses API `POST /openai/v1/responses` and the preview `POST /openai/responses?api-version=...`.

Served when the request's profile is `azure` (`--profile azure`, or `x-emulator-profile: azure`);
under any other profile these paths do not exist, as on the live API. The chat request then goes
down the same path as `/v1/chat/completions`, with the deployment's model and Azure's
content-filter annotations.
"""
from __future__ import annotations

import time
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from .. import http, profiles
from ..contract import errors
from ..contract.errors import ApiError
from ..ids import request_id
from ..profiles import AZURE, Profile
from ..profiles import azure
from ..state import EmulatorState
from .chat import serve_chat
from .responses import create_response


class AzureDeploymentRoute:
    """`/openai/deployments/{deployment}/chat/completions`: key, `api-version` and deployment checked in
    Azure's order and words; the deployment decides the model (the body's is not used)."""

    def check(self, request: Request, state: EmulatorState, profile: Profile) -> None:
        azure.deployment_api_key_of(request, state.settings.api_keys)
        azure.check_api_version(request.query_params.get("api-version"))
        _deployment_model(state, profile, request.path_params["deployment"])

    def body_for(self, request: Request, state: EmulatorState, body: dict[str, Any]) -> dict[str, Any]:
        return {**body, "model": _deployment_model(state, AZURE, request.path_params["deployment"])}

    def decorate_body(self, body: dict[str, Any]) -> dict[str, Any]:
        return azure.decorate_completion(body)

    def decorate_events(self, events: list[bytes]) -> list[bytes]:
        return azure.decorate_events(events)


class AzureV1Route(AzureDeploymentRoute):
    """`/openai/v1/chat/completions`, Azure's OpenAI-shaped surface: no dated `api-version`, and the body's
    `model` names the deployment."""

    def check(self, request: Request, state: EmulatorState, profile: Profile) -> None:
        azure.deployment_api_key_of(request, state.settings.api_keys)
        azure.check_v1_api_version(request.query_params.get("api-version"))

    def body_for(self, request: Request, state: EmulatorState, body: dict[str, Any]) -> dict[str, Any]:
        name = body.get("model")
        if type(name) is not str:
            return body  # validation reports the missing or mistyped model
        return {**body, "model": _deployment_model(state, AZURE, name)}


class AzureResponsesRoute(AzureV1Route):
    """`/openai/responses?api-version=...`, the preview shape of the Responses API: a dated version is
    required, and the body's `model` names the deployment."""

    def check(self, request: Request, state: EmulatorState, profile: Profile) -> None:
        azure.deployment_api_key_of(request, state.settings.api_keys)
        azure.check_api_version(request.query_params.get("api-version"))


def _deployment_model(state: EmulatorState, profile: Profile, deployment: str) -> str:
    """The model a deployment serves: its --azure-deployment mapping, else the model of that id."""
    model = dict(state.settings.azure_deployments).get(deployment, deployment)
    if profiles.catalogue_for(state, profile).get(model) is None and not state.catalogue.accept_any:
        raise azure.deployment_not_found()
    return model


DEPLOYMENT_ROUTE = AzureDeploymentRoute()
V1_ROUTE = AzureV1Route()
RESPONSES_ROUTE = AzureResponsesRoute()


def _profile_of(request: Request) -> Profile | None:
    state: EmulatorState = request.app.state.emulator
    try:
        return profiles.for_request(request.headers, state.settings.profile)
    except ApiError:
        return None  # an invalid profile header: the chat path reports it


def _not_served(request: Request) -> Response:
    """What a server that is not Azure answers: the live API's unknown-URL 404."""
    return http.error_response(errors.invalid_url(request.method, request.url.path),
                               http.base_headers(request_id(), time.perf_counter()))


async def create_deployment_chat_completion(request: Request) -> Response:
    profile = _profile_of(request)
    if profile is not None and profile is not AZURE:
        return _not_served(request)
    return await serve_chat(request, DEPLOYMENT_ROUTE)


async def create_v1_chat_completion(request: Request) -> Response:
    profile = _profile_of(request)
    if profile is not None and profile is not AZURE:
        return _not_served(request)
    return await serve_chat(request, V1_ROUTE)


async def create_azure_response(request: Request) -> Response:
    """`/openai/v1/responses` and `/openai/responses`: the Responses API under the azure profile."""
    profile = _profile_of(request)
    if profile is not None and profile is not AZURE:
        return _not_served(request)
    route = V1_ROUTE if request.url.path.startswith("/openai/v1/") else RESPONSES_ROUTE
    return await create_response(request, route)


async def azure_not_found(request: Request) -> Response:
    """Any other `/openai/...` path: Azure's `Resource not found`."""
    if _profile_of(request) is not AZURE:
        return _not_served(request)
    return http.error_response(azure.resource_not_found(), http.base_headers(request_id(), time.perf_counter()))
