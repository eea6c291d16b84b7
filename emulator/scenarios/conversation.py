"""What a request says, in one canonical, readable form: the conversation, the tool set, the output format.

Recorded scenarios (emulator/record/) pin these with the match keys `conversation`, `tools` and
`response_format`, so two calls with the same last user message but another system prompt, other
tools or another history never answer for each other, and every step of a tool loop is its own
scenario. It reads a Chat Completions body (a Responses request is read as one, with its chain's
context, before it is matched): a list of one-key entries, `{role: text}` or `{role: {name, content,
tool_calls}}`.

Long texts are written as `{sha256: <16 hex>, chars: N}`; a text holding `[REDACTED]` (the
recorder's `--redact` mask) matches any text that agrees outside the masked parts.
"""
from __future__ import annotations

import hashlib
import json
import re
from typing import Any

CHAT = "chat"
RESPONSES = "responses"

REDACTED = "[REDACTED]"
LONG_TEXT = 160  # characters written out; longer texts are pinned by digest


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def text_form(value: Any) -> Any:
    """A text (or tool arguments) as written in a file: itself when short (or masked), else its digest
    and length."""
    text = value if isinstance(value, str) else canonical_json(value)
    if len(text) <= LONG_TEXT or REDACTED in text:
        return value
    return {"sha256": digest(text), "chars": len(text)}


def api_of_path(path: str) -> str:
    path = path.rstrip("/")
    if path.endswith("/embeddings"):
        return "embeddings"
    return RESPONSES if path.endswith("/responses") else CHAT


# --- the canonical form of a request --------------------------------------------------------------
def conversation(body: dict[str, Any]) -> list[dict[str, Any]]:
    """The request's turns, oldest first, with full texts (the file form digests long ones)."""
    names = {call.get("id"): _call_name(call) for m in body.get("messages") or () for call in m.get("tool_calls") or ()}
    return [_chat_turn(m, names) for m in body.get("messages") or ()]


def _call_name(call: dict[str, Any]) -> str:
    return (call.get("function") or call.get("custom") or {}).get("name", "")


def _arguments(text: Any) -> Any:
    """Tool-call arguments compare as JSON when they are JSON: clients re-serialise them freely."""
    if not isinstance(text, str):
        return text
    try:
        return json.loads(text)
    except ValueError:
        return text


def _content(content: Any) -> Any:
    """A message's content: its text when it is all text, else its parts (non-text ones by digest)."""
    if content is None or isinstance(content, str):
        return content or ""
    parts: list[Any] = []
    for part in content if isinstance(content, list) else [content]:
        kind = part.get("type", "") if isinstance(part, dict) else ""
        if kind in ("text", "input_text", "output_text", "refusal"):
            parts.append(part.get("text") or part.get("refusal") or "")
        else:
            parts.append({kind or "part": digest(canonical_json(part))})
    if all(isinstance(p, str) for p in parts):
        return "".join(parts)
    return parts


def _turn(role: str, content: Any, *, name: str | None = None, tool_calls: list[Any] | None = None) -> dict[str, Any]:
    if not name and not tool_calls:
        return {role: content}
    fields = {"name": name} if name else {}
    fields |= {"content": content} if content else {}
    return {role: fields | ({"tool_calls": tool_calls} if tool_calls else {})}


def _chat_turn(message: dict[str, Any], names: dict[Any, str]) -> dict[str, Any]:
    role = message.get("role", "")
    calls = [{"name": _call_name(c), "arguments": _arguments((c.get("function") or {}).get("arguments",
                                                              (c.get("custom") or {}).get("input")))}
             for c in message.get("tool_calls") or ()]
    if message.get("function_call"):
        call = message["function_call"]
        calls.append({"name": call.get("name", ""), "arguments": _arguments(call.get("arguments"))})
    name = names.get(message.get("tool_call_id")) if role == "tool" else message.get("name")
    return _turn(role, _content(message.get("content")), tool_calls=calls, name=name)


def tool_set(body: dict[str, Any]) -> list[dict[str, str]]:
    """The offered tools in order, each `{name: digest of its whole definition}`."""
    tools = list(body.get("tools") or ()) + list(body.get("functions") or ())
    return [{_tool_name(t): digest(canonical_json(t))} for t in tools]


def _tool_name(tool: dict[str, Any]) -> str:
    inner = tool.get("function") or tool.get("custom") or tool
    return inner.get("name") or tool.get("type", "tool")


def output_format(body: dict[str, Any]) -> str | dict[str, Any]:
    """`text` (the default), or the format's type, name and a digest of the whole format."""
    fmt = body.get("response_format") or {}
    if fmt.get("type", "text") == "text":
        return "text"
    name = fmt.get("name") or (fmt.get("json_schema") or {}).get("name")
    shown = {"type": fmt["type"]} | ({"name": name} if name else {})
    return shown | {"sha256": digest(canonical_json(fmt))}


# --- comparing a file's form with a request ---------------------------------------------------
def _masked(expected: str) -> re.Pattern[str]:
    return re.compile(".*?".join(re.escape(part) for part in expected.split(REDACTED)), re.DOTALL)


def turn_difference(expected: list[Any], actual: list[Any], prefix: str) -> tuple[str, Any, Any] | None:
    """The first difference between two conversations, named as the client wrote it (`messages[3].content`)."""
    for index, (e, a) in enumerate(zip(expected, actual, strict=False)):
        at = f"{prefix}[{index}]"
        e_role, a_role = _role(e), _role(a)
        if e_role != a_role:
            return (f"{at}.role", e_role, a_role)
        found = first_difference(_fields(e[e_role]), _fields(a[a_role]), at)
        if found is not None:
            return found
    return _extra_item(expected, actual, prefix)


def _extra_item(expected: list[Any], actual: list[Any], where: str) -> tuple[str, Any, Any] | None:
    """Two lists alike as far as the shorter goes: the first item only one of them has, or None."""
    if len(expected) == len(actual):
        return None
    index = min(len(expected), len(actual))
    return (f"{where}[{index}]", expected[index] if index < len(expected) else None,
            actual[index] if index < len(actual) else None)


def _role(turn: Any) -> Any:
    return next(iter(turn)) if isinstance(turn, dict) and len(turn) == 1 else turn


def _fields(value: Any) -> dict[str, Any]:
    return {"content": ""} | value if isinstance(value, dict) and "sha256" not in value else {"content": value}


def first_difference(expected: Any, actual: Any, where: str) -> tuple[str, Any, Any] | None:
    """`(path, expected, actual)` of the first place the request differs from the file's form, or None."""
    if isinstance(expected, dict) and set(expected) == {"sha256", "chars"} and actual is not None:
        text = actual if isinstance(actual, str) else canonical_json(actual)  # long tool arguments
        return None if digest(text) == expected["sha256"] else (where, expected, actual)
    if isinstance(expected, str) and isinstance(actual, str) and REDACTED in expected:
        return None if _masked(expected).fullmatch(actual) else (where, expected, actual)
    if isinstance(expected, dict) and isinstance(actual, dict):
        for key in list(expected) + [k for k in actual if k not in expected]:
            if key not in expected or key not in actual:
                return (f"{where}.{key}" if where else key, expected.get(key), actual.get(key))
            found = first_difference(expected[key], actual[key], f"{where}.{key}" if where else key)
            if found is not None:
                return found
        return None
    if isinstance(expected, list) and isinstance(actual, list):
        for index, (e, a) in enumerate(zip(expected, actual, strict=False)):
            found = first_difference(e, a, f"{where}[{index}]")
            if found is not None:
                return found
        return _extra_item(expected, actual, where)
    if expected == actual and type(expected) is type(actual):
        return None
    return (where, expected, actual)
