"""What a recorded request is matched by: the API, the model, the whole conversation, the tool set, the
output format and the fields that shape the answer (docs/record-replay.md).

Short texts are written out; long ones as `{sha256, chars}` with a preview comment, so a reviewer
sees what each recording answers without a 5,000-character prompt in the file.
"""
from __future__ import annotations

from typing import Any

from ..scenarios import conversation as conv
from ..scenarios.engine import DEFAULT_NAMESPACE, NAMESPACE_HEADER
from .yaml_writer import Commented

# Request fields that change what the answer looks like, pinned when the request has them. (A Responses
# request is read in its chat form: `include` logprobs, `tool_choice` and `parallel_tool_calls` are here;
# its `previous_response_id` is pinned by the conversation it continues, chains.py.)
PINNED_FIELDS = ("n", "logprobs", "top_logprobs", "tool_choice", "parallel_tool_calls")
_PREVIEW = 60


def match_for(api: str, body: dict[str, Any], namespace: str = DEFAULT_NAMESPACE) -> dict[str, Any]:
    match: dict[str, Any] = {"api": api, "model": body.get("model", "")}
    match["conversation"] = [_written(turn) for turn in conv.conversation(body)]
    match["tools"] = conv.tool_set(body)
    match["response_format"] = conv.output_format(body)
    params = {name: body[name] for name in PINNED_FIELDS if name in body}
    if params:
        match["params"] = params
    if namespace != DEFAULT_NAMESPACE:  # recordings of other namespaces in the same folder never answer
        match["headers"] = {NAMESPACE_HEADER: {"equals": namespace}}
    return match


def _written(turn: dict[str, Any]) -> dict[str, Any]:
    role, value = next(iter(turn.items()))
    if not isinstance(value, dict):
        return {role: _text(value)}
    fields = dict(value)
    if "content" in fields:
        fields["content"] = _text(fields["content"])
    if "tool_calls" in fields:
        fields["tool_calls"] = [call | {"arguments": _text(call["arguments"])} for call in fields["tool_calls"]]
    return {role: fields}


def _text(value: Any) -> Any:
    """A text (or tool arguments) as it is when short, else by digest with a preview comment."""
    if isinstance(value, list):  # content parts: each text part on its own terms
        return [_text(part) if isinstance(part, str) else part for part in value]
    form = conv.text_form(value)
    return value if form is value else Commented(form, _preview(value))


def _preview(value: Any) -> str:
    text = " ".join((value if isinstance(value, str) else conv.canonical_json(value)).split())
    return repr(text[:_PREVIEW] + "…")


def description(body: dict[str, Any]) -> str:
    """One line saying what a recording answers: its last turn."""
    turns = conv.conversation(body)
    if not turns:
        return "(no messages)"
    role, value = next(iter(turns[-1].items()))
    if isinstance(value, dict):
        calls = ", ".join(call["name"] for call in value.get("tool_calls", ()))
        role = f"{role} {value['name']}" if value.get("name") else role
        value = value.get("content") or (f"calls {calls}" if calls else "")
    text = " ".join((value if isinstance(value, str) else conv.canonical_json(value)).split())
    return f"{role}: {text[:_PREVIEW]}" + ("…" if len(text) > _PREVIEW else "")
