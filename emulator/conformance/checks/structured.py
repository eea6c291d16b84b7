"""Structured outputs: ``json_object`` gives a JSON object; ``json_schema`` gives JSON valid against the schema."""

from __future__ import annotations

import json
from typing import Any

import jsonschema

from emulator.conformance import expect
from emulator.conformance.client import Exchange
from emulator.conformance.context import Check, Context
from emulator.conformance.outcome import show
from emulator.conformance.stream_rules import accumulate

GROUP = "structured"

SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "name": {"type": "string"},
        "age": {"type": "integer"},
        "tags": {"type": "array", "items": {"type": "string"}},
        "status": {"type": "string", "enum": ["active", "retired"]},
    },
    "required": ["name", "age", "tags", "status"],
    "additionalProperties": False,
}
FORMAT = {"type": "json_schema", "json_schema": {"name": "person", "strict": True, "schema": SCHEMA}}
PROMPT = "Describe a fictional person."


def parsed(exchange: Exchange, where: str, content: Any) -> Any:
    if not isinstance(content, str):
        raise expect.failed(exchange, f"{where}: expected a JSON string, got {show(content)}")
    try:
        return json.loads(content)
    except ValueError:
        raise expect.failed(exchange, f"{where}: expected valid JSON, got {show(content)}") from None


def conforms(exchange: Exchange, where: str, value: Any) -> None:
    error = jsonschema.exceptions.best_match(jsonschema.Draft202012Validator(SCHEMA).iter_errors(value))
    if error is not None:
        raise expect.failed(exchange, f"{where}{error.json_path[1:]}: expected JSON valid against the requested schema, "
                                      f"got {show(value)} ({error.message})")


def json_object(ctx: Context) -> None:
    exchange = ctx.client.create(ctx.request("Reply in json with a greeting.", response_format={"type": "json_object"}))
    body = expect.json_ok(exchange, "chat_completion")
    value = parsed(exchange, "$.choices[0].message.content", body["choices"][0]["message"]["content"])
    if not isinstance(value, dict):
        raise expect.failed(exchange, f"$.choices[0].message.content: expected a JSON object, got {show(value)}")


def json_schema(ctx: Context) -> None:
    exchange = ctx.client.create(ctx.request(PROMPT, response_format=FORMAT))
    body = expect.json_ok(exchange, "chat_completion")
    where = "$.choices[0].message.content"
    conforms(exchange, where, parsed(exchange, where, body["choices"][0]["message"]["content"]))


def json_schema_stream(ctx: Context) -> None:
    request = ctx.request(PROMPT, response_format=FORMAT, stream=True)
    exchange = ctx.client.create(request)
    stream = expect.stream_ok(ctx, exchange)
    expect.follows(ctx, exchange, stream, request, "chunk_json", "chunk_schema", "done")
    choice = accumulate(stream).get(0)
    where = "streamed content"
    conforms(exchange, where, parsed(exchange, where, choice.content if choice else None))


CHECKS = [
    Check("json_object", GROUP, "response_format json_object → content is a JSON object", json_object),
    Check("json_schema", GROUP, "strict json_schema → content is JSON valid against the schema", json_schema),
    Check("json_schema_stream", GROUP, "strict json_schema streamed → the concatenated content is valid against the schema",
          json_schema_stream),
]
