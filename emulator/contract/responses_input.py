"""Responses `input` items: normalised as the API stores them, checked across items, and read as the
conversation (chat messages) that the built-in model and scenario matching understand.

The mapping (docs/responses.md): `instructions` become the first system message; `message` items keep
their role, `input_text` parts become text parts, `input_image` image parts, `input_file` file parts;
`output_text`/`refusal` parts of assistant messages become the assistant's content/refusal;
`function_call` (and `custom_tool_call`) items become `tool_calls` of an assistant message, merged into
the assistant message right before them; `*_output` items become `tool` messages; `reasoning` items
carry nothing the model reads and are left out.
"""
from __future__ import annotations

from typing import Any, Iterable

from ..ids import random_hex
from . import errors

CALL_TYPES = {"function_call": "function", "custom_tool_call": "custom"}
OUTPUT_TYPES = {"function_call_output", "custom_tool_call_output"}
ID_PREFIXES = {"message": "msg", "function_call": "fc", "function_call_output": "fco", "reasoning": "rs",
               "custom_tool_call": "ctc", "custom_tool_call_output": "ctco"}


def item_id(kind: str, stem: str | None = None, tail: str | None = None) -> str:
    """`<prefix>_` + 50 hex; items of one response share its leading hex (the live ids do). `tail`: the
    id's own 34 hex, when drawn already."""
    stem = stem or random_hex(16)
    return f"{ID_PREFIXES.get(kind, 'item')}_{stem[:16]}{tail or random_hex(34)}"


def input_items(value: str | list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    """The request's `input` as explicit items (a string is one user message)."""
    if value is None:
        return []
    if isinstance(value, str):
        return [{"type": "message", "role": "user", "content": [{"type": "input_text", "text": value}]}]
    return [{"type": "message", **item} if "type" not in item else item for item in value]


def stored_items(items: list[dict[str, Any]], stem: str) -> list[dict[str, Any]]:
    """Items as `input_items` lists them: with ids, message content as parts, a status (inferred)."""
    result = []
    for item in items:
        item = dict(item)
        kind = item["type"]
        if kind == "item_reference":
            continue
        if kind == "message" and isinstance(item.get("content"), str):
            part = "output_text" if item["role"] == "assistant" else "input_text"
            item["content"] = [{"type": part, "text": item["content"]}]
        if not item.get("id"):
            item = {"id": item_id(kind, stem), **item}
        if kind != "reasoning":
            item.setdefault("status", "completed")
        result.append(item)
    return result


def resolve_references(items: list[dict[str, Any]], known: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """`item_reference` items replaced by the items they name (from the chained responses)."""
    resolved = []
    for item in items:
        if item.get("type") == "item_reference":
            found = known.get(item["id"])
            if found is None:
                raise errors.ApiError(404, f"Item with id '{item['id']}' not found.", param="input")
            item = found
        resolved.append(item)
    return resolved


def check_items(items: list[dict[str, Any]]) -> None:
    """Cross-item rules: a reasoning item needs its follower, every tool output answers a call and
    every call is answered before the conversation moves on."""
    calls: dict[str, int] = {}
    answered: set[str] = set()
    for index, item in enumerate(items):
        kind = item["type"]
        if kind == "reasoning" and (index + 1 == len(items) or items[index + 1]["type"] == "reasoning"):
            raise errors.reasoning_without_follower(item.get("id", ""))
        if kind in CALL_TYPES:
            calls[item["call_id"]] = index
        elif kind in OUTPUT_TYPES:
            if item["call_id"] not in calls:
                raise errors.no_tool_call_for_output(item["call_id"])
            answered.add(item["call_id"])
        elif kind == "message" and item.get("role") != "assistant":
            for call_id in calls:
                if call_id not in answered:
                    raise errors.no_tool_output_for_call(call_id)


def chat_messages(instructions: str | list[dict[str, Any]] | None,
                  items: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """The conversation as chat messages (see the module's docstring for the mapping)."""
    messages: list[dict[str, Any]] = []
    if isinstance(instructions, str):
        messages.append({"role": "system", "content": instructions})
    elif instructions:
        messages.extend(chat_messages(None, input_items(instructions)))
    for item in items:
        kind = item["type"]
        if kind == "message":
            messages.append(_message(item))
        elif kind in CALL_TYPES:
            _add_call(messages, item)
        elif kind in OUTPUT_TYPES:
            messages.append({"role": "tool", "tool_call_id": item["call_id"], "content": tool_output_text(item)})
    return messages


def _message(item: dict[str, Any]) -> dict[str, Any]:
    role, content = item["role"], item["content"]
    if role == "assistant":
        if isinstance(content, str):
            return {"role": "assistant", "content": content}
        text = "".join(p["text"] for p in content if p["type"] == "output_text")
        refusal = "".join(p["refusal"] for p in content if p["type"] == "refusal")
        return {"role": "assistant", "content": text or None, **({"refusal": refusal} if refusal else {})}
    if isinstance(content, str):
        return {"role": role, "content": content}
    if role != "user":  # system and developer messages take text only
        return {"role": role, "content": "".join(p.get("text", "") for p in content)}
    parts = [part for part in map(_user_part, content) if part is not None]
    return {"role": role, "content": parts or ""}


def _user_part(part: dict[str, Any]) -> dict[str, Any] | None:
    kind = part["type"]
    if kind == "input_text":
        return {"type": "text", "text": part["text"]}
    if kind == "input_image":
        if not part.get("image_url"):
            return None  # an uploaded file id: nothing to read offline
        return {"type": "image_url", "image_url": {"url": part["image_url"], "detail": part.get("detail", "auto")}}
    file = {k: part[k] for k in ("filename", "file_data", "file_id") if part.get(k)}
    return {"type": "file", "file": file} if file else None


def _add_call(messages: list[dict[str, Any]], item: dict[str, Any]) -> None:
    kind = CALL_TYPES[item["type"]]
    payload = ({"name": item["name"], "arguments": item["arguments"]} if kind == "function"
               else {"name": item["name"], "input": item["input"]})
    call = {"id": item["call_id"], "type": kind, kind: payload}
    last = messages[-1] if messages else None
    if last is not None and last["role"] == "assistant":
        last.setdefault("tool_calls", []).append(call)
    else:
        messages.append({"role": "assistant", "content": None, "tool_calls": [call]})


def tool_output_text(item: dict[str, Any]) -> str:
    output = item["output"]
    if isinstance(output, str):
        return output
    return "".join(p.get("text", "") for p in output if p.get("type") == "input_text")


def responses_conversation(body: dict[str, Any]) -> list[dict[str, Any]]:
    """The conversation of a journaled Responses body, valid or not (an invalid one reads as none)."""
    try:
        return chat_messages(body.get("instructions"), input_items(body.get("input")))
    except (KeyError, TypeError, AttributeError):
        return []
