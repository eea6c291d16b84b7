"""Expectations about HTTP exchanges, worded as the first difference with its JSON path."""

from __future__ import annotations

from typing import Any

from emulator.contract.json_schemas import schema_errors
from emulator.conformance.client import Exchange
from emulator.conformance.context import Context
from emulator.conformance.outcome import CheckFailed, show
from emulator.conformance.stream_rules import Stream, StreamRequest, require

ANY: Any = object()
"""For ``error()``: any value of this field is fine (the live value is unknown)."""


def failed(exchange: Exchange, message: str) -> CheckFailed:
    """A failure that carries the curl command repeating the request."""
    return CheckFailed(message, reproduce=exchange.curl())


def status(exchange: Exchange, expected: int) -> None:
    if exchange.status != expected:
        raise failed(exchange, f"HTTP status of {exchange.method} {exchange.url}: expected {expected}, "
                               f"got {exchange.status} {show(exchange.text[:200])}")


def schema(exchange: Exchange, name: str, body: Any) -> None:
    errors = schema_errors(name, body)
    if errors:
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise failed(exchange, f"{name} schema: {errors[0]}{more}")


def json_ok(exchange: Exchange, schema_name: str) -> Any:
    """Status 200, a JSON content type, and a body valid against the named schema; returns the body."""
    status(exchange, 200)
    if "json" not in exchange.content_type:
        raise failed(exchange, f"content-type: expected application/json, got {show(exchange.content_type)}")
    body = exchange.json()
    schema(exchange, schema_name, body)
    return body


def stream_ok(ctx: Context, exchange: Exchange) -> Stream:
    """Status 200 with an event-stream content type; returns the parsed stream."""
    status(exchange, 200)
    if not exchange.content_type.startswith("text/event-stream"):
        raise failed(exchange, f"content-type: expected text/event-stream, got {show(exchange.content_type)}")
    return Stream.read(exchange.text, strict=ctx.strictness.strict_framing)


def follows(ctx: Context, exchange: Exchange, stream: Stream, body: dict[str, Any], *rules: str) -> None:
    """The stream obeys the named stream rules for the request ``body``; a failure carries the curl command."""
    try:
        require(stream, StreamRequest.from_body(body), ctx.strictness, *rules)
    except CheckFailed as error:
        raise failed(exchange, str(error)) from None


def error(
    ctx: Context,
    exchange: Exchange,
    http_status: int,
    message: Any,
    param: Any = None,
    code: Any = None,
    type_: str = "invalid_request_error",
) -> dict[str, Any]:
    """An error response: always status class, envelope and type; in the openai profile exact status, message, param, code.

    Pass ``ANY`` for a field whose live value is unknown.
    """
    if exchange.status >= 500:
        raise failed(exchange, f"HTTP status: expected {http_status} for a bad request, got a server error "
                               f"{exchange.status} {show(exchange.text[:200])}")
    if ctx.strictness.exact_errors:
        status(exchange, http_status)
    elif exchange.status // 100 != 4:
        raise failed(exchange, f"HTTP status: expected 4xx (the live API sends {http_status}), got {exchange.status}")
    body = exchange.json()
    if not ctx.strictness.exact_errors:
        return compatible_error(exchange, body)
    schema(exchange, "error", body)
    got = body["error"]
    if got["type"] != type_:
        raise failed(exchange, f"$.error.type: expected {show(type_)}, got {show(got['type'])}")
    for key, value in {"message": message, "param": param, "code": code}.items():
        if value is not ANY and got[key] != value:
            raise failed(exchange, f"$.error.{key}: expected {show(value)}, got {show(got[key])}")
    return got


def compatible_error(exchange: Exchange, body: Any) -> dict[str, Any]:
    """What OpenAI-compatible servers promise of an error: an `error` the SDKs can read, i.e. an object
    with a string `message` (vLLM's integer `code` and its own `type` names are fine), or a plain string."""
    got = body.get("error") if isinstance(body, dict) else None
    if isinstance(got, str) and got:
        return {"message": got}
    if not isinstance(got, dict) or not isinstance(got.get("message"), str):
        raise failed(exchange, f"$.error: expected an object with a string message (or a string), got {show(got)}")
    return got
