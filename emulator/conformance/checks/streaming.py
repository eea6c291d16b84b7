"""Streaming: SSE framing, the chunk schema and the chunk sequence rules (docs/live-api.md#streaming)."""

from __future__ import annotations

from typing import Any, Callable

from emulator.conformance import expect
from emulator.conformance.client import Exchange
from emulator.conformance.context import BOTH, OPENAI_ONLY, Check, Context
from emulator.conformance.outcome import CheckSkipped, show
from emulator.conformance.stream_rules import Stream, accumulate

GROUP = "streaming"
PROMPT = "Count from one to five in words."


def basic_stream(ctx: Context) -> tuple[Exchange, Stream, dict[str, Any]]:
    """One plain stream, shared by the checks that each read one rule of it."""
    def make() -> tuple[Exchange, Stream, dict[str, Any]]:
        body = ctx.request(PROMPT, stream=True)
        exchange = ctx.client.create(body)
        return exchange, expect.stream_ok(ctx, exchange), body
    return ctx.once("streaming.basic", make)


def rule_check(name: str, description: str, *rules: str, profiles: frozenset[str] = BOTH) -> Check:
    """A check that applies stream rules to the plain stream."""
    def run(ctx: Context) -> None:
        exchange, stream, body = basic_stream(ctx)
        expect.follows(ctx, exchange, stream, body, *rules)
    return Check(name, GROUP, description, run, profiles)


def streamed(body_fields: dict[str, Any], *rules: str) -> Callable[[Context], None]:
    """A check that sends its own streaming request and applies rules to it."""
    def run(ctx: Context) -> None:
        body = ctx.request(PROMPT, stream=True, **body_fields)
        exchange = ctx.client.create(body)
        expect.follows(ctx, exchange, expect.stream_ok(ctx, exchange), body, "chunk_json", *rules)
    return run


def matches_nonstream(ctx: Context) -> None:
    body = ctx.request(PROMPT, temperature=0, seed=7)
    first = expect.json_ok(ctx.client.create(body), "chat_completion")
    second = expect.json_ok(ctx.client.create(body), "chat_completion")
    content = first["choices"][0]["message"]["content"]
    if content != second["choices"][0]["message"]["content"]:
        raise CheckSkipped("the server is not deterministic (two identical requests gave different content)")
    exchange = ctx.client.create(body | {"stream": True})
    stream = expect.stream_ok(ctx, exchange)
    streamed_content = accumulate(stream).get(0)
    got = streamed_content.content if streamed_content else None
    if got != content:
        raise expect.failed(exchange, f"streamed content: expected the non-stream content {show(content)}, got {show(got)}")


CHECKS = [
    rule_check("stream_framing", "every event is 'data: <compact JSON>\\n\\n' (any valid SSE in compatible)", "framing"),
    rule_check("stream_done", "the stream ends with exactly one 'data: [DONE]'", "done"),
    rule_check("stream_chunk_schema", "every chunk is JSON valid against CreateChatCompletionStreamResponse",
               "chunk_json", "chunk_schema"),
    rule_check("stream_same_id", "id, created and model are the same on every chunk", "same_id"),
    rule_check("stream_role_first", "each choice's first delta carries role 'assistant', and no later delta does",
               "role_first", "choice_indices"),
    rule_check("stream_final_chunk", "each choice ends with one chunk with a finish_reason (delta {} in openai), nothing after",
               "final_chunk"),
    rule_check("stream_no_usage_by_default", "without include_usage no chunk carries usage", "usage",
               profiles=OPENAI_ONLY),
    Check("stream_include_usage", GROUP, "include_usage → usage null on every chunk, then one last chunk with choices [] "
          "and usage, before [DONE]", streamed({"stream_options": {"include_usage": True}}, "usage", "done")),
    Check("stream_obfuscation_off", GROUP, "include_obfuscation: false → no chunk has an obfuscation field",
          streamed({"stream_options": {"include_obfuscation": False}}, "obfuscation"), OPENAI_ONLY),
    Check("stream_matches_nonstream", GROUP, "the streamed content equals the non-stream content of the same "
          "deterministic request (skips when the server is not deterministic)", matches_nonstream, OPENAI_ONLY),
]
