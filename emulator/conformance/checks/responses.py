"""Non-streaming responses: every field and type against the contract, plus the live conventions."""

from __future__ import annotations

import re
from typing import Any

from emulator.conformance import expect
from emulator.conformance.context import OPENAI_ONLY, Check, Context
from emulator.conformance.outcome import show

GROUP = "completion"

COMPLETION_ID = re.compile(r"^chatcmpl-[A-Za-z0-9]+$")


def basic(ctx: Context) -> tuple[Any, dict[str, Any]]:
    """One plain completion, shared by the checks that only read it."""
    def make() -> tuple[Any, dict[str, Any]]:
        exchange = ctx.client.create(ctx.request())
        return exchange, expect.json_ok(exchange, "chat_completion")
    return ctx.once("responses.basic", make)


def completion_schema(ctx: Context) -> None:
    exchange, body = basic(ctx)
    choices = body["choices"]
    if len(choices) != 1 or choices[0]["index"] != 0:
        raise expect.failed(exchange, f"$.choices: expected one choice with index 0, got {show(choices)}")
    message = choices[0]["message"]
    if not isinstance(message["content"], str) or message["refusal"] is not None:
        raise expect.failed(exchange, f"$.choices[0].message: expected text content and refusal null, got {show(message)}")
    if choices[0]["finish_reason"] not in ("stop", "length"):
        raise expect.failed(exchange, f"$.choices[0].finish_reason: expected \"stop\" or \"length\", got "
                                      f"{show(choices[0]['finish_reason'])}")


def usage_totals(ctx: Context) -> None:
    exchange, body = basic(ctx)
    usage = body.get("usage")
    if usage is None:
        raise expect.failed(exchange, "$.usage: expected token usage, got nothing")
    if usage["total_tokens"] != usage["prompt_tokens"] + usage["completion_tokens"]:
        raise expect.failed(exchange, f"$.usage.total_tokens: expected prompt_tokens + completion_tokens = "
                                      f"{usage['prompt_tokens'] + usage['completion_tokens']}, got {usage['total_tokens']}")


def live_conventions(ctx: Context) -> None:
    exchange, body = basic(ctx)
    if not COMPLETION_ID.match(body["id"]):
        raise expect.failed(exchange, f"$.id: expected 'chatcmpl-' + alphanumerics, got {show(body['id'])}")
    if not body["model"].startswith(ctx.model):
        raise expect.failed(exchange, f"$.model: expected the requested model {show(ctx.model)} or its snapshot, "
                                      f"got {show(body['model'])}")
    if body["choices"][0]["logprobs"] is not None:
        raise expect.failed(exchange, f"$.choices[0].logprobs: expected null without logprobs: true, got "
                                      f"{show(body['choices'][0]['logprobs'])}")


def length_limit(ctx: Context) -> None:
    exchange = ctx.client.create(ctx.request("Write a long story about a lighthouse.", max_completion_tokens=1))
    body = expect.json_ok(exchange, "chat_completion")
    choice = body["choices"][0]
    if choice["finish_reason"] != "length":
        raise expect.failed(exchange, f"$.choices[0].finish_reason: expected \"length\" with max_completion_tokens: 1, "
                                      f"got {show(choice['finish_reason'])}")
    completion_tokens = (body.get("usage") or {}).get("completion_tokens", 0)
    if completion_tokens > 1:
        raise expect.failed(exchange, f"$.usage.completion_tokens: expected at most 1, got {completion_tokens}")


def message_history(ctx: Context) -> None:
    messages = [
        {"role": "developer", "content": "Answer briefly."},
        {"role": "system", "content": [{"type": "text", "text": "Be friendly."}]},
        {"role": "user", "content": "Hi"},
        {"role": "assistant", "content": "Hello! How can I help?"},
        {"role": "user", "content": [{"type": "text", "text": "Name a colour."}]},
    ]
    exchange = ctx.client.create({"model": ctx.model, "messages": messages})
    expect.json_ok(exchange, "chat_completion")


CHECKS = [
    Check("completion_schema", GROUP, "a plain request → 200 JSON valid against CreateChatCompletionResponse, one text choice",
          completion_schema),
    Check("usage_totals", GROUP, "usage is present and total_tokens = prompt_tokens + completion_tokens", usage_totals),
    Check("live_conventions", GROUP, "id is 'chatcmpl-…', model echoes the request, logprobs null unless asked",
          live_conventions, OPENAI_ONLY),
    Check("length_limit", GROUP, "max_completion_tokens: 1 → finish_reason 'length' and at most 1 completion token",
          length_limit),
    Check("message_history", GROUP, "developer/system/user/assistant turns, string and text-part content → 200",
          message_history),
]
