"""Azure OpenAI's URL shapes: `POST /openai/deployments/{deployment}/chat/completions?api-version=...`
and the newer `POST /openai/v1/chat/completions` (model = deployment name in the body); the same two
for embeddings (`.../embeddings`).

Served when the request's profile is `azure` (`--profile azure`, or `x-emulator-profile: azure`);
under any other profile these paths do not exist, as on the live API. The chat request then goes
down the same path as `/v1/chat/completions`, with the deployment's model and Azure's
content-filter annotations.
"""
from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from .. import profiles
from ..contract import errors
from ..contract.errors import ApiError
from ..profiles import AZURE, Profile
from ..profiles import azure
from ..state import EmulatorState
from .chat import chat_endpoint
from .embeddings import embeddings_endpoint
from .shell import Endpoint, Exchange, endpoint, error_answer


class AzureDeploymentRoute:
    """`/openai/deployments/{deployment}/chat/completions`: key, `api-version` and deployment checked in
    Azure's order and words; the deployment decides the model (the body's is not used)."""

    def check(self, ex: Exchange) -> None:
        ex.authenticate(azure.deployment_api_key_of)
        azure.check_api_version(ex.request.query_params.get("api-version"))
        _deployment_model(ex.state, ex.profile, ex.request.path_params["deployment"])

    def body_for(self, ex: Exchange, body: dict[str, Any]) -> dict[str, Any]:
        return {**body, "model": _deployment_model(ex.state, AZURE, ex.request.path_params["deployment"])}

    decoration = azure.CONTENT_FILTER_ANNOTATIONS


class AzureV1Route(AzureDeploymentRoute):
    """`/openai/v1/chat/completions`, Azure's OpenAI-shaped surface: no dated `api-version`, and the body's
    `model` names the deployment."""

    def check(self, ex: Exchange) -> None:
        ex.authenticate(azure.deployment_api_key_of)
        azure.check_v1_api_version(ex.request.query_params.get("api-version"))

    def body_for(self, ex: Exchange, body: dict[str, Any]) -> dict[str, Any]:
        name = body.get("model")
        if type(name) is not str:
            return body  # validation reports the missing or mistyped model
        return {**body, "model": _deployment_model(ex.state, AZURE, name)}


class AzureEmbeddingsRoute(AzureDeploymentRoute):
    """`/openai/deployments/{deployment}/embeddings`: a deployment of a chat model gets Azure's
    `OperationNotSupported` rather than OpenAI's 403."""

    def check(self, ex: Exchange) -> None:
        super().check(ex)
        deployment = ex.request.path_params["deployment"]
        model = ex.catalogue().get(_deployment_model(ex.state, AZURE, deployment))
        if model is not None and not model.dimensions:
            raise azure.operation_not_supported("embeddings", deployment)


def _deployment_model(state: EmulatorState, profile: Profile, deployment: str) -> str:
    """The model a deployment serves: its --azure-deployment mapping, else the model of that id."""
    model = dict(state.settings.azure_deployments).get(deployment, deployment)
    if state.catalogue_for(profile).get(model) is None and not state.catalogue.accept_any:
        raise azure.deployment_not_found()
    return model


def azure_only(serve: Endpoint) -> Endpoint:
    """`serve` under the azure profile; elsewhere the live API's unknown-URL 404, as a server that is not Azure."""

    async def route(request: Request) -> Response:
        state: EmulatorState = request.app.state.emulator
        try:
            profile: Profile | None = profiles.for_request(request.headers, state.settings.profile)
        except ApiError:
            profile = AZURE  # an invalid profile header: the shell reports it
        if profile is not AZURE:
            return error_answer(request, errors.invalid_url(request.method, request.url.path))
        return await serve(request)

    return route


@endpoint(authenticate=False)
async def _resource_not_found(ex: Exchange) -> Any:
    raise azure.resource_not_found()


create_deployment_chat_completion = azure_only(chat_endpoint(AzureDeploymentRoute()))
create_v1_chat_completion = azure_only(chat_endpoint(AzureV1Route()))
create_deployment_embedding = azure_only(embeddings_endpoint(AzureEmbeddingsRoute()))
create_v1_embedding = azure_only(embeddings_endpoint(AzureV1Route()))
# Any other `/openai/...` path: Azure's `Resource not found`.
azure_not_found = azure_only(_resource_not_found)
