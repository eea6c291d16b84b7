"""`CreateResponse` (`POST /v1/responses`) as the live API checks it: every field, input item and part.

Built from the same shape machinery as Chat Completions (`shapes.py`), so the error texts, `param`
paths and codes follow the same grammar. Field order is the order errors are reported in: the live
API checks `input` first, then `include`, `tools`, `metadata`, `text`, the sampling fields, ...
(docs/responses.md lists the order and what is inferred).
"""
from __future__ import annotations

from typing import Any

from .shapes import AnyValue, Array, Boolean, Integer, MapOf, Number, Object, OneOf, Shape, String, Tagged

STATUS = String(enum=("in_progress", "completed", "incomplete"))
OPEN_LIST = Array(AnyValue())

# --- content parts -------------------------------------------------------------------------------

INPUT_TEXT = Object({"type": String(), "text": String()}, required=("type", "text"))
INPUT_IMAGE = Object(
    {"type": String(), "image_url": String(nullable=True), "file_id": String(nullable=True),
     "detail": String(enum=("low", "high", "auto", "original"))},
    required=("type",),
)
INPUT_FILE = Object(
    {"type": String(), "file_id": String(nullable=True), "file_data": String(), "file_url": String(),
     "filename": String()},
    required=("type",),
)
OUTPUT_TEXT = Object(
    # Output items come back verbatim as input (the Agents SDK replays them), annotations and logprobs too.
    {"type": String(), "text": String(), "annotations": OPEN_LIST, "logprobs": OPEN_LIST},
    required=("type", "text"),
)
REFUSAL = Object({"type": String(), "refusal": String()}, required=("type", "refusal"))

INPUT_PARTS = Tagged("type", {"input_text": INPUT_TEXT, "input_image": INPUT_IMAGE, "input_file": INPUT_FILE},
                     value_param_on_item=True)
ASSISTANT_PARTS = Tagged("type", {"output_text": OUTPUT_TEXT, "refusal": REFUSAL}, value_param_on_item=True)


def _message(parts: Shape, roles: tuple[str, ...]) -> Object:
    return Object(
        {"type": String(), "id": String(), "role": String(enum=roles), "content": OneOf(String(), Array(parts)),
         "status": STATUS, "phase": String(nullable=True)},
        required=("role", "content"),
    )


class _Message(Shape):
    """A message item: its parts depend on its role (assistants send back `output_text`/`refusal`)."""

    expected = "an object"
    _user = _message(INPUT_PARTS, ("user", "assistant", "system", "developer"))
    _assistant = _message(ASSISTANT_PARTS, ("user", "assistant", "system", "developer"))

    def accepts_type(self, value: object) -> bool:
        return type(value) is dict

    def _for(self, value: Any) -> Object:
        return self._assistant if value.get("role") == "assistant" else self._user

    def check_value(self, value: Any, path: str) -> None:
        self._for(value).check_value(value, path)

    def value_ok(self, value: Any) -> bool:
        return self._for(value).value_ok(value)


TOOL_OUTPUT = OneOf(String(), Array(INPUT_PARTS))

ITEM_VARIANTS: dict[str, Shape] = {
    "message": _Message(),
    "function_call": Object(
        {"type": String(), "id": String(), "call_id": String(), "name": String(), "arguments": String(),
         "status": STATUS, "namespace": String(nullable=True)},
        required=("call_id", "name", "arguments"),
    ),
    "function_call_output": Object(
        {"type": String(), "id": String(nullable=True), "call_id": String(), "output": TOOL_OUTPUT,
         "status": OneOf(STATUS, nullable=True)},
        required=("call_id", "output"),
    ),
    "reasoning": Object(
        {"type": String(), "id": String(), "summary": Array(Object({"type": String(), "text": String()},
                                                                   required=("type", "text"))),
         "content": OPEN_LIST, "encrypted_content": String(nullable=True), "status": STATUS},
        required=("summary",),
    ),
    "custom_tool_call": Object(
        {"type": String(), "id": String(), "call_id": String(), "name": String(), "input": String(),
         "status": STATUS, "namespace": String(nullable=True)},
        required=("call_id", "name", "input"),
    ),
    "custom_tool_call_output": Object(
        {"type": String(), "id": String(nullable=True), "call_id": String(), "output": TOOL_OUTPUT},
        required=("call_id", "output"),
    ),
    "item_reference": Object({"type": String(nullable=True), "id": String()}, required=("id",)),
}
INPUT_ITEM = Tagged("type", ITEM_VARIANTS, default="message")
INPUT = OneOf(String(), Array(INPUT_ITEM))
INPUT.expected = "one of a string or array of input items"  # the live wording for `input`

# --- tools ---------------------------------------------------------------------------------------

FUNCTION_TOOL = Object(
    {"type": String(), "name": String(max_length=64), "description": String(nullable=True),
     "parameters": Object({}, open=True, nullable=True), "strict": Boolean(nullable=True),
     "defer_loading": Boolean()},
    required=("name",),
)
CUSTOM_TOOL = Object(
    {"type": String(), "name": String(), "description": String(),
     "format": Tagged("type", {
         "text": Object({"type": String()}),
         "grammar": Object({"type": String(), "definition": String(), "syntax": String(enum=("lark", "regex"))},
                           required=("definition", "syntax")),
     })},
    required=("name",),
)
# Tools that run on OpenAI's side: accepted as given (their fields are not checked), never called
# by the built-in model (docs/responses.md).
HOSTED_TOOLS = ("file_search", "computer_use_preview", "computer", "web_search", "web_search_preview",
                "web_search_2025_08_26", "web_search_preview_2025_03_11", "mcp", "code_interpreter",
                "image_generation", "local_shell", "shell", "apply_patch", "tool_search", "namespace")
TOOL = Tagged("type", {"function": FUNCTION_TOOL, "custom": CUSTOM_TOOL,
                       **{name: Object({}, open=True) for name in HOSTED_TOOLS}})

NAMED = Object({"type": String(), "name": String()}, required=("name",))
TOOL_CHOICE = OneOf(
    String(enum=("none", "auto", "required")),
    Tagged("type", {
        "function": NAMED,
        "custom": NAMED,
        "allowed_tools": Object(
            {"type": String(), "mode": String(enum=("auto", "required")),
             "tools": Array(Object({}, open=True), min_items=1)},
            required=("mode", "tools"),
        ),
        **{name: Object({}, open=True) for name in HOSTED_TOOLS},
    }),
)

# --- text format, reasoning ----------------------------------------------------------------------

JSON_SCHEMA_FORMAT = Object(
    {"type": String(), "name": String(max_length=64), "schema": Object({}, open=True),
     "description": String(nullable=True), "strict": Boolean(nullable=True)},
    required=("name", "schema"),
    required_first=True,  # Chat's nested `json_schema: {...}` gets "Missing required parameter: 'text.format.name'"
)
TEXT = Object({
    "format": Tagged("type", {"text": Object({"type": String()}), "json_object": Object({"type": String()}),
                              "json_schema": JSON_SCHEMA_FORMAT}),
    "verbosity": String(enum=("low", "medium", "high"), nullable=True),
})
EFFORTS = ("none", "minimal", "low", "medium", "high", "xhigh", "max")
REASONING = Object(
    {"effort": String(enum=EFFORTS, nullable=True),
     "summary": String(enum=("auto", "concise", "detailed"), nullable=True),
     "generate_summary": String(enum=("auto", "concise", "detailed"), nullable=True),
     "context": String(enum=("auto", "current_turn", "all_turns"), nullable=True),
     "mode": String(nullable=True)},
    nullable=True,
)
INCLUDE = Array(String(enum=(
    "file_search_call.results", "web_search_call.results", "web_search_call.action.sources",
    "message.input_image.image_url", "computer_call_output.output.image_url", "code_interpreter_call.outputs",
    "reasoning.encrypted_content", "message.output_text.logprobs")), nullable=True)

# --- the request ---------------------------------------------------------------------------------

RESPONSES_FIELDS: dict[str, Shape] = {
    "model": String(),
    "input": INPUT,
    "include": INCLUDE,
    "tools": Array(TOOL),
    "metadata": MapOf(String(max_length=512), max_properties=16, max_key_length=64, nullable=True),
    "text": TEXT,
    "temperature": Number(0, 2, nullable=True),
    "top_p": Number(0, 1, nullable=True),
    "top_logprobs": Integer(0, 20, nullable=True),
    "instructions": OneOf(String(), Array(INPUT_ITEM), nullable=True),
    "tool_choice": TOOL_CHOICE,
    "parallel_tool_calls": Boolean(nullable=True),
    "max_output_tokens": Integer(16, nullable=True),
    "max_tool_calls": Integer(1, nullable=True),
    "reasoning": REASONING,
    "previous_response_id": String(nullable=True),
    "conversation": OneOf(String(), Object({"id": String()}, required=("id",)), nullable=True),
    "store": Boolean(nullable=True),
    "background": Boolean(nullable=True),
    "stream": Boolean(nullable=True),
    "stream_options": Object({"include_obfuscation": Boolean()}, nullable=True),
    "truncation": String(enum=("auto", "disabled"), nullable=True),
    "service_tier": String(enum=("auto", "default", "flex", "scale", "priority"), nullable=True),
    "user": String(),
    "safety_identifier": String(max_length=64, nullable=True),
    "prompt_cache_key": String(nullable=True),
    "prompt_cache_retention": String(enum=("in_memory", "24h"), nullable=True),
    "prompt_cache_options": Object({"ttl": String(), "mode": String()}, open=True),
    "prompt": Object({"id": String(), "version": String(nullable=True), "variables": Object({}, open=True,
                                                                                           nullable=True)},
                     required=("id",), nullable=True),
    "moderation": Object({}, open=True, nullable=True),
    "context_management": Array(Object({}, open=True), nullable=True),
}

RESPONSES_REQUEST = Object(RESPONSES_FIELDS, required=("model",))

# Chat Completions fields that moved; the live API names the new place (docs/responses.md).
MOVED_FIELDS = {"messages": "input", "response_format": "text.format", "max_completion_tokens": "max_output_tokens",
                "reasoning_effort": "reasoning.effort"}
