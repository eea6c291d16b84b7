"""Which tools the built-in model calls, following `tool_choice` and the conversation.

Policy (documented in the README): with tools offered and the conversation ending in a user
message, call a tool; prefer the tools the user's message mentions (by name or description words),
else the first tool. After tool results, answer in text. `required` or a named tool forces a
call, `none` forbids one, and `parallel_tool_calls: false` keeps it to one call.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ..contract.chat_request import ChatRequest

_WORD = re.compile(r"[a-z0-9]+")
_STOPWORDS = frozenset("a an the of to for and or in on at is are be get set with by from this that it".split())


@dataclass(frozen=True)
class ToolSpec:
    """An offered tool, whatever way it was offered."""

    name: str
    description: str
    parameters: dict[str, Any] | None
    type: str = "function"  # "function", "custom" or "legacy_function"
    format: dict[str, Any] | None = None  # custom tools' input format


def offered_tools(request: ChatRequest) -> list[ToolSpec]:
    specs = []
    for tool in request.tools:
        if tool["type"] == "function":
            f = tool["function"]
            specs.append(ToolSpec(f["name"], f.get("description", ""), f.get("parameters")))
        else:
            c = tool["custom"]
            specs.append(ToolSpec(c["name"], c.get("description", ""), None, "custom", c.get("format")))
    for f in request.functions:
        specs.append(ToolSpec(f["name"], f.get("description", ""), f.get("parameters"), "legacy_function"))
    return specs


def _mention_score(spec: ToolSpec, words: set[str]) -> int:
    name_words = set(_WORD.findall(spec.name.lower().replace("_", " "))) - _STOPWORDS
    description_words = set(_WORD.findall(spec.description.lower())) - _STOPWORDS
    return 3 * len(name_words & words) + len(description_words & words)


def choose_calls(request: ChatRequest) -> list[ToolSpec]:
    """The tools to call in this turn; empty means answer in text."""
    body = request.body
    if not body.get("tools") and not body.get("functions"):
        return []  # the usual request: no tools offered
    tools = offered_tools(request)
    if not tools:
        return []
    legacy = bool(request.functions) and not request.tools
    choice = request.body.get("function_call" if legacy else "tool_choice")
    mode = "auto"
    if isinstance(choice, str):
        mode = choice
    elif isinstance(choice, dict):
        if "name" in choice:  # legacy {"name": ...}
            return [t for t in tools if t.name == choice["name"]][:1]
        if choice["type"] in ("function", "custom"):
            name = choice[choice["type"]]["name"]
            return [t for t in tools if t.name == name][:1]
        allowed = choice["allowed_tools"]
        names = {(t.get("function") or t.get("custom") or {}).get("name", t.get("name")) for t in allowed["tools"]}
        tools = [t for t in tools if t.name in names] or tools
        mode = allowed["mode"]
    if mode == "none":
        return []
    if mode == "auto" and request.last_message["role"] != "user":
        return []
    words = set(_WORD.findall(request.last_user_text.lower()))
    scored = [(_mention_score(t, words), i, t) for i, t in enumerate(tools)]
    ranked = sorted(scored, key=lambda s: (-s[0], s[1]))
    parallel = request.body.get("parallel_tool_calls", True) is not False and not legacy
    named = [t for score, _, t in scored if score >= 3]  # the user said the tool's name
    if parallel and len(named) > 1:
        return named  # several tools in one message, in the order the client offered them
    return [ranked[0][2]] if ranked[0][0] > 0 else tools[:1]
