"""A `Reply` as the Responses API's `response` object: output items, usage and the request's echo.

Keys follow the live order (docs/responses.md): the object as recorded in 2026, `billing` only on
non-streamed bodies, `output_text` never (it is an SDK property).
"""
from __future__ import annotations

import base64
import hashlib
from typing import Any, Callable

from ..contract.responses_request import ResponsesRequest
from ..reply import Choice, Reply, ToolCall, Usage

# Why a cut reply is incomplete, by the chat finish reason the responder gave.
INCOMPLETE_REASONS = {"length": "max_output_tokens", "content_filter": "content_filter"}


def usage_dict(usage: Usage) -> dict[str, Any]:
    return {
        "input_tokens": usage.prompt_tokens,
        "input_tokens_details": {"cached_tokens": usage.cached_tokens, "cache_write_tokens": 0},
        "output_tokens": usage.completion_tokens,
        "output_tokens_details": {"reasoning_tokens": usage.reasoning_tokens},
        "total_tokens": usage.total_tokens,
    }


def output_items(request: ResponsesRequest, reply: Reply, own_id: Callable[[str], str]) -> list[dict[str, Any]]:
    """The reply's output in generation order: reasoning, then the message or the tool calls; each
    item's id is `own_id(its type)`."""
    choice = reply.choices[0]
    items: list[dict[str, Any]] = []
    if request.model.is_reasoning:
        items.append(_reasoning_item(request, reply, own_id("reasoning")))
    if choice.tool_calls:
        items.extend(_call_item(own_id("custom_tool_call" if call.type == "custom" else "function_call"), call)
                     for call in choice.tool_calls)
    elif choice.function_call is None:
        items.append(_message_item(own_id("message"), choice))
    return items


def _reasoning_item(request: ResponsesRequest, reply: Reply, own_id: str) -> dict[str, Any]:
    item: dict[str, Any] = {"id": own_id, "type": "reasoning",
                            "summary": [{"type": "summary_text", "text": t} for t in reply.reasoning_summary]}
    if "reasoning.encrypted_content" in (request.body.get("include") or ()):
        item["encrypted_content"] = encrypted_content(own_id)
    return item


def encrypted_content(reasoning_id: str) -> str:
    """Opaque to clients (Fernet-like in the live API); given back, it is accepted and ignored."""
    digest = hashlib.sha256(reasoning_id.encode()).digest() * 4
    return "gAAAAA" + base64.urlsafe_b64encode(digest).decode()


def _message_item(own_id: str, choice: Choice) -> dict[str, Any]:
    if choice.refusal is not None:
        content: dict[str, Any] = {"type": "refusal", "refusal": choice.refusal}
    else:
        logprobs = [entry.as_dict() for entry in choice.logprobs] if choice.logprobs is not None else []
        content = {"type": "output_text", "annotations": list(choice.annotations), "logprobs": logprobs,
                   "text": choice.content or ""}
    status = "incomplete" if choice.finish_reason in INCOMPLETE_REASONS else "completed"
    return {"id": own_id, "type": "message", "status": status, "content": [content],
            "role": "assistant"}


def _call_item(own_id: str, call: ToolCall) -> dict[str, Any]:
    if call.type == "custom":
        return {"id": own_id, "type": "custom_tool_call", "status": "completed",
                "call_id": call.id, "input": call.arguments, "name": call.name}
    return {"id": own_id, "type": "function_call", "status": "completed",
            "arguments": call.arguments, "call_id": call.id, "name": call.name}


def final_status(reply: Reply) -> tuple[str, dict[str, str] | None]:
    """`completed`, or `incomplete` with its reason."""
    reason = INCOMPLETE_REASONS.get(reply.choices[0].finish_reason)
    return ("incomplete", {"reason": reason}) if reason else ("completed", None)


def response_dict(request: ResponsesRequest, response_id: str, created_at: int | str, *, status: str,
                  output: list[dict[str, Any]], reply: Reply | None = None, completed_at: int | str | None = None,
                  incomplete_details: dict[str, str] | None = None, error: dict[str, Any] | None = None
                  ) -> dict[str, Any]:
    """The object at one moment of its life: `reply` None while queued or in progress (no usage yet).
    The times are strings only as a template's marks (wire/response_template.py)."""
    body = request.body
    obj: dict[str, Any] = {"id": response_id, "object": "response", "created_at": created_at, "status": status,
                           "background": request.background}
    obj.update({
        "completed_at": completed_at, "error": error, "frequency_penalty": 0.0,
        "incomplete_details": incomplete_details, "instructions": body.get("instructions"),
        "max_output_tokens": body.get("max_output_tokens"), "max_tool_calls": body.get("max_tool_calls"),
        "model": reply.model if reply is not None else request.model.snapshot, "moderation": None,
        "output": output, "parallel_tool_calls": body.get("parallel_tool_calls", True) is not False,
        "presence_penalty": 0.0, "previous_response_id": body.get("previous_response_id"),
        "prompt_cache_key": body.get("prompt_cache_key"), "prompt_cache_retention": body.get("prompt_cache_retention"),
        "reasoning": _reasoning_echo(request), "safety_identifier": body.get("safety_identifier"),
        "service_tier": reply.service_tier if reply is not None else (body.get("service_tier") or "auto"),
        "store": request.store, "temperature": _number(body.get("temperature")), "text": _text_echo(body),
        "tool_choice": body.get("tool_choice") or "auto", "tools": [_tool_echo(t) for t in body.get("tools") or ()],
        "top_logprobs": body.get("top_logprobs") or 0, "top_p": _number(body.get("top_p")),
        "truncation": body.get("truncation") or "disabled",
        "usage": usage_dict(reply.usage) if reply is not None else None,
        "user": body.get("user"), "metadata": body.get("metadata") or {},
    })
    return obj


def _number(value: float | None) -> float:
    return 1.0 if value is None else float(value)


def _reasoning_echo(request: ResponsesRequest) -> dict[str, Any]:
    reasoning = request.body.get("reasoning") or {}
    effort = reasoning.get("effort") or ("medium" if request.model.is_reasoning else None)
    return {"effort": effort, "summary": reasoning.get("summary") or reasoning.get("generate_summary")}


def _text_echo(body: dict[str, Any]) -> dict[str, Any]:
    text = body.get("text") or {}
    text_format = text.get("format") or {"type": "text"}
    if text_format["type"] == "json_schema":
        text_format = {"type": "json_schema", "description": text_format.get("description"),
                       "name": text_format["name"], "schema": text_format["schema"],
                       "strict": text_format.get("strict")}
    return {"format": text_format, "verbosity": text.get("verbosity") or "medium"}


def _tool_echo(tool: dict[str, Any]) -> dict[str, Any]:
    if tool["type"] != "function":
        return tool
    # Responses runs a function tool in strict mode unless told `strict: false` (docs/responses.md).
    return {"type": "function", "description": tool.get("description"), "name": tool["name"],
            "parameters": tool.get("parameters"), "strict": tool.get("strict") is not False}


def with_billing(obj: dict[str, Any]) -> dict[str, Any]:
    """The object as a non-streamed body carries it: `billing` right after `background`."""
    ordered: dict[str, Any] = {}
    for key, value in obj.items():
        ordered[key] = value
        if key == "background":
            ordered["billing"] = {"payer": "developer"}
    return ordered
