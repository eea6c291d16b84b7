"""Scripted replies → `emulator.reply.Reply`, compiled once per scenario.

Content can quote the request with `{{last_user}}`, `{{model}}`, ... (see `PLACEHOLDERS`). Tool
calls take the arguments given, or generate them from the offered tool's schema as the built-in
model does. A reply that gives no content, refusal or tool calls keeps the built-in model's
answer and changes only what it does give (finish reason, usage, pacing, ...).
"""
from __future__ import annotations

import re
from typing import Any, Callable

from ..contract.chat_request import ChatRequest
from ..ids import stable_seed, system_fingerprint
from ..model import builtin
from ..model.draws import Draws
from ..model.logprobs import token_logprobs
from ..model.tool_policy import offered_tools
from ..pacing import Pacing
from ..reply import Choice, Reply, TokenLogprob, ToolCall, Usage
from ..tokens import tokenize
from ..json_text import dumps

_PLACEHOLDER = re.compile(r"\{\{\s*([a-z_]+)(?:\.([^}\s]+))?\s*\}\}")


def _last_tool_result(request: ChatRequest, key: str) -> str:
    results = request.tool_results
    return results[-1][key] if results else ""


# Placeholder → its text for a request; `metadata.KEY` and `headers.KEY` take a key.
PLACEHOLDERS: dict[str, Callable[[ChatRequest, str | None], str]] = {
    "last_user": lambda r, _: r.last_user_text,
    "model": lambda r, _: r.body.get("model", r.model.id),
    "system": lambda r, _: r.system_text,
    "turn": lambda r, _: str(r.turn),
    "user": lambda r, _: r.body.get("user") or "",
    "tool_result": lambda r, _: _last_tool_result(r, "content"),
    "tool_name": lambda r, _: _last_tool_result(r, "name"),
    "metadata": lambda r, key: str((r.body.get("metadata") or {}).get(key or "", "")),
    "headers": lambda r, key: r.headers.get((key or "").lower(), ""),
}


def placeholders_in(text: str) -> list[str]:
    """The placeholder names a template uses (for the file check)."""
    return [m.group(1) for m in _PLACEHOLDER.finditer(text)]


def render(template: str, request: ChatRequest) -> str:
    if "{{" not in template:
        return template
    return _PLACEHOLDER.sub(lambda m: PLACEHOLDERS[m.group(1)](request, m.group(2)), template)


def _render_value(value: Any, request: ChatRequest) -> Any:
    if isinstance(value, str):
        return render(value, request)
    if isinstance(value, dict):
        return {k: _render_value(v, request) for k, v in value.items()}
    if isinstance(value, list):
        return [_render_value(v, request) for v in value]
    return value


class ChoiceTemplate:
    def __init__(self, spec: dict[str, Any], verbatim: bool = False) -> None:
        self.spec = spec
        self.scripted = any(k in spec for k in ("content", "refusal", "tool_calls", "chunks"))
        self.verbatim = verbatim
        self.fill: Callable[[str, ChatRequest], str] = (lambda text, _: text) if verbatim else render

    def build(self, request: ChatRequest, index: int, draws: Draws, fallback: Reply | None) -> Choice:
        spec = self.spec
        fill = self.fill
        if not self.scripted:
            assert fallback is not None
            choice = fallback.choices[index % len(fallback.choices)]
            choice.index = index
        elif "tool_calls" in spec:
            choice = self._tool_call_choice(request, index, draws)
        elif "refusal" in spec:
            text = fill(spec["refusal"], request)
            choice = Choice(index, refusal=text, tokens=spec.get("chunks") or tokenize(text, request.model.tokenizer))
        elif "chunks" in spec:  # a recorded stream: its fragments as sent, sent the same way again
            choice = Choice(index, content="".join(spec["chunks"]), tokens=list(spec["chunks"]))
        else:
            content = spec["content"]
            content = None if content is None else fill(content, request)
            choice = Choice(index, content=content, tokens=tokenize(content or "", request.model.tokenizer))
        if "finish_reason" in spec:
            choice.finish_reason = spec["finish_reason"]
        self._logprobs(choice, request, draws)
        return choice

    def _tool_call_choice(self, request: ChatRequest, index: int, draws: Draws) -> Choice:
        offered = {spec.name: spec for spec in offered_tools(request)}
        calls = []
        for call in self.spec["tool_calls"]:
            tool = offered.get(call["name"])
            kind = call.get("type") or ("custom" if tool is not None and tool.type == "custom" else "function")
            calls.append(ToolCall(call.get("id") or draws.call_id(), call["name"],
                                  _arguments(call, tool, request, draws, self.verbatim), kind))
        legacy = bool(request.functions) and not request.tools
        if legacy:
            return Choice(index, function_call=calls[0], finish_reason="function_call")
        return Choice(index, tool_calls=calls, finish_reason="tool_calls")

    def _logprobs(self, choice: Choice, request: ChatRequest, draws: Draws) -> None:
        given = self.spec.get("logprobs")
        if isinstance(given, list):
            choice.logprobs = [TokenLogprob(e["token"], e["logprob"],
                                            [(t["token"], t["logprob"]) for t in e.get("top_logprobs", [])])
                               for e in given]
            choice.tokens = [e["token"] for e in given]
            if choice.content is None and choice.refusal is None and not choice.tool_calls:
                choice.content = "".join(choice.tokens)
        elif given is True or (given is None and request.logprobs and choice.logprobs is None):
            if choice.tool_calls or choice.function_call:
                return
            choice.logprobs = token_logprobs(choice.tokens, request.top_logprobs, draws.rng())
        elif given is False:
            choice.logprobs = None


def _arguments(call: dict[str, Any], tool: Any, request: ChatRequest, draws: Draws,
               verbatim: bool = False) -> str:
    given = call.get("arguments")
    if isinstance(given, str):
        return given if verbatim else render(given, request)
    if isinstance(given, dict):
        return dumps(given if verbatim else _render_value(given, request))
    if tool is None:
        return "{}"
    if tool.type == "custom":
        return request.last_user_text or tool.name
    from ..model.schema_values import generate_arguments

    return generate_arguments(tool.parameters, seed=draws.bits64(), hint_text=request.last_user_text)


class ReplyTemplate:
    """A `reply:` block; `build()` makes the `Reply` for one request."""

    def __init__(self, spec: dict[str, Any]) -> None:
        self.spec = spec
        verbatim = bool(spec.get("verbatim"))
        self.choices = [ChoiceTemplate(c, verbatim) for c in spec["choices"]] if "choices" in spec else None
        self.single = ChoiceTemplate(spec, verbatim) if self.choices is None else None
        pacing = spec.get("pacing")
        self.pacing = None if pacing is None else Pacing(
            ttft_ms=pacing.get("ttft_ms", pacing.get("time_to_first_token_ms", 0)),
            tokens_per_second=pacing.get("tokens_per_second", 0),
            chunk_tokens=pacing.get("chunk_tokens", 1),
            ttft_jitter_ms=pacing.get("ttft_jitter_ms", 0),
            tokens_per_second_jitter=pacing.get("tokens_per_second_jitter", 0),
            gaps_ms=tuple(pacing.get("gaps_ms", ())),
        )
        templates = self.choices or ([self.single] if self.single is not None else [])
        self.needs_builtin = any(not t.scripted for t in templates)

    def build(self, request: ChatRequest, name: str) -> Reply:
        fallback = builtin.respond(request) if self.needs_builtin else None
        seed = stable_seed(name, request.last_user_text, len(request.messages), request.body.get("seed"))
        if self.choices is not None:
            choices = [t.build(request, i, Draws(seed + i), fallback) for i, t in enumerate(self.choices)]
        else:
            choices = [self.single.build(request, i, Draws(seed + i), fallback)  # type: ignore[union-attr]
                       for i in range(request.n)]
        model = self.spec.get("model") or request.model.snapshot
        return Reply(
            choices=choices,
            usage=self._usage(request, choices, fallback),
            model=model,
            service_tier=request.service_tier,
            system_fingerprint=system_fingerprint(model),
            metadata=request.body.get("metadata"),
            pacing=self.pacing,
            headers=dict(self.spec.get("headers", {})),
            source=name,
            tokenizer=request.model.tokenizer,
        )

    def _usage(self, request: ChatRequest, choices: list[Choice], fallback: Reply | None) -> Usage:
        given = self.spec.get("usage", {})
        reasoning = fallback.usage.reasoning_tokens if fallback is not None else 0
        completion = sum(builtin.choice_tokens(c, request.model.tokenizer) for c in choices)
        usage = Usage(request.prompt_tokens, completion + reasoning, reasoning_tokens=reasoning)
        for key, value in given.items():
            setattr(usage, key, value)
        return usage


def content_filter_reply(request: ChatRequest, name: str) -> Reply:
    """`error: content_filter`: a 200 answer whose output was withheld, `finish_reason: content_filter`."""
    return ReplyTemplate({"content": "", "finish_reason": "content_filter"}).build(request, name)
