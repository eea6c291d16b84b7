"""`response_format: {"type": "json_object"}`: the JSON a cooperative model would write.

Clients that use JSON mode (instructor's JSON mode, LangChain's `json_mode`, hand-written prompts)
describe the object they want in the prompt, usually as a JSON Schema. When a message carries one,
the reply is a value valid against it; otherwise it is an object with the model and the reply text.
"""
from __future__ import annotations

import json
from typing import Any

from ..contract.chat_request import ChatRequest, message_text
from ..contract.strict_json import encodable
from .schema_values.budget import TokenBudget

_MAX_SCAN = 100_000  # characters of a message searched for a schema
# Places a decode may fail at per message: each failure costs a pass over the text before it (the
# error's line number), so "{" repeated 100,000 times would otherwise take seconds.
_MAX_FAILED_DECODES = 256
_decoder = json.JSONDecoder()


def schema_in_messages(request: ChatRequest) -> dict[str, Any] | None:
    """The last JSON Schema (an object with `properties`) written in the messages, newest first."""
    for message in reversed(request.messages):
        text = message_text(message)[:_MAX_SCAN]
        if '"properties"' not in text:
            continue
        found = None
        failures = 0
        start = text.find("{")
        while start != -1 and failures < _MAX_FAILED_DECODES:
            try:
                value, end = _decoder.raw_decode(text, start)
            except (ValueError, RecursionError):  # not JSON from here, or nested too deep to read
                failures += 1
                start = text.find("{", start + 1)
                continue
            if isinstance(value, dict) and isinstance(value.get("properties"), dict) and encodable(value):
                found = value
            start = text.find("{", end)
        if found is not None:
            return found
    return None


def json_object_content(request: ChatRequest, answer: str, seed: int, budget: TokenBudget) -> str:
    schema = schema_in_messages(request)
    if schema is not None:
        from .schema_values import SchemaGenerationError, generate_value

        try:
            value = generate_value(schema, seed=seed, hint_text=request.last_user_text, budget=budget)
            return json.dumps(value, ensure_ascii=False)
        except SchemaGenerationError:
            pass  # a schema we cannot satisfy: answer as without one
    return json.dumps({"model": request.model.snapshot, "reply": answer}, ensure_ascii=False)
