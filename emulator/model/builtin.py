"""The built-in model: answers any valid request deterministically when no scenario matches.

Same request, same reply (ids and timestamps aside): everything random is drawn from a hash of
the conversation, the model, the `seed` field and the choice index (`draws.Draws`), never from the
clock or a salted `hash()`. `stream` and `stream_options` do not enter the seed, so a stream concatenates to exactly
the non-streamed reply.
"""
from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from .. import encodings
from ..contract.chat_request import ChatRequest
from ..ids import system_fingerprint, text_seed
from ..reply import Choice, Reply, ToolCall, Usage
from ..tokens import count_tokens, join, tokenize, tokenize_parts
from . import text
from .completion_budget import budget_tokens, cut_tool_calls, output_budget, schema_errors, tool_param
from .draws import Draws
from .guided import GUIDED_FIELDS, guided_content
from .json_mode import json_object_content
from .logprobs import TokenLogprob, token_logprobs
from .schema_values.budget import TokenBudget
from .tool_policy import ToolSpec, choose_calls

# Hidden reasoning tokens a reasoning model spends, by `reasoning_effort` (default medium).
REASONING_TOKENS = {"none": 0, "minimal": 0, "low": 64, "medium": 192, "high": 512, "xhigh": 1024, "max": 2048}


def request_seed(request: ChatRequest) -> int:
    """What the answer depends on, hashed: the model, the `seed` field, the conversation's length, the
    last user message, the last role, the tool results it answers and the system text. Joined in one
    f-string (the parts and separators of `stable_seed(...)`, which the pinned answers were made with)."""
    messages = request.messages
    role = messages[-1]["role"]
    results = request.tool_results if role in ("tool", "function") else None
    answered = "|".join([r["content"] for r in results]) if results else ""
    return text_seed(f"{request.model.snapshot}\x1f{request.body.get('seed')}\x1f{len(messages)}\x1f"
                     f"{request.last_user_text}\x1f{role}\x1f{answered}\x1f{request.system_text}")


def respond(request: ChatRequest) -> Reply:
    seed = request_seed(request)
    model = request.model
    reasoning = REASONING_TOKENS[request.body.get("reasoning_effort") or "medium"] if model.is_reasoning else 0
    if _answers_plainly(request):
        return _plain_reply(request, seed, reasoning)
    choices = _distinct_choices(request, seed, reasoning)
    encoding = model.tokenizer
    completion = reasoning * len(choices)
    for choice in choices:
        completion += choice_tokens(choice, encoding)
    return Reply(
        choices=choices,
        usage=Usage(request.prompt_tokens, completion, reasoning_tokens=reasoning * len(choices)),
        model=model.snapshot,
        service_tier=request.service_tier,
        system_fingerprint=_fingerprint(model.snapshot),
        metadata=request.body.get("metadata"),
        tokenizer=encoding,
    )


# --- the plain answer: what most requests get ------------------------------------------------------
# One choice of conversational text (`text.conversational_text`) for a request whose last message is
# the user's text and that asks for nothing that shapes the answer: no tools, no structured or guided
# output, no logprobs, no stop sequences, no trigger phrase. It is what `_choice` builds for such a
# request (`tests/test_plain_reply.py` holds the two paths to the same replies), in one pass: the
# fixed parts' tokens come from a kit kept per model, only the quote of the user's text is cut into
# tokens, and nothing is drawn: the closing sentence is picked by the request's hash.

def _answers_plainly(request: ChatRequest) -> bool:
    body = request.body
    last = request.messages[-1]
    if last["role"] != "user" or type(last.get("content")) is not str:
        return False  # tool results to answer, or content parts (media to describe)
    said: str = last["content"]
    if text.REFUSAL_TRIGGER in said or text.CONTENT_FILTER_TRIGGER in said:
        return False
    if len(body) == 2 and "model" in body:  # only the model and the messages: none of the options below
        return True
    if body.get("tools") or body.get("functions") or body.get("logprobs") or body.get("stop") is not None:
        return False
    response_format = body.get("response_format")
    if response_format is not None and response_format.get("type") != "text":
        return False
    return request.n == 1 and body.keys().isdisjoint(GUIDED_FIELDS)


class _Kit:
    """What every plain answer of one model holds alike: the opening sentence and the closing
    sentences (with their leading space), each with its tokens in the model's encoding."""

    __slots__ = ("opening", "opening_tokens", "closings")

    def __init__(self, snapshot: str, encoding: str) -> None:
        self.opening = text.opening(snapshot)
        self.opening_tokens = tokenize(self.opening, encoding)
        self.closings = {s: (" " + s, tokenize(" " + s, encoding)) for s in text.SENTENCES}


# Bounded: models come from the catalogue, but an `accept_any` one takes any id.
_kit = lru_cache(maxsize=256)(_Kit)


def _plain_reply(request: ChatRequest, seed: int, reasoning: int) -> Reply:
    model = request.model
    encoding = model.tokenizer
    kit = _kit(model.snapshot, encoding)
    closing, closing_tokens = kit.closings[text.filler(seed, 0)]
    quoted = text.quoted(request.last_user_text)
    if quoted:  # the first part holds the user's words: cut anew (its words are in the chunk cache)
        tokens = [*kit.opening_tokens, *encodings.get(encoding).pieces(quoted[0]),
                  *tokenize_parts(quoted[1:], encoding), *closing_tokens]
        content = "".join([kit.opening, *quoted, closing])
    else:
        tokens = [*kit.opening_tokens, *closing_tokens]
        content = kit.opening + closing
    choice = Choice(0, content, tokens=tokens)
    if len(tokens) > budget_tokens(request, reasoning) or not content.isascii():
        _apply_limits(request, choice, reasoning)
    # Positional where it reads plainly: the pure build pays for each keyword of a call.
    snapshot = model.snapshot
    return Reply([choice], Usage(request.prompt_tokens, reasoning + len(choice.tokens), reasoning), snapshot,
                 request.service_tier, _fingerprint(snapshot), request.body.get("metadata"), tokenizer=encoding)


_fingerprint = lru_cache(maxsize=64)(system_fingerprint)  # a hash per snapshot, not per request


# How often a choice is drawn again when it repeats an earlier one of the same request, and how far
# apart the attempts' seeds are (attempt 0 is the plain seed, so `n=1` answers never change).
_DISTINCT_ATTEMPTS = 8
_ATTEMPT_STRIDE = 1_000_003


def _distinct_choices(request: ChatRequest, seed: int, reasoning: int) -> list[Choice]:
    """The `n` choices, pairwise different as sampled choices are: text differs by construction
    (`text.filler`); tool arguments and JSON output are drawn again while they repeat an earlier
    choice and the schema leaves room (values the message pins stay pinned)."""
    n = request.n
    if n == 1:  # nothing to differ from
        return [_choice(request, 0, Draws(seed), reasoning, text.filler(seed, 0))]
    choices: list[Choice] = []
    seen: set[tuple[Any, ...]] = set()
    for index in range(n):
        closing = text.filler(seed, index)
        for attempt in range(_DISTINCT_ATTEMPTS):
            choice = _choice(request, index, Draws(seed + index + attempt * _ATTEMPT_STRIDE), reasoning, closing)
            says = _what_it_says(choice)
            if says not in seen:
                break
        seen.add(says)
        choices.append(choice)
    return choices


def _what_it_says(choice: Choice) -> tuple[Any, ...]:
    """A choice without its ids: what makes two choices the same answer."""
    calls = tuple((call.name, call.arguments) for call in choice.tool_calls)
    legacy = (choice.function_call.name, choice.function_call.arguments) if choice.function_call else None
    return choice.content, choice.refusal, calls, legacy


def choice_tokens(choice: Choice, encoding: str) -> int:
    """Completion tokens of one choice: its text, or its tool calls (name, arguments, overhead)."""
    total = len(choice.tokens)
    for call in choice.tool_calls:
        total += count_tokens(call.name, encoding) + count_tokens(call.arguments, encoding) + 3
    if choice.function_call:
        function = choice.function_call
        total += count_tokens(function.name, encoding) + count_tokens(function.arguments, encoding) + 3
    return total


def _choice(request: ChatRequest, index: int, draws: Draws, reasoning: int, closing: str) -> Choice:
    said = request.last_user_text
    from_user = request.last_message["role"] == "user"
    encoding = request.model.tokenizer
    if from_user and text.REFUSAL_TRIGGER in said:
        tokens = tokenize(text.REFUSAL_TEXT, encoding)
        return Choice(index, refusal=text.REFUSAL_TEXT, tokens=tokens, finish_reason="stop",
                      logprobs=_logprobs(request, tokens, draws))
    calls = choose_calls(request)
    if calls:
        choice = _tool_call_choice(request, index, calls, draws, reasoning)
        cut_tool_calls(choice, budget_tokens(request, reasoning), encoding)
        return choice
    parts = _content(request, index, draws, closing, reasoning)
    choice = Choice(index, content="".join(parts), tokens=tokenize_parts(parts, encoding))
    _apply_limits(request, choice, reasoning)
    if from_user and text.CONTENT_FILTER_TRIGGER in said:
        choice.tokens = choice.tokens[: len(choice.tokens) // 2]
        choice.content = join(choice.tokens)
        choice.finish_reason = "content_filter"
    if request.logprobs:
        choice.logprobs = _logprobs(request, choice.tokens, draws)
    return choice


def _content(request: ChatRequest, index: int, draws: Draws, closing: str, reasoning: int) -> list[str]:
    """The reply text, in parts that tokenize separately (see `tokens.tokenize_parts`)."""
    response_format = request.response_format or {}
    kind = response_format.get("type")
    if kind == "json_schema":
        from .schema_values import generate_value

        spec = response_format["json_schema"]
        schema = spec.get("schema") or {"type": "object"}
        with schema_errors(f"Invalid schema for response_format '{spec.get('name')}'", "response_format"):
            value = generate_value(schema, seed=draws.bits64(), hint_text=request.last_user_text,
                                   budget=output_budget(request, reasoning))
        return [json.dumps(value, ensure_ascii=False)]
    guided = guided_content(request, draws, lambda: output_budget(request, reasoning))  # vLLM's guided_* (vllm profile)
    if guided is not None:
        return [guided]
    if request.tool_results and request.last_message["role"] in ("tool", "function"):
        parts = [text.tool_results_text(request.tool_results)]
        if index:  # the other choices say it and then something of their own
            parts.append(" " + closing)
    else:
        parts = text.conversational_text(request, closing)
    if kind == "json_object":
        return [json_object_content(request, "".join(parts), draws.bits64(), output_budget(request, reasoning))]
    return parts


def _apply_limits(request: ChatRequest, choice: Choice, reasoning: int) -> None:
    """`stop` cuts before the first stop sequence; the token budget (after reasoning) cuts with `length`."""
    content = choice.content or ""
    stop = request.stop
    cut = min((i for s in stop if (i := content.find(s)) >= 0), default=-1) if stop else -1
    if cut >= 0:
        content = content[:cut]
        choice.tokens = tokenize(content, request.model.tokenizer)
    budget = budget_tokens(request, reasoning)
    if len(choice.tokens) > budget:
        choice.tokens = choice.tokens[:budget]
        choice.finish_reason = "length"
    elif cut < 0 and content.isascii():
        return  # uncut ASCII: the tokens' text is the content as it is (`join` changes no character)
    choice.content = join(choice.tokens)


def _logprobs(request: ChatRequest, tokens: list[str], draws: Draws) -> list[TokenLogprob] | None:
    if not request.logprobs:
        return None
    return token_logprobs(tokens, request.top_logprobs, draws.rng())


def _tool_call_choice(request: ChatRequest, index: int, calls: list[ToolSpec], draws: Draws,
                      reasoning: int) -> Choice:
    budget = output_budget(request, reasoning)
    built = [ToolCall(draws.call_id(), spec.name, _arguments(spec, request, draws, budget),
                      "custom" if spec.type == "custom" else "function") for spec in calls]
    if calls[0].type == "legacy_function":
        return Choice(index, function_call=built[0], finish_reason="function_call")
    return Choice(index, tool_calls=built, finish_reason="tool_calls")


def _arguments(spec: ToolSpec, request: ChatRequest, draws: Draws, budget: TokenBudget) -> str:
    if spec.type == "custom":
        return _custom_input(spec, request, draws, budget)
    from .schema_values import generate_arguments

    where = tool_param(request, spec.name, spec.type)
    with schema_errors(f"Invalid schema for function '{spec.name}'", where, "invalid_function_parameters"):
        return generate_arguments(spec.parameters, seed=draws.bits64(), hint_text=request.last_user_text,
                                  budget=budget)


def _custom_input(spec: ToolSpec, request: ChatRequest, draws: Draws, budget: TokenBudget) -> str:
    """Custom tools take free text; a regex grammar gets a matching string (the whole input)."""
    grammar: dict[str, Any] = (spec.format or {}).get("grammar") or {}
    if grammar.get("syntax") == "regex":
        from .schema_values import generate_value

        pattern = {"type": "string", "pattern": f"^(?:{grammar['definition']})$"}
        with schema_errors(f"Invalid grammar for custom tool '{spec.name}'", tool_param(request, spec.name, "custom")):
            return generate_value(pattern, seed=draws.bits64(), budget=budget)
    return request.last_user_text or spec.name
