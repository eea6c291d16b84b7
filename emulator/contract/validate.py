"""The request path's first step: raw bytes in, a validated `ChatRequest` out (or an `ApiError`)."""
from __future__ import annotations

from typing import Any, Callable

from . import errors
from .chat_request import ChatRequest
from .models import ModelCatalogue
from .request_shape import CHAT_REQUEST
from .strict_json import loads_strictly
from .rules import check_context_length, check_model_rules, check_request_rules
from ..tokens import count_definition_tokens, count_message_tokens

# Extra checks plugged in by other layers (strict tool schemas, multimodal parts): each gets the
# body and the resolved model and raises `ApiError`.
BodyCheck = Callable[[dict[str, Any], Any], None]


def parse_json_object(raw: bytes) -> dict[str, Any]:
    """The body as a JSON object, or the live API's "could not parse the JSON body" error.

    Refused as unparseable: anything but UTF-8 (a byte order mark, UTF-16, UTF-32), and what a
    strict parser refuses (`NaN`, `Infinity`, lone surrogates, deep nesting: see `strict_json`).
    """
    try:
        body = loads_strictly(raw.decode("utf-8"))
    except ValueError:  # UnicodeDecodeError and JSONDecodeError are ValueErrors too
        raise errors.invalid_json() from None
    if type(body) is not dict:
        raise errors.invalid_json()
    return body


def validate_chat_request(
    body: dict[str, Any],
    catalogue: ModelCatalogue,
    *,
    headers: dict[str, str] | None = None,
    api_key: str = "",
    extra_checks: tuple[BodyCheck, ...] = (),
    shape=CHAT_REQUEST,
) -> ChatRequest:
    """Shape, then cross-field rules, then the model and what it supports, then the context window."""
    if not shape.value_ok(body):
        shape.check_value(body, "")  # words the first error in the live grammar
    check_request_rules(body)
    model = catalogue.resolve(body["model"])
    check_model_rules(body, model)
    for check in extra_checks:
        check(body, model)
    request = ChatRequest(body, model, headers or {}, api_key)
    check_context_length(prompt_tokens(request), request.max_tokens, model)
    return request


def prompt_tokens(request: ChatRequest) -> int:
    """Prompt tokens as the live API bills them: messages with per-message overhead, images, audio
    and files, plus tools."""
    cached = request.__dict__.get("_prompt_tokens")
    if cached is None:
        cached = count_message_tokens(request.messages) + count_definition_tokens(
            request.tools or request.functions) + request.media_tokens[0]
        request.__dict__["_prompt_tokens"] = cached
    return cached
