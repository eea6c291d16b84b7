"""Response headers: content type, request id and rate-limit headers (docs/live-api.md#headers)."""

from __future__ import annotations

import re

from emulator.conformance import expect
from emulator.conformance.checks.responses import basic
from emulator.conformance.client import Exchange
from emulator.conformance.context import OPENAI_ONLY, Check, Context
from emulator.conformance.outcome import show

GROUP = "headers"

REQUEST_ID = re.compile(r"^req_[0-9a-f]{32}$")
# Go-style durations as the live API prints them: 1s, 120ms, 6m0s, 17.22s, 4h36m54.72s.
DURATION = re.compile(r"^(?=\d)(\d+h)?(\d+m(?!s))?(\d+(\.\d+)?(s|ms))?$")
INTEGER_HEADERS = ("x-ratelimit-limit-requests", "x-ratelimit-limit-tokens",
                   "x-ratelimit-remaining-requests", "x-ratelimit-remaining-tokens")
DURATION_HEADERS = ("x-ratelimit-reset-requests", "x-ratelimit-reset-tokens")


def _error_exchange(ctx: Context) -> Exchange:
    return ctx.client.create(ctx.request(n=130))


def request_id(ctx: Context) -> None:
    exchange, _ = basic(ctx)
    for ex in (exchange, _error_exchange(ctx)):
        value = ex.headers.get("x-request-id")
        if not value:
            raise expect.failed(ex, f"x-request-id header (status {ex.status}): expected a request id, got none")
        if ctx.strictness.live_extras and not REQUEST_ID.match(value):
            raise expect.failed(ex, f"x-request-id header: expected 'req_' + 32 hex digits, got {show(value)}")


def rate_limit(ctx: Context) -> None:
    exchange, _ = basic(ctx)
    for name in INTEGER_HEADERS + DURATION_HEADERS:
        value = exchange.headers.get(name)
        pattern = r"^\d+$" if name in INTEGER_HEADERS else DURATION
        if value is None or not re.match(pattern, value):
            kind = "an integer" if name in INTEGER_HEADERS else "a duration like 6m0s or 120ms"
            raise expect.failed(exchange, f"{name} header: expected {kind}, got {show(value)}")


def json_content_type(ctx: Context) -> None:
    exchange, _ = basic(ctx)
    for ex in (exchange, _error_exchange(ctx)):
        if not ex.content_type.startswith("application/json"):
            raise expect.failed(ex, f"content-type (status {ex.status}): expected application/json, got {show(ex.content_type)}")


CHECKS = [
    Check("json_content_type", GROUP, "JSON responses and errors are application/json", json_content_type),
    Check("request_id", GROUP, "x-request-id on success and error responses ('req_' + 32 hex in openai)", request_id),
    Check("rate_limit_headers", GROUP, "x-ratelimit-limit/remaining-* are integers, x-ratelimit-reset-* are durations",
          rate_limit, OPENAI_ONLY),
]
