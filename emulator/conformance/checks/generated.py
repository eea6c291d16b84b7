"""Generated checks: hypothesis draws requests from the contract's request schema.

Valid requests must get 200 and a valid body (or a valid stream); one-fault
mutations must get a 4xx error envelope, never a 5xx. A failure is shrunk to a
minimal request and reported with a ready-to-run curl command.
"""

from __future__ import annotations

from typing import Any, Callable

from hypothesis import HealthCheck, Phase, Verbosity, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st
from hypothesis.errors import FlakyFailure

from emulator.conformance import expect
from emulator.conformance.context import Check, Context
from emulator.conformance.outcome import CheckFailed, show
from emulator.conformance.strategies import invalid_requests, valid_requests

GROUP = "generated"
STREAM_RULES = ("framing", "done", "chunk_json", "chunk_schema", "same_id", "role_first", "choice_indices",
                "final_chunk", "usage", "obfuscation", "logprobs")


def explore(ctx: Context, strategy: st.SearchStrategy[Any], test: Callable[[Any], None]) -> None:
    """Run ``test`` on ``ctx.examples`` drawn values; the shrunk failure propagates as CheckFailed."""
    # No explain phase: it replays many variants of the failure, each an HTTP request, for notes we do not print.
    config = settings(max_examples=ctx.examples, database=None, deadline=None, derandomize=ctx.seed is None,
                      phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink],
                      suppress_health_check=list(HealthCheck), verbosity=Verbosity.quiet, report_multiple_bugs=False)

    @config
    @given(strategy)
    def prop(value: Any) -> None:
        test(value)

    if ctx.seed is not None:
        prop = hypothesis_seed(ctx.seed)(prop)
    try:
        prop()
    except FlakyFailure as flaky:
        # The server failed a request, then answered the same request correctly on replay.
        first = next((e for e in flaky.exceptions if isinstance(e, CheckFailed)), None)
        if first is None:
            raise
        raise CheckFailed(f"{first} (not reproducible: the same request later succeeded)", first.reproduce) from None


def valid(ctx: Context) -> None:
    def test(request: dict[str, Any]) -> None:
        exchange = ctx.client.create(request)
        if request.get("stream"):
            expect.follows(ctx, exchange, expect.stream_ok(ctx, exchange), request, *STREAM_RULES)
            return
        body = expect.json_ok(exchange, "chat_completion")
        n = request.get("n") or 1
        if len(body["choices"]) != n:
            raise expect.failed(exchange, f"$.choices: expected {n} choices for n={n}, got {len(body['choices'])}")

    explore(ctx, valid_requests(ctx.model), test)


def names(got: str | None, field: str | None) -> bool:
    """Whether an error's param names the broken field, or a path inside it (``stop[0]`` for ``stop``)."""
    if field is None or got is None:
        return got == field
    return got == field or got.startswith((field + "[", field + "."))


def invalid(ctx: Context) -> None:
    def test(case: tuple[dict[str, Any], str | None, str]) -> None:
        request, param, broken = case
        exchange = ctx.client.create(request)
        if exchange.status < 400:
            raise expect.failed(exchange, f"HTTP status for a request with {broken}: expected 400, got {exchange.status}")
        try:
            got = expect.error(ctx, exchange, 400, expect.ANY, expect.ANY, expect.ANY)
        except CheckFailed as error:
            raise CheckFailed(f"a request with {broken}: {error}", exchange.curl()) from None
        if ctx.strictness.exact_errors and not names(got["param"], param):
            raise expect.failed(exchange, f"$.error.param for a request with {broken}: expected {show(param)} "
                                          f"(or a path inside it), got {show(got['param'])}")

    # Compatible servers often ignore unknown fields, so that mutation is only drawn in the openai profile.
    explore(ctx, invalid_requests(ctx.model, unknown_fields=ctx.strictness.exact_errors), test)


CHECKS = [
    Check("generated_valid", GROUP, "requests drawn from the request schema → 200 and a valid body or stream (--examples N)",
          valid),
    Check("generated_invalid", GROUP, "one-fault mutations of valid requests → a 4xx error envelope naming the field, "
          "never a 5xx (--examples N)", invalid),
]
