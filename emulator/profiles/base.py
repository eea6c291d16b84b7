"""`Profile`: what one family of OpenAI-compatible servers accepts, and how it answers errors.

A profile is data built once at import: the request shape to validate with (the live API's
fields plus the family's extensions), whether unknown fields are ignored rather than rejected,
extra cross-field checks, how an `ApiError` is rendered, which header may carry the API key, and
which extra catalogue entries (`models_<name>.json`) it serves.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from ..contract.errors import ApiError
from ..contract.request_shape import CHAT_REQUEST
from ..contract.shapes import Object
from ..contract.validate import RequestCheck
from .ignore import strip_unknown

# Response header naming the request fields a lenient profile ignored (comma-separated paths).
IGNORED_FIELDS_HEADER = "x-emulator-ignored-fields"


def openai_error_payload(error: ApiError) -> Any:
    return error.envelope()


@dataclass(frozen=True)
class Profile:
    name: str
    summary: str
    request_shape: Object = CHAT_REQUEST
    # True: fields the shape does not know are dropped (and reported) instead of rejected.
    ignore_unknown: bool = False
    checks: tuple[RequestCheck, ...] = ()
    error_payload: Callable[[ApiError], Any] = openai_error_payload
    # A header that carries the API key by itself besides `Authorization: Bearer` (Azure's `api-key`).
    key_header: str | None = None

    def accept(self, body: dict[str, Any], shape: Object | None = None) -> tuple[dict[str, Any], list[str]]:
        """The body to validate and the paths of the fields dropped from it (lenient profiles only);
        `shape` is the operation's request shape (the profile's chat request shape by default)."""
        shape = self.request_shape if shape is None else shape
        if not self.ignore_unknown or shape.is_valid(body):
            return body, []  # a valid body has nothing unknown: skip the walk
        ignored: list[str] = []
        return strip_unknown(body, shape, "", ignored), ignored
