"""Token log probabilities, whole and streamed."""

from __future__ import annotations

from emulator.conformance import expect
from emulator.conformance.context import Check, Context
from emulator.conformance.outcome import show
from emulator.conformance.stream_rules import spelled_bytes

GROUP = "logprobs"
TOP = 2


def logprobs_content(ctx: Context) -> None:
    exchange = ctx.client.create(ctx.request(logprobs=True, top_logprobs=TOP))
    body = expect.json_ok(exchange, "chat_completion")
    choice = body["choices"][0]
    tokens = (choice["logprobs"] or {}).get("content")
    if not tokens:
        raise expect.failed(exchange, f"$.choices[0].logprobs.content: expected token entries, got {show(choice['logprobs'])}")
    for i, token in enumerate(tokens):
        if len(token["top_logprobs"]) > TOP:
            raise expect.failed(exchange, f"$.choices[0].logprobs.content[{i}].top_logprobs: expected at most {TOP} "
                                          f"entries, got {len(token['top_logprobs'])}")
        if token["logprob"] > 0:
            raise expect.failed(exchange, f"$.choices[0].logprobs.content[{i}].logprob: expected <= 0, got {token['logprob']}")
    spelled = spelled_bytes(tokens).decode("utf-8", "replace")
    if ctx.strictness.live_extras and spelled != choice["message"]["content"]:
        raise expect.failed(exchange, f"$.choices[0].logprobs.content[*].token: expected them to spell the content "
                                      f"{show(choice['message']['content'])}, got {show(spelled)}")


def logprobs_stream(ctx: Context) -> None:
    body = ctx.request(logprobs=True, top_logprobs=TOP, stream=True)
    exchange = ctx.client.create(body)
    stream = expect.stream_ok(ctx, exchange)
    expect.follows(ctx, exchange, stream, body, "chunk_json", "chunk_schema", "logprobs", "done")


CHECKS = [
    Check("logprobs_content", GROUP, f"logprobs with top_logprobs: {TOP} → token entries, ≤ {TOP} alternatives, "
          "tokens spell the content", logprobs_content),
    Check("logprobs_stream", GROUP, "streamed logprobs accompany every content delta", logprobs_stream),
]
