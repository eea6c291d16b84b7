"""The request path's first step: raw bytes in, a validated `ChatRequest` out (or an `ApiError`)."""
from __future__ import annotations

import json
import re
from typing import Any, Callable

from . import errors
from .chat_request import ChatRequest
from .models import ModelCatalogue
from .request_shape import CHAT_REQUEST
from .rules import check_context_length, check_model_rules, check_request_rules
from ..tokens import count_definition_tokens, count_message_tokens

# Extra checks plugged in by other layers (strict tool schemas, multimodal parts): each gets the
# body and the resolved model and raises `ApiError`.
BodyCheck = Callable[[dict[str, Any], Any], None]


def parse_json_object(raw: bytes) -> dict[str, Any]:
    """The body as a JSON object, or the live API's "could not parse the JSON body" error.

    Refused as unparseable, as a strict JSON parser refuses them: anything but UTF-8 (a byte
    order mark, UTF-16, UTF-32), `NaN` and `Infinity` (not JSON), a lone surrogate escape such as
    `"\\ud800"` (no character; the reply could not be encoded), and nesting deeper than
    `MAX_JSON_DEPTH` (every later step walks the body recursively).
    """
    try:
        text = raw.decode("utf-8")
        body = json.loads(text, parse_constant=_not_json)
    except (ValueError, RecursionError):  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        raise errors.invalid_json() from None
    if type(body) is not dict or _nests_deeper(text, body, MAX_JSON_DEPTH) or _has_lone_surrogate(text, body):
        raise errors.invalid_json()
    return body


# serde_json's default limit; the deepest real bodies (tool schemas) nest a few dozen levels.
MAX_JSON_DEPTH = 128
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


def _not_json(constant: str) -> Any:
    raise ValueError(f"{constant} is not JSON")


def _nests_deeper(text: str, body: Any, limit: int) -> bool:
    if text.count("{") + text.count("[") <= limit:
        return False  # too few brackets to nest that deep: no walk
    stack: list[tuple[Any, int]] = [(body, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            return True
        children = node.values() if isinstance(node, dict) else node
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return False


def _has_lone_surrogate(text: str, body: Any) -> bool:
    """Only an escape can put a surrogate in a string (strict UTF-8 refuses encoded ones); a pair
    (an escaped emoji) is fine, so the parsed body is encoded to tell."""
    if _SURROGATE_ESCAPE.search(text) is None:
        return False
    try:
        json.dumps(body, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


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
