"""The completion budget of a choice, and the cut the live API makes when a reply reaches it.

The budget is `max_completion_tokens` (else `max_tokens`), else the model's output limit, less
the hidden reasoning tokens. The emulator renders a reply whole before sending it, so one reply
holds at most `MAX_REPLY_TOKENS` over all its choices (at least `MIN_CHOICE_TOKENS` each): a
hostile schema with `n: 128` on a 128k-token model would otherwise be rendered as gigabytes of
stream. Only replies that long are cut earlier than the live API would cut them
(docs/security.md). Text content is cut by `builtin._apply_limits`; here are the
budget handed to the schema-value generator (so a schema asking for a megabyte costs only what
the reply can hold) and the cut of tool-call arguments, which end with `finish_reason: "length"`
like text does.
"""
from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

from ..contract.chat_request import ChatRequest
from ..contract.errors import bad_request
from ..reply import Choice, ToolCall
from ..tokens import count_tokens, join, tokenize
from .schema_values import SchemaGenerationError
from .schema_values.budget import TokenBudget

_CALL_OVERHEAD = 3  # tokens a tool call costs beyond its name and arguments (see builtin.choice_tokens)
MAX_REPLY_TOKENS = 16_384  # about 5 MB as a stream (a chunk per token)
MIN_CHOICE_TOKENS = 256


def budget_tokens(request: ChatRequest, reasoning: int = 0) -> int:
    limit = request.max_tokens if request.max_tokens is not None else request.model.max_output_tokens
    limit = min(limit - reasoning, max(MAX_REPLY_TOKENS // max(request.n, 1), MIN_CHOICE_TOKENS))
    return max(limit, 0)


def output_budget(request: ChatRequest, reasoning: int = 0) -> TokenBudget:
    """The budget a generated document is cut at, with the model's encoding."""
    return TokenBudget(budget_tokens(request, reasoning), request.model.tokenizer)


def cut_tool_calls(choice: Choice, budget: int, encoding: str) -> None:
    """Cut the calls where the budget runs out: later calls are dropped, the arguments of the
    one the budget ends in are cut at a token boundary, and the choice finishes with `length`."""
    calls: list[ToolCall] = choice.tool_calls or ([choice.function_call] if choice.function_call else [])
    left = budget
    for index, call in enumerate(calls):
        fixed = count_tokens(call.name, encoding) + _CALL_OVERHEAD
        cost = fixed + count_tokens(call.arguments, encoding)
        if cost <= left:
            left -= cost
            continue
        call.arguments = join(tokenize(call.arguments, encoding)[: max(left - fixed, 0)])
        if choice.tool_calls:
            choice.tool_calls = calls[: index + 1]
        choice.finish_reason = "length"
        return


@contextmanager
def schema_errors(message: str, param: str, code: str | None = None) -> Iterator[None]:
    """A schema the generator cannot satisfy (or refuses to) is the client's error: a 400 that
    names the schema and the place in it, never a 500."""
    try:
        yield
    except SchemaGenerationError as exc:
        raise bad_request(f"{message}: {exc}.", param, code) from None


def tool_param(request: ChatRequest, name: str, kind: str) -> str:
    """Where a tool's schema or grammar sits in the request (`tools[2].function.parameters`)."""
    if kind == "legacy_function":
        index = next((i for i, f in enumerate(request.functions) if f.get("name") == name), 0)
        return f"functions[{index}].parameters"
    key = "custom" if kind == "custom" else "function"
    index = next((i for i, t in enumerate(request.tools) if (t.get(key) or {}).get("name") == name), 0)
    return f"tools[{index}].custom.format" if kind == "custom" else f"tools[{index}].function.parameters"
