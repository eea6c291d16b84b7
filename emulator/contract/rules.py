"""Rules the live API enforces across fields, after every field has the right shape.

Each rule raises the live API's `ApiError`; they run in a fixed order so a request that breaks
several rules always gets the same error.
"""
from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from . import errors
from .chat_request import ChatRequest, message_text
from .models import ModelInfo


def check_request_rules(body: dict[str, Any]) -> None:
    """Rules that need no model."""
    _check_conversation(body["messages"])
    if not body.get("tools"):
        if "tool_choice" in body:
            raise errors.only_allowed_when("tool_choice", "'tools' are specified")
        if "parallel_tool_calls" in body:
            raise errors.only_allowed_when("parallel_tool_calls", "'tools' are specified")
    if body.get("stream_options") is not None and not body.get("stream"):
        raise errors.bad_request(
            "The 'stream_options' parameter is only allowed when 'stream' is enabled.", "stream_options"
        )
    if body.get("top_logprobs") is not None and not body.get("logprobs"):
        raise errors.only_allowed_when("top_logprobs", "'logprobs' is true")
    if body.get("metadata") and not body.get("store"):
        raise errors.bad_request("The 'metadata' parameter is only allowed when 'store' is enabled.", "metadata")
    response_format = body.get("response_format") or {}
    if response_format.get("type") == "json_object" and not any(
        "json" in message_text(m).lower() for m in body["messages"]
    ):
        raise errors.bad_request(
            "'messages' must contain the word 'json' in some form, to use 'response_format' of type 'json_object'.",
            "messages",
        )
    modalities = body.get("modalities") or ()
    if "audio" in modalities and not body.get("audio"):
        raise errors.bad_request(
            "Invalid value for 'audio': 'audio' is required when 'modalities' includes 'audio'.", "audio"
        )
    _check_tool_names(body)
    _check_schemas(body)


def _check_conversation(messages: list[dict[str, Any]]) -> None:
    """Tool messages answer a preceding assistant `tool_calls`; every call id is answered."""
    pending: dict[str, int] = {}  # open tool_call ids -> index of the assistant message
    answerable = False
    for index, message in enumerate(messages):
        role = message["role"]
        if role == "tool":
            if not answerable:
                raise errors.bad_request(
                    "Invalid parameter: messages with role 'tool' must be a response to a preceeding message "
                    "with 'tool_calls'.",
                    f"messages.[{index}].role",
                )
            pending.pop(message.get("tool_call_id") or "", None)
            continue
        _raise_unanswered(pending)
        answerable = role == "assistant" and bool(message.get("tool_calls"))
        if answerable:
            pending = {call["id"]: index for call in message["tool_calls"]}
    _raise_unanswered(pending)


def _raise_unanswered(pending: dict[str, int]) -> None:
    if pending:
        index = next(iter(pending.values()))
        raise errors.bad_request(
            "An assistant message with 'tool_calls' must be followed by tool messages responding to each "
            f"'tool_call_id'. The following tool_call_ids did not have response messages: {', '.join(pending)}",
            f"messages.[{index}].role",
        )


def _check_tool_names(body: dict[str, Any]) -> None:
    """Named `tool_choice`/`function_call` must name an offered tool; names follow the live pattern."""
    for index, tool in enumerate(body.get("tools") or ()):
        name = (tool.get("function") or tool.get("custom") or {}).get("name", "")
        kind = "function" if tool["type"] == "function" else "custom"
        _check_function_name(name, f"tools[{index}].{kind}.name")
    for index, function in enumerate(body.get("functions") or ()):
        _check_function_name(function["name"], f"functions[{index}].name")
    choice = body.get("tool_choice")
    if isinstance(choice, dict) and choice["type"] in ("function", "custom"):
        name = choice[choice["type"]]["name"]
        offered = {(t.get("function") or t.get("custom") or {}).get("name") for t in body["tools"]}
        if name not in offered:
            raise errors.bad_request(
                f"Invalid value for 'tool_choice': tool '{name}' not found in 'tools'.", "tool_choice"
            )
    function_call = body.get("function_call")
    if function_call is not None and not body.get("functions"):
        raise errors.only_allowed_when("function_call", "'functions' are specified")
    if isinstance(function_call, dict):
        if function_call["name"] not in {f["name"] for f in body["functions"]}:
            raise errors.bad_request(
                f"Invalid value for 'function_call': function '{function_call['name']}' not found in 'functions'.",
                "function_call",
            )


def _check_schemas(body: dict[str, Any]) -> None:
    """Tool parameters and `json_schema` formats must be valid JSON Schemas (strict mode: its rules too)."""
    for index, tool in enumerate(body.get("tools") or ()):
        function = tool.get("function")
        if function is not None and "parameters" in function:
            problem = schema_error("function", function["name"], function["parameters"], bool(function.get("strict")))
            if problem:
                raise errors.bad_request(problem, f"tools[{index}].function.parameters", "invalid_function_parameters")
    response_format = body.get("response_format") or {}
    if response_format.get("type") == "json_schema":
        spec = response_format["json_schema"]
        if "schema" in spec:
            problem = schema_error("response_format", spec["name"], spec["schema"], bool(spec.get("strict")))
            if problem:
                raise errors.bad_request(problem, "response_format")


# Schemas remembered with their verdict are at most this long, so the cache stays under 32 MiB.
_MAX_CACHED_SCHEMA = 64 * 1024


def schema_error(kind: str, name: str, schema: Any, strict: bool) -> str | None:
    """What is wrong with a function's (`kind` "function") or a format's ("response_format") JSON Schema, in
    the live words, or None; Chat Completions and Responses validation both ask."""
    # Clients resend the same tools every turn: check each distinct schema once.
    schema_json = json.dumps(schema, sort_keys=True)
    if len(schema_json) > _MAX_CACHED_SCHEMA:
        return _uncached_schema_error(kind, name, schema_json, strict)
    return _cached_schema_error(kind, name, schema_json, strict)


def _uncached_schema_error(kind: str, name: str, schema_json: str, strict: bool) -> str | None:
    from . import strict_schema  # jsonschema loads on the first request that needs it

    check = strict_schema.function_schema_error if kind == "function" else strict_schema.response_format_schema_error
    return check(name, json.loads(schema_json), strict)


_cached_schema_error = lru_cache(maxsize=512)(_uncached_schema_error)


def _check_function_name(name: str, param: str) -> None:
    if not name or not all(c.isascii() and (c.isalnum() or c in "_-") for c in name):
        raise errors.bad_request(
            f"Invalid '{param}': string does not match pattern. Expected a string that matches the pattern "
            f"'^[a-zA-Z0-9_-]+$'.",
            param,
            "invalid_value",
        )


# The body fields `check_model_rules` reads after the model's `chat` (`max_tokens` and
# `max_completion_tokens` through `ChatRequest.max_tokens`).
_MODEL_RULED_FIELDS = frozenset(("max_tokens", "max_completion_tokens", "temperature", "stop", "tools",
                                 "response_format", "modalities", "logit_bias"))


def check_model_rules(request: ChatRequest) -> None:
    """Rules that depend on what the model can do."""
    body, model = request.body, request.model
    if not model.chat:
        raise errors.not_a_chat_model()
    if _MODEL_RULED_FIELDS.isdisjoint(body):
        return  # none of the fields the rules below read (the usual body: a model and its messages)
    if model.is_reasoning:
        if body.get("max_tokens") is not None:
            raise errors.unsupported_parameter("max_tokens", "max_completion_tokens")
        temperature = body.get("temperature")
        if temperature is not None and temperature != 1:
            raise errors.unsupported_value(
                "temperature",
                f"'temperature' does not support {errors.format_number(temperature)} with this model. "
                "Only the default (1) value is supported.",
            )
        if body.get("stop") is not None and model.snapshot.startswith(("o3", "o4")):
            raise errors.unsupported_parameter("stop")
    if body.get("tools") and not model.can("tools"):
        raise errors.bad_request("tools is not supported in this model. For a list of supported models, refer to "
                                 "https://platform.openai.com/docs/guides/function-calling#models-supporting-"
                                 "function-calling.", "tools")
    response_format = body.get("response_format") or {}
    if response_format.get("type") == "json_schema" and not model.can("json_schema"):
        raise errors.bad_request(
            "Invalid parameter: 'response_format' of type 'json_schema' is not supported with this model. Learn "
            "more about supported models at the Structured Outputs guide: "
            "https://platform.openai.com/docs/guides/structured-outputs",
            "response_format",
        )
    if "audio" in (body.get("modalities") or ()) and not model.can("audio"):
        raise errors.bad_request(
            "This model does not support the audio modality. Please use a model that supports audio output.",
            "modalities", "unsupported_value")
    _check_logit_bias(body.get("logit_bias"), model)
    budget = request.max_tokens
    if budget is not None and budget > model.max_output_tokens:
        raise errors.bad_request(
            f"max_tokens is too large: {budget}. This model supports at most {model.max_output_tokens} "
            "completion tokens, whereas you provided " f"{budget}.",
            "max_tokens",
            "invalid_value",
        )


def _check_logit_bias(logit_bias: dict[str, Any] | None, model: ModelInfo) -> None:
    for key in logit_bias or ():
        if not key.isdigit():
            raise errors.bad_request(
                f"Invalid key in 'logit_bias': {key}. You should only be submitting non-negative integers.",
                "logit_bias",
            )
        if int(key) > model.max_token_id:
            raise errors.bad_request(
                f"Invalid key in 'logit_bias': {key}. Maximum value is {model.max_token_id}.", "logit_bias"
            )


def check_context_length(prompt_tokens: int, requested: int | None, model: ModelInfo) -> None:
    """Prompt plus requested completion must fit the context window."""
    if prompt_tokens + (requested or 0) > model.context_window:
        raise errors.context_length_exceeded(model.context_window, prompt_tokens, requested)
