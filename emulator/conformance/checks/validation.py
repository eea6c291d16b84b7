"""Bad create requests get status 400 and the live API's error envelope (docs/live-api.md#errors)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable
from urllib.parse import urlsplit

from emulator.conformance import expect
from emulator.conformance.context import BOTH, OPENAI_ONLY, Check, Context

GROUP = "validation"

NOT_JSON = (
    "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library "
    "correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON. If you have trouble "
    "figuring out how to fix this, please contact us through our help center at help.openai.com.)"
)


@dataclass(frozen=True)
class BadRequest:
    """A request the live API rejects, and exactly how."""

    name: str
    description: str
    body: Callable[[Context], Any]
    message: str
    param: str | None
    code: str | None
    profiles: frozenset[str] = BOTH

    def check(self) -> Check:
        def run(ctx: Context) -> None:
            exchange = ctx.client.create(self.body(ctx))
            expect.error(ctx, exchange, 400, self.message, self.param, self.code)

        return Check(self.name, GROUP, self.description, run, self.profiles)


def _without(key: str) -> Callable[[Context], Any]:
    return lambda ctx: {k: v for k, v in ctx.request().items() if k != key}


def _with(**fields: Any) -> Callable[[Context], Any]:
    return lambda ctx: ctx.request(**fields)


def _json_object_without_json(ctx: Context) -> Any:
    return ctx.request("Say hello.", response_format={"type": "json_object"})


BAD_REQUESTS = [
    BadRequest("missing_model", "no 'model' → the live lower-case text, null param and code", _without("model"),
               "you must provide a model parameter", None, None),
    BadRequest("missing_messages", "no 'messages' → missing_required_parameter", _without("messages"),
               "Missing required parameter: 'messages'.", "messages", "missing_required_parameter"),
    BadRequest("empty_messages", "'messages': [] → empty_array", _with(messages=[]),
               "Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead.",
               "messages", "empty_array"),
    BadRequest("unknown_parameter", "an unknown top-level field → unknown_parameter", _with(foo=1),
               "Unknown parameter: 'foo'.", "foo", "unknown_parameter", OPENAI_ONLY),
    BadRequest("temperature_type", "'temperature' as a string → invalid_type", _with(temperature="hot"),
               "Invalid type for 'temperature': expected a decimal, but got a string instead.", "temperature", "invalid_type"),
    BadRequest("max_tokens_type", "'max_tokens' as a decimal → invalid_type", _with(max_tokens=1.5),
               "Invalid type for 'max_tokens': expected an integer, but got a decimal number instead.", "max_tokens", "invalid_type"),
    BadRequest("n_above_max", "'n': 130 → integer_above_max_value", _with(n=130),
               "Invalid 'n': integer above maximum value. Expected a value <= 128, but got 130 instead.", "n", "integer_above_max_value"),
    BadRequest("max_tokens_below_min", "'max_tokens': -678 → integer_below_min_value", _with(max_tokens=-678),
               "Invalid 'max_tokens': integer below minimum value. Expected a value >= 1, but got -678 instead.",
               "max_tokens", "integer_below_min_value"),
    BadRequest("temperature_above_max", "'temperature': 2.1 → decimal_above_max_value", _with(temperature=2.1),
               "Invalid 'temperature': decimal above maximum value. Expected a value <= 2, but got 2.1 instead.",
               "temperature", "decimal_above_max_value"),
    BadRequest("temperature_below_min", "'temperature': -2.5 → decimal_below_min_value", _with(temperature=-2.5),
               "Invalid 'temperature': decimal below minimum value. Expected a value >= 0, but got -2.5 instead.",
               "temperature", "decimal_below_min_value"),
    BadRequest("stop_too_long", "'stop' with 9 strings → array_above_max_length", _with(stop=[str(i) for i in range(9)]),
               "Invalid 'stop': array too long. Expected an array with maximum length 4, but got an array with length 9 instead.",
               "stop", "array_above_max_length"),
    BadRequest("invalid_role", "a message with role 'error' → invalid_value",
               lambda ctx: ctx.request() | {"messages": [{"role": "error", "content": "hi"}]},
               "Invalid value: 'error'. Supported values are: 'system', 'assistant', 'user', 'function', 'tool', and 'developer'.",
               "messages[0].role", "invalid_value"),
    BadRequest("stream_options_without_stream", "'stream_options' without 'stream' is rejected",
               _with(stream_options={"include_usage": True}),
               "The 'stream_options' parameter is only allowed when 'stream' is enabled.", "stream_options", None, OPENAI_ONLY),
    BadRequest("tool_choice_without_tools", "'tool_choice' without 'tools' is rejected", _with(tool_choice="none"),
               "Invalid value for 'tool_choice': 'tool_choice' is only allowed when 'tools' are specified.",
               "tool_choice", None, OPENAI_ONLY),
    BadRequest("parallel_tool_calls_without_tools", "'parallel_tool_calls' without 'tools' is rejected",
               _with(parallel_tool_calls=True),
               "Invalid value for 'parallel_tool_calls': 'parallel_tool_calls' is only allowed when 'tools' are specified.",
               "parallel_tool_calls", None, OPENAI_ONLY),
    BadRequest("json_object_without_json", "json_object output needs the word 'json' in the messages", _json_object_without_json,
               "'messages' must contain the word 'json' in some form, to use 'response_format' of type 'json_object'.",
               "messages", None, OPENAI_ONLY),
    BadRequest("metadata_without_store", "'metadata' is only allowed with 'store': true", _with(metadata={"k": "v"}),
               "The 'metadata' parameter is only allowed when 'store' is enabled.", "metadata", None, OPENAI_ONLY),
    BadRequest("metadata_too_many", "17 metadata keys → object_above_max_properties",
               _with(store=True, metadata={f"k{i}": "v" for i in range(17)}),
               "Invalid 'metadata': too many properties. Expected an object with at most 16 properties, but got an object "
               "with 17 properties instead.", "metadata", "object_above_max_properties", OPENAI_ONLY),
    BadRequest("tool_message_without_tool_calls", "a 'tool' message not answering 'tool_calls' is rejected",
               lambda ctx: ctx.request() | {"messages": [{"role": "tool", "content": "42", "tool_call_id": "call_1"}]},
               "Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'.",
               "messages.[0].role", None, OPENAI_ONLY),
]


def invalid_json(ctx: Context) -> None:
    exchange = ctx.client.create(None, raw=b'{"model": "x", "messages": [')
    expect.error(ctx, exchange, 400, NOT_JSON, None, None)


def invalid_url(ctx: Context) -> None:
    exchange = ctx.client.request("POST", "/chat/completion", ctx.request())
    path = urlsplit(exchange.url).path
    expect.error(ctx, exchange, 404, f"Invalid URL (POST {path})", None, None)


def stream_error_is_json(ctx: Context) -> None:
    exchange = ctx.client.create(ctx.request(stream=True, n=130))
    if exchange.content_type.startswith("text/event-stream"):
        raise expect.failed(exchange, "content-type: expected a JSON error before the stream starts, got text/event-stream")
    expect.error(ctx, exchange, 400, "Invalid 'n': integer above maximum value. Expected a value <= 128, but got 130 "
                 "instead.", "n", "integer_above_max_value")


CHECKS = [
    Check("invalid_json", GROUP, "a body that is not JSON → 400 with the live 'could not parse' text", invalid_json),
    *[bad.check() for bad in BAD_REQUESTS],
    Check("invalid_url", GROUP, "an unknown path under the base URL → 404 'Invalid URL (POST …)'", invalid_url),
    Check("stream_error_is_json", GROUP, "a bad request with stream: true → a JSON 400, not an event stream",
          stream_error_is_json),
]
