"""`azure`: Azure OpenAI: its URL shape, `api-key` auth, its own errors and content-filter annotations.

Azure serves `POST /openai/deployments/{deployment}/chat/completions?api-version=...`; the
deployment picks the model, the body's `model` is not used. Azure's own errors (auth, URL,
version, deployment) come as `{"error": {"code", "message"}}`; request validation errors are
OpenAI's. Answers carry `prompt_filter_results` and per-choice `content_filter_results`.
"""
from __future__ import annotations

from typing import Any, Mapping

from ..contract.auth import is_accepted, sent_key
from ..contract.errors import ApiError
from ..json_text import dumps
from .base import Profile

# api-version values Azure OpenAI accepts for chat completions on the deployments path
# (GA and preview data-plane versions; documented in docs/profiles.md).
API_VERSIONS = frozenset({
    "2022-12-01", "2023-05-15", "2024-02-01", "2024-06-01", "2024-10-21",
    "2023-03-15-preview", "2023-06-01-preview", "2023-07-01-preview", "2023-08-01-preview",
    "2023-09-01-preview", "2023-10-01-preview", "2023-12-01-preview", "2024-02-15-preview",
    "2024-03-01-preview", "2024-04-01-preview", "2024-05-01-preview", "2024-07-01-preview",
    "2024-08-01-preview", "2024-09-01-preview", "2024-10-01-preview", "2024-12-01-preview",
    "2025-01-01-preview", "2025-02-01-preview", "2025-03-01-preview", "2025-04-01-preview",
})

# The /openai/v1 surface: no version, or one of these.
V1_API_VERSIONS = frozenset({"preview", "latest"})


class AzureError(ApiError):
    """An error Azure's front door answers itself: `{"error": {"code", "message"}}`."""

    def envelope(self) -> dict[str, Any]:
        return {"error": {"code": self.code, "message": self.message}}


def access_denied() -> AzureError:
    return AzureError(401, "Access denied due to invalid subscription key or wrong API endpoint. Make sure to "
                           "provide a valid key for an active subscription and use a correct regional API "
                           "endpoint for your resource.", code="401")


def resource_not_found() -> AzureError:
    """Azure's answer to a path it does not serve, and to a request without `api-version`."""
    return AzureError(404, "Resource not found", code="404")


def api_version_not_supported() -> AzureError:
    return AzureError(400, "API version not supported", code="BadRequest")


def deployment_not_found() -> AzureError:
    return AzureError(404, "The API deployment for this resource does not exist. If you created the deployment "
                           "within the last 5 minutes, please wait a moment and try again.", code="DeploymentNotFound")


def operation_not_supported(operation: str, deployment: str) -> AzureError:
    """A deployment whose model does not do `operation` (a chat model asked for embeddings)."""
    return AzureError(400, f"The {operation} operation does not work with the specified model, {deployment}. "
                           "Please choose different model and try again. You can learn more about which models "
                           "can be used with each operation here: https://go.microsoft.com/fwlink/?linkid=2197993.",
                      code="OperationNotSupported")


def check_api_version(value: str | None) -> None:
    if not value:
        raise resource_not_found()
    if value not in API_VERSIONS:
        raise api_version_not_supported()


def check_v1_api_version(value: str | None) -> None:
    """The v1 surface takes no dated version: none, `preview` or `latest`."""
    if value is not None and value not in V1_API_VERSIONS:
        raise api_version_not_supported()


def deployment_api_key_of(headers: Mapping[str, str], accepted: tuple[str, ...]) -> str:
    """Azure's own paths: the key in an `api-key` header or a Bearer token (Entra ID); Azure's 401 otherwise."""
    key = sent_key(headers, "api-key")
    if not key or (accepted and not is_accepted(key, accepted)):
        raise access_denied()
    return key


# --- content-filter annotations ------------------------------------------------------------------

def _categories(filtered: bool = False) -> dict[str, Any]:
    safe = {"filtered": False, "severity": "safe"}
    return {"hate": safe, "self_harm": safe, "sexual": safe,
            "violence": {"filtered": True, "severity": "medium"} if filtered else safe}


PROMPT_FILTER_RESULTS = [{"prompt_index": 0, "content_filter_results": {
    **_categories(), "jailbreak": {"filtered": False, "detected": False}}}]
_NOT_DETECTED = {"filtered": False, "detected": False}


def choice_filter_results(finish_reason: str | None) -> dict[str, Any]:
    """Per-choice results; a `content_filter` finish shows a filtered category as Azure does."""
    return {**_categories(finish_reason == "content_filter"),
            "protected_material_code": _NOT_DETECTED, "protected_material_text": _NOT_DETECTED}


_PROMPT_FILTER_EVENT = b"data: " + dumps({"choices": [], "created": 0, "id": "", "model": "", "object": "",
                                          "prompt_filter_results": PROMPT_FILTER_RESULTS}).encode() + b"\n\n"
_NO_RESULTS = ',"content_filter_results":{}'


class ContentFilterAnnotations:
    """Azure's answers: the prompt's filter results, and each choice's (on streamed chunks, those with text)."""

    name = "azure"

    def body(self, body: dict[str, Any]) -> dict[str, Any]:
        choices = [{**choice, "content_filter_results": choice_filter_results(choice.get("finish_reason"))}
                   for choice in body["choices"]]
        return {**body, "choices": choices, "prompt_filter_results": PROMPT_FILTER_RESULTS}

    def first_events(self) -> list[bytes]:
        return [_PROMPT_FILTER_EVENT]

    def choice_fields(self, delta: dict[str, Any], finish_reason: str | None) -> str:
        if not (delta.get("content") or delta.get("refusal")):
            return _NO_RESULTS
        return ',"content_filter_results":' + dumps(choice_filter_results(finish_reason))


CONTENT_FILTER_ANNOTATIONS = ContentFilterAnnotations()


AZURE = Profile(
    name="azure",
    summary="Azure OpenAI: /openai/deployments/{deployment}/chat/completions?api-version=..., api-key header",
    key_header="api-key",
)
