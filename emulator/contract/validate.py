"""The request path's first step: raw bytes in, a validated `ChatRequest` out (or an `ApiError`)."""
from __future__ import annotations

from typing import Any, Callable

from . import errors
from .chat_request import ChatRequest
from .audio_output import check_audio_output
from .media.parts import check_content_parts
from .models import Catalogue
from .plain_request import plain_chat_request
from .request_shape import CHAT_REQUEST
from .strict_json import loads_body
from .rules import check_context_length, check_model_rules, check_request_rules
from .shapes import Object

# A profile's own checks (vLLM's sampling ranges): each reads the request and raises `ApiError`.
RequestCheck = Callable[[ChatRequest], None]


def parse_json_object(raw: bytes) -> dict[str, Any]:
    """The body as a JSON object, or the live API's "could not parse the JSON body" error.

    Refused as unparseable: anything but UTF-8 (a byte order mark, UTF-16, UTF-32), and what a
    strict parser refuses (`NaN`, `Infinity`, lone surrogates, deep nesting: see `strict_json`).
    """
    try:
        body = loads_body(raw)
    except ValueError:  # UnicodeDecodeError and JSONDecodeError are ValueErrors too
        raise errors.invalid_json() from None
    if type(body) is not dict:
        raise errors.invalid_json()
    return body


def validate_chat_request(
    body: dict[str, Any],
    catalogue: Catalogue,
    *,
    headers: dict[str, str] | None = None,
    api_key: str = "",
    profile_checks: tuple[RequestCheck, ...] = (),
    shape: Object = CHAT_REQUEST,
) -> ChatRequest:
    """The one pipeline: shape → cross-field rules → `ChatRequest` → the model's rules (and the
    content parts and audio output it can take) → the profile's checks → the context window. A
    conversation of plain messages takes the first three in one pass (`plain_request`)."""
    request = plain_chat_request(body, catalogue, shape, headers, api_key)
    plain = request is not None
    if request is None:
        if not shape.value_ok(body):
            shape.check_value(body, "")  # words the first error in the live grammar
        check_request_rules(body)
        request = ChatRequest(body, catalogue.resolve(body["model"]), headers, api_key)
    check_model_rules(request)
    for check in profile_checks:
        check(request)
    check_content_parts(request.body, request.model, text_only=plain)
    if "modalities" in request.body:  # only a request for spoken output has formats to check
        check_audio_output(request.body)
    check_context_length(request.prompt_tokens, request.max_tokens, request.model)
    return request
