"""Function tools: forced calls, named choice, none, a tool-result turn, and tool-call streaming."""

from __future__ import annotations

import json
import re
from typing import Any

import jsonschema

from emulator.conformance import expect
from emulator.conformance.client import Exchange
from emulator.conformance.context import Check, Context
from emulator.conformance.outcome import show
from emulator.conformance.stream_rules import accumulate

GROUP = "tools"

PARAMETERS: dict[str, dict[str, Any]] = {
    "get_weather": {"type": "object", "properties": {"city": {"type": "string"}, "unit": {"type": "string", "enum": ["c", "f"]}},
                    "required": ["city", "unit"], "additionalProperties": False},
    "get_time": {"type": "object", "properties": {"zone": {"type": "string"}}, "required": ["zone"], "additionalProperties": False},
}
TOOLS = [{"type": "function", "function": {"name": name, "description": f"{name.replace('_', ' ')}", "strict": True,
                                           "parameters": schema}} for name, schema in PARAMETERS.items()]
PROMPT = "What is the weather in Paris, and the time in Tokyo?"
CALL_ID = re.compile(r"^call_[A-Za-z0-9]+$")


def check_call(ctx: Context, exchange: Exchange, where: str, name: str, arguments: str, call_id: str,
               allowed: tuple[str, ...]) -> None:
    """A tool call names a requested tool and its arguments are JSON valid against that tool's parameters."""
    if name not in allowed:
        raise expect.failed(exchange, f"{where}.function.name: expected one of {show(list(allowed))}, got {show(name)}")
    if ctx.strictness.live_extras and not CALL_ID.match(call_id):
        raise expect.failed(exchange, f"{where}.id: expected 'call_' + alphanumerics, got {show(call_id)}")
    try:
        value = json.loads(arguments)
    except ValueError:
        raise expect.failed(exchange, f"{where}.function.arguments: expected a JSON string, got {show(arguments)}") from None
    error = jsonschema.exceptions.best_match(jsonschema.Draft202012Validator(PARAMETERS[name]).iter_errors(value))
    if error is not None:
        raise expect.failed(exchange, f"{where}.function.arguments{error.json_path[1:]}: expected arguments valid against "
                                      f"the strict parameters, got {show(value)} ({error.message})")


def forced(ctx: Context, tool_choice: Any, allowed: tuple[str, ...]) -> None:
    exchange = ctx.client.create(ctx.request(PROMPT, tools=TOOLS, tool_choice=tool_choice))
    body = expect.json_ok(exchange, "chat_completion")
    choice = body["choices"][0]
    calls = choice["message"].get("tool_calls") or []
    if not calls:
        raise expect.failed(exchange, f"$.choices[0].message.tool_calls: expected at least one call with tool_choice "
                                      f"{show(tool_choice)}, got {show(choice['message'])}")
    if choice["finish_reason"] not in ("tool_calls", "stop"):
        raise expect.failed(exchange, f"$.choices[0].finish_reason: expected \"tool_calls\", got {show(choice['finish_reason'])}")
    if ctx.strictness.live_extras and choice["message"]["content"] is not None:
        raise expect.failed(exchange, f"$.choices[0].message.content: expected null beside tool calls, got "
                                      f"{show(choice['message']['content'])}")
    for i, call in enumerate(calls):
        if call.get("type") != "function":
            raise expect.failed(exchange, f"$.choices[0].message.tool_calls[{i}].type: expected \"function\", got {show(call.get('type'))}")
        check_call(ctx, exchange, f"$.choices[0].message.tool_calls[{i}]", call["function"]["name"],
                   call["function"]["arguments"], call["id"], allowed)


def tool_call(ctx: Context) -> None:
    forced(ctx, "required", tuple(PARAMETERS))


def tool_choice_named(ctx: Context) -> None:
    forced(ctx, {"type": "function", "function": {"name": "get_time"}}, ("get_time",))


def tool_choice_none(ctx: Context) -> None:
    exchange = ctx.client.create(ctx.request(PROMPT, tools=TOOLS, tool_choice="none"))
    message = expect.json_ok(exchange, "chat_completion")["choices"][0]["message"]
    if message.get("tool_calls") or not isinstance(message["content"], str):
        raise expect.failed(exchange, f"$.choices[0].message: expected text and no tool_calls with tool_choice \"none\", "
                                      f"got {show(message)}")


def tool_result_turn(ctx: Context) -> None:
    call = {"id": "call_conformance0000000000001", "type": "function",
            "function": {"name": "get_weather", "arguments": "{\"city\":\"Paris\",\"unit\":\"c\"}"}}
    messages = [{"role": "user", "content": PROMPT},
                {"role": "assistant", "content": None, "tool_calls": [call]},
                {"role": "tool", "tool_call_id": call["id"], "content": "18 degrees and sunny"}]
    exchange = ctx.client.create({"model": ctx.model, "messages": messages, "tools": TOOLS})
    expect.json_ok(exchange, "chat_completion")


def tool_stream(ctx: Context) -> None:
    body = ctx.request(PROMPT, tools=TOOLS, tool_choice="required", stream=True)
    exchange = ctx.client.create(body)
    stream = expect.stream_ok(ctx, exchange)
    expect.follows(ctx, exchange, stream, body,
                   "chunk_json", "chunk_schema", "role_first", "tool_calls", "tool_arguments", "final_chunk", "done")
    choice = accumulate(stream).get(0)
    if choice is None or not choice.tool_calls:
        raise expect.failed(exchange, "delta.tool_calls: expected streamed tool calls with tool_choice \"required\", got none")
    for i, call in enumerate(choice.tool_calls):
        check_call(ctx, exchange, f"streamed tool call {i}", call["name"], call["arguments"], call["id"], tuple(PARAMETERS))


CHECKS = [
    Check("tool_call", GROUP, "tool_choice 'required' → tool_calls naming a given tool, arguments valid JSON for its "
          "strict schema", tool_call),
    Check("tool_choice_named", GROUP, "tool_choice naming a function → only that function is called", tool_choice_named),
    Check("tool_choice_none", GROUP, "tool_choice 'none' → a text answer without tool_calls", tool_choice_none),
    Check("tool_result_turn", GROUP, "an assistant tool_calls turn answered by a tool message → 200", tool_result_turn),
    Check("tool_stream", GROUP, "streamed tool calls: first delta has index/id/type/name/arguments '', later deltas only "
          "index + arguments, indices contiguous, arguments JSON", tool_stream),
]
