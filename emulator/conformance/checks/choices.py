"""``n > 1``: several choices, whole or streamed (docs/live-api.md#streaming)."""

from __future__ import annotations

from emulator.conformance import expect
from emulator.conformance.context import Check, Context
from emulator.conformance.outcome import show

GROUP = "n"
N = 3


def n_choices(ctx: Context) -> None:
    exchange = ctx.client.create(ctx.request(n=N))
    body = expect.json_ok(exchange, "chat_completion")
    indices = [choice["index"] for choice in body["choices"]]
    if indices != list(range(N)):
        raise expect.failed(exchange, f"$.choices[*].index: expected {list(range(N))}, got {show(indices)}")


def n_stream(ctx: Context) -> None:
    body = ctx.request(n=N, stream=True)
    exchange = ctx.client.create(body)
    stream = expect.stream_ok(ctx, exchange)
    expect.follows(ctx, exchange, stream, body,
                   "chunk_json", "chunk_schema", "same_id", "choice_indices", "role_first", "final_chunk", "done")


CHECKS = [
    Check("n_choices", GROUP, f"n: {N} → {N} choices indexed 0..{N - 1}", n_choices),
    Check("n_stream", GROUP, f"n: {N} streamed → indices appear in order, each choice has its role first and its own final chunk",
          n_stream),
]
