"""The Responses API (`/responses`): objects and events against the spec's schemas, event order and
`sequence_number`, a stream assembling to the non-streamed response, tools, structured output,
`previous_response_id`, and stored retrieval and deletion."""

from __future__ import annotations

import json
import re
from typing import Any

from emulator.conformance import expect
from emulator.conformance.client import Exchange
from emulator.conformance.context import OPENAI_ONLY, Check, Context
from emulator.conformance.outcome import CheckSkipped, show
from emulator.conformance.responses_stream import EventStream, stream_problems

GROUP = "responses"
PROMPT = "Say hello in five words."
RESPONSE_ID = re.compile(r"^resp_[0-9a-f]+$")
TOOL = {"type": "function", "name": "get_weather", "description": "Get the weather for a city",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"],
                       "additionalProperties": False}, "strict": True}
SCHEMA = {"type": "object", "properties": {"colour": {"type": "string"}, "count": {"type": "integer"}},
          "required": ["colour", "count"], "additionalProperties": False}


def create(ctx: Context, **fields: Any) -> Exchange:
    body = {"model": ctx.model, "input": PROMPT, **fields}
    exchange = ctx.client.request("POST", "/responses", body)
    if exchange.status in (404, 405) and "/responses" in exchange.text:
        # A Chat-Completions-only server: the group does not apply (an unknown id's 404 names no URL).
        raise CheckSkipped("the server does not serve the Responses API (POST /responses is not found)")
    return exchange


def output_text(body: dict[str, Any]) -> str:
    return "".join(part.get("text", "") for item in body["output"] if item.get("type") == "message"
                   for part in item.get("content", ()) if part.get("type") == "output_text")


def basic(ctx: Context) -> tuple[Exchange, dict[str, Any]]:
    def make() -> tuple[Exchange, dict[str, Any]]:
        exchange = create(ctx)
        return exchange, expect.json_ok(exchange, "response")
    return ctx.once("responses_api.basic", make)


def streamed(ctx: Context) -> tuple[Exchange, EventStream]:
    def make() -> tuple[Exchange, EventStream]:
        exchange = create(ctx, stream=True)
        expect.status(exchange, 200)
        if not exchange.content_type.startswith("text/event-stream"):
            raise expect.failed(exchange, f"content-type: expected text/event-stream, got {show(exchange.content_type)}")
        return exchange, EventStream.read(exchange.text)
    return ctx.once("responses_api.stream", make)


def response_object(ctx: Context) -> None:
    exchange, body = basic(ctx)
    if body["status"] != "completed" or not output_text(body):
        raise expect.failed(exchange, f"$.status/$.output: expected a completed response with output_text, got "
                                      f"{show(body['status'])} and {show(body['output'])[:120]}")
    usage = body.get("usage") or {}
    if usage.get("total_tokens") != usage.get("input_tokens", 0) + usage.get("output_tokens", 0):
        raise expect.failed(exchange, f"$.usage.total_tokens: expected input_tokens + output_tokens, got {show(usage)}")


def live_conventions(ctx: Context) -> None:
    exchange, body = basic(ctx)
    if not RESPONSE_ID.match(body["id"]):
        raise expect.failed(exchange, f"$.id: expected 'resp_' + hex, got {show(body['id'])}")
    if "output_text" in body:
        raise expect.failed(exchange, "$.output_text: an SDK property, never on the wire")
    if body.get("store") is not True:
        raise expect.failed(exchange, f"$.store: expected true when the request omits it, got {show(body.get('store'))}")


def stream_rules(ctx: Context) -> None:
    exchange, stream = streamed(ctx)
    problems = stream_problems(stream, ctx.strictness.strict_framing)
    if problems:
        raise expect.failed(exchange, problems[0] + (f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""))


def stream_matches(ctx: Context) -> None:
    exchange, stream = streamed(ctx)
    _, body = basic(ctx)
    if output_text(body) != output_text(expect.json_ok(create(ctx), "response")):
        raise CheckSkipped("the server is not deterministic: two equal requests got different text")
    final = next((e["response"] for e in stream.events if e.get("type") == "response.completed"), None)
    if final is None or output_text(final) != output_text(body):
        raise expect.failed(exchange, f"response.completed: expected the non-streamed text {show(output_text(body))}, "
                                      f"got {show(output_text(final or {'output': []}))}")


def tool_loop(ctx: Context) -> None:
    exchange = create(ctx, input="What's the weather in Paris?", tools=[TOOL], tool_choice="required")
    body = expect.json_ok(exchange, "response")
    calls = [item for item in body["output"] if item.get("type") == "function_call"]
    if not calls or calls[0]["name"] != "get_weather" or "city" not in json.loads(calls[0]["arguments"]):
        raise expect.failed(exchange, f"$.output: expected a get_weather function_call with a city, got {show(body['output'])}")
    answer = create(ctx, tools=[TOOL], input=[{"role": "user", "content": "What's the weather in Paris?"},
                                               *body["output"], *({"type": "function_call_output",
                                                                   "call_id": c["call_id"], "output": "18C"}
                                                                  for c in calls)])
    if not output_text(expect.json_ok(answer, "response")):
        raise expect.failed(answer, "$.output: expected a message answering from the tool output")


def structured_output(ctx: Context) -> None:
    exchange = create(ctx, input="Name a colour and a count.",
                      text={"format": {"type": "json_schema", "name": "colour", "schema": SCHEMA, "strict": True}})
    text = output_text(expect.json_ok(exchange, "response"))
    try:
        value = json.loads(text)
    except ValueError:
        raise expect.failed(exchange, f"output_text: expected JSON for a json_schema format, got {show(text)}") from None
    if not isinstance(value, dict) or set(value) != {"colour", "count"} or not isinstance(value["count"], int):
        raise expect.failed(exchange, f"output_text: expected an object valid against the schema, got {show(value)}")


def previous_response(ctx: Context) -> None:
    _, first = basic(ctx)
    exchange = create(ctx, input="And again?", previous_response_id=first["id"])
    body = expect.json_ok(exchange, "response")
    if body["previous_response_id"] != first["id"] or body["usage"]["input_tokens"] <= first["usage"]["input_tokens"]:
        raise expect.failed(exchange, "previous_response_id: expected it echoed and the chain counted as input")
    missing = create(ctx, previous_response_id="resp_conformance_missing")
    expect.error(ctx, missing, 400, "Previous response with id 'resp_conformance_missing' not found.",
                 "previous_response_id", "previous_response_not_found")


def stored(ctx: Context) -> None:
    exchange, body = basic(ctx)
    got = expect.json_ok(ctx.client.get(f"/responses/{body['id']}"), "response")
    if got["id"] != body["id"] or output_text(got) != output_text(body):
        raise expect.failed(exchange, "GET /responses/{id}: expected the response as created")
    items = expect.json_ok(ctx.client.get(f"/responses/{body['id']}/input_items"), "response_item_list")
    if len(items["data"]) != 1 or items["data"][0]["type"] != "message":
        raise expect.failed(exchange, f"input_items: expected the one input message, got {show(items['data'])}")
    deleted = ctx.client.request("DELETE", f"/responses/{body['id']}")
    expect.status(deleted, 200)
    gone = ctx.client.get(f"/responses/{body['id']}")
    expect.error(ctx, gone, 404, f"Response with id '{body['id']}' not found.")


def validation(ctx: Context) -> None:
    if ctx.strictness.exact_errors:  # compatible servers may ignore unknown fields
        expect.error(ctx, create(ctx, zzz=1), 400, "Unknown parameter: 'zzz'.", "zzz", "unknown_parameter")
        moved = ctx.client.request("POST", "/responses", {"model": ctx.model, "messages": []})
        expect.error(ctx, moved, 400, expect.ANY, None, "unsupported_parameter")
    expect.error(ctx, create(ctx, max_output_tokens=15), 400, "Invalid 'max_output_tokens': integer below minimum "
                 "value. Expected a value >= 16, but got 15 instead.", "max_output_tokens", "integer_below_min_value")


CHECKS = [
    Check("response_object", GROUP, "POST /responses → a completed Response valid against the spec, usage adds up",
          response_object),
    Check("response_conventions", GROUP, "id 'resp_…', no output_text on the wire, store echoed true",
          live_conventions, OPENAI_ONLY),
    Check("response_stream_events", GROUP, "stream: event/data framing, no [DONE], valid events, sequence_number "
          "0,1,2…, created first, one terminal event, items in turn, output assembled from the items", stream_rules),
    Check("response_stream_matches", GROUP, "the streamed response.completed has the non-streamed text",
          stream_matches, OPENAI_ONLY),
    Check("response_tool_loop", GROUP, "a function tool is called, then answered from function_call_output", tool_loop),
    Check("response_structured_output", GROUP, "text.format json_schema → output_text valid against the schema",
          structured_output),
    Check("response_previous_id", GROUP, "previous_response_id chains (and an unknown id is the live 400)",
          previous_response),
    Check("response_stored", GROUP, "GET /responses/{id}, input_items, DELETE, then 404", stored),
    Check("response_validation", GROUP, "max_output_tokens below 16 (and in openai: unknown and moved parameters)",
          validation),
]
