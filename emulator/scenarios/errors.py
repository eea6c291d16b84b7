"""Scripted error steps → `ApiError` with the live API's texts (contract/errors.py) and retry headers.

`error: rate_limit_exceeded` uses the live wording; `error: {status: 418, message: ...}` is fully
custom; `{shortcut: server_error, message: ...}` (or `code: rate_limit_exceeded`) starts from a
named case and overrides parts of it. Retry headers are those the SDK reads (docs/live-api.md#headers).
"""
from __future__ import annotations

import math
from typing import Any, Protocol

from ..contract import errors
from ..contract.errors import ApiError
from ..contract.models import ModelInfo
from ..ids import request_id


class ErrorContext(Protocol):
    """What an error step reads of the request it answers (a `ChatRequest`, or one embeddings input)."""

    @property
    def body(self) -> dict[str, Any]: ...
    @property
    def model(self) -> ModelInfo: ...
    @property
    def prompt_tokens(self) -> int: ...
    @property
    def api_key(self) -> str: ...


# `content_filter` is listed so files can name it; it is a 200 reply (replies.py), not an ApiError.
SHORTCUTS = ("rate_limit_exceeded", "insufficient_quota", "context_length_exceeded", "server_error",
             "overloaded", "invalid_api_key", "model_not_found", "content_filter")

# A rate limit asks for a short wait by default, so retrying clients stay fast in tests.
DEFAULT_RETRY_AFTER_MS = 20


def shortcut_of(spec: str | dict[str, Any]) -> str | None:
    if isinstance(spec, str):
        return spec
    named = spec.get("shortcut")
    if named is None and spec.get("code") in SHORTCUTS:
        named = spec["code"]
    return named


def _wait_text(ms: float) -> str:
    """A Go-style duration as in the live message: `20ms`, `1.5s`."""
    return f"{ms:g}ms" if ms < 1000 else f"{ms / 1000:g}s"


def _named(name: str, spec: dict[str, Any], request: ErrorContext) -> ApiError:
    rid = request_id()[4:]
    if name == "rate_limit_exceeded":
        wait = spec.get("retry_after_ms")
        if wait is None:
            wait = spec["retry_after"] * 1000 if "retry_after" in spec else DEFAULT_RETRY_AFTER_MS
        model = request.body.get("model", request.model.id)
        return errors.rate_limited(model, "tokens", 30000, 30000, 1000, _wait_text(wait))
    if name == "insufficient_quota":
        return errors.insufficient_quota()
    if name == "context_length_exceeded":
        limit = request.model.context_window
        return errors.context_length_exceeded(limit, limit + request.prompt_tokens, None)
    if name == "server_error":
        return errors.server_error(rid)
    if name == "overloaded":
        return errors.overloaded(rid)
    if name == "invalid_api_key":
        return errors.incorrect_api_key(request.api_key or "sk-emulator")
    if name == "model_not_found":
        return errors.model_not_found(request.body.get("model", request.model.id))
    raise ValueError(f"unknown error shortcut {name!r}")  # the schema rejects it first


def _default_type(status: int) -> str:
    if status == 429:
        return "requests"
    return "server_error" if status >= 500 else errors.INVALID_REQUEST


def build_error(spec: str | dict[str, Any], request: ErrorContext) -> ApiError:
    """The `ApiError` an error step raises for this request."""
    spec_dict: dict[str, Any] = {} if isinstance(spec, str) else spec
    name = shortcut_of(spec)
    if name is not None:
        error = _named(name, spec_dict, request)
    else:
        status = spec_dict["status"]
        error = ApiError(status, f"Scripted error (HTTP {status}).", type=_default_type(status))
    if "status" in spec_dict:
        error.status = spec_dict["status"]
    for key in ("message", "type", "param", "code"):
        if key in spec_dict:
            setattr(error, key, spec_dict[key])
    error.headers = {**error.headers, **retry_headers(name, spec_dict), **spec_dict.get("headers", {})}
    return error


def retry_headers(name: str | None, spec: dict[str, Any]) -> dict[str, str]:
    """`retry-after` (whole seconds, ≥ 1), `retry-after-ms` and `x-should-retry` as asked, or as a rate limit has them."""
    ms = spec.get("retry_after_ms")
    seconds = spec.get("retry_after")
    if name == "rate_limit_exceeded" and ms is None and seconds is None:
        ms = DEFAULT_RETRY_AFTER_MS
    headers: dict[str, str] = {}
    if seconds is not None:
        headers["retry-after"] = str(seconds)
    elif ms is not None:
        headers["retry-after"] = str(max(1, math.ceil(ms / 1000)))
    if ms is not None:
        headers["retry-after-ms"] = f"{ms:g}"
    should_retry = spec.get("should_retry", True if name == "rate_limit_exceeded" else None)
    if should_retry is not None:
        headers["x-should-retry"] = "true" if should_retry else "false"
    return headers


def error_event(spec: str | dict[str, Any], request: ErrorContext) -> dict[str, Any]:
    """The `{"error": {...}}` payload of a mid-stream error event."""
    return build_error(spec, request).envelope()
