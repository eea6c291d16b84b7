"""Agent loops: model turns per conversation, tool calls repeated without progress, tool results
that answer no call and calls nobody answered (conversations.py says what a conversation is)."""
from __future__ import annotations

from typing import Any

from .conversations import Conversation, Turn, parsed_json
from .findings import Finding, canonical, ids_text, label, plural


def _calls(message: dict[str, Any] | None) -> list[dict[str, Any]]:
    calls = (message or {}).get("tool_calls") or []
    return [c for c in calls if isinstance(c, dict)]


def _signature(call: dict[str, Any]) -> str:
    """`name(arguments)`, arguments in one spelling whatever their key order."""
    function = call.get("function") or call.get("custom") or {}
    arguments = function.get("arguments", function.get("input", ""))
    return f"{function.get('name')}({canonical(parsed_json(arguments))})"


def turn_findings(talk: Conversation, max_turns: int | None) -> list[Finding]:
    """Too many model turns, and the same tool call asked for again (a loop that makes no progress)."""
    found = []
    if max_turns is not None and talk.model_turns > max_turns:
        ids = [turn.first.id for turn in talk.turns]
        found.append(Finding("too_many_turns", ids,
                             f"the conversation that starts at {label(talk.root.first)} took "
                             f"{plural(talk.model_turns, 'model turn')} (requests {ids_text(ids)}); at most {max_turns} expected"))
    asked: dict[str, list[Turn]] = {}
    for turn in talk.turns:
        for signature in dict.fromkeys(_signature(c) for c in _calls(turn.answer)):
            asked.setdefault(signature, []).append(turn)
    for signature, turns in asked.items():
        if len(turns) > 1:
            ids = [t.first.id for t in turns]
            found.append(Finding("repeated_tool_call", ids,
                                 f"the model asked for the identical call {signature} in its answers to requests "
                                 f"{ids_text(ids)}, and the client ran it {plural(len(turns), 'time')} "
                                 f"without changing course"))
    return found


def tool_call_findings(talk: Conversation) -> list[Finding]:
    """Tool results answering no call, calls sent without their results, and calls the model asked for
    that no later request answered. Each reported once, at the first request that shows it."""
    found, seen = [], set()
    for turn in talk.turns:
        for kind, call_id, text in _message_problems(turn.first.messages):
            if (kind, call_id) not in seen:
                seen.add((kind, call_id))
                found.append(Finding(kind, [turn.first.id], f"{label(turn.first)} {text}"))
        calls = _calls(turn.answer)
        if calls and not turn.children:
            names = ", ".join(f"{_signature(c)} ({c.get('id')})" for c in calls)
            found.append(Finding("unanswered_tool_call", [turn.first.id],
                                 f"the model asked for {names} in its answer to {label(turn.first)}; "
                                 f"no later request sent the results"))
    return found


def _message_problems(messages: list[Any]) -> list[tuple[str, str, str]]:
    problems: list[tuple[str, str, str]] = []
    pending: dict[Any, str] = {}  # the last assistant message's calls not yet answered: id → signature
    known: set[Any] = set()  # every call id asked for so far
    for message in messages:
        if not isinstance(message, dict):
            continue
        if message.get("role") == "tool":
            call_id = message.get("tool_call_id")
            if call_id not in known:
                problems.append(("orphan_tool_result", str(call_id),
                                 f"sent a tool result for {call_id!r}, which no assistant message asked for"))
            pending.pop(call_id, None)
            continue
        problems.extend(_unanswered(pending))
        pending = {c.get("id"): _signature(c) for c in _calls(message)}
        known.update(pending)
    problems.extend(_unanswered(pending))
    return problems


def _unanswered(pending: dict[Any, str]) -> list[tuple[str, str, str]]:
    return [("unanswered_tool_call", str(call_id), f"sent the call {signature} ({call_id}) without its tool result")
            for call_id, signature in pending.items()]
