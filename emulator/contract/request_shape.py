"""`CreateChatCompletionRequest` as the live API checks it: every field, message role and part.

Field order is the order errors are reported in (one error per response, always the same one).
"""
from __future__ import annotations

from . import errors
from .shapes import Array, Boolean, Integer, MapOf, Number, Object, OneOf, Shape, String, Tagged

# --- content parts -------------------------------------------------------------------------

CACHE_BREAKPOINT = Object(
    {"mode": String(enum=("explicit",)), "ttl": String(enum=("30m", "12h"))}, required=("mode",)
)

TEXT_PART = Object(
    {"type": String(), "text": String(), "prompt_cache_breakpoint": CACHE_BREAKPOINT}, required=("type", "text")
)
IMAGE_PART = Object(
    {
        "type": String(),
        "image_url": Object(
            {"url": String(), "detail": String(enum=("auto", "low", "high", "original"))}, required=("url",)
        ),
        "prompt_cache_breakpoint": CACHE_BREAKPOINT,
    },
    required=("type", "image_url"),
)
AUDIO_PART = Object(
    {
        "type": String(),
        "input_audio": Object({"data": String(), "format": String(enum=("wav", "mp3"))}, required=("data", "format")),
        "prompt_cache_breakpoint": CACHE_BREAKPOINT,
    },
    required=("type", "input_audio"),
)
FILE_PART = Object(
    {
        "type": String(),
        "file": Object({"filename": String(), "file_data": String(), "file_id": String()}),
        "prompt_cache_breakpoint": CACHE_BREAKPOINT,
    },
    required=("type", "file"),
)
REFUSAL_PART = Object({"type": String(), "refusal": String()}, required=("type", "refusal"))

TEXT_PARTS = Tagged("type", {"text": TEXT_PART})
USER_PARTS = Tagged("type", {"text": TEXT_PART, "image_url": IMAGE_PART, "input_audio": AUDIO_PART, "file": FILE_PART})
ASSISTANT_PARTS = Tagged("type", {"text": TEXT_PART, "refusal": REFUSAL_PART})


def content(parts: Shape, nullable: bool = False) -> OneOf:
    return OneOf(String(), Array(parts, min_items=1), nullable=nullable)


# --- messages --------------------------------------------------------------------------------

FUNCTION_TOOL_CALL = Object(
    {
        "id": String(),
        "type": String(),
        "function": Object({"name": String(), "arguments": String()}, required=("name", "arguments")),
    },
    required=("id", "type", "function"),
)
CUSTOM_TOOL_CALL = Object(
    {"id": String(), "type": String(), "custom": Object({"name": String(), "input": String()}, required=("name", "input"))},
    required=("id", "type", "custom"),
)
TOOL_CALLS = Array(Tagged("type", {"function": FUNCTION_TOOL_CALL, "custom": CUSTOM_TOOL_CALL}), max_items=128)


def _simple_message(parts: Shape, **extra: Shape) -> Object:
    return Object({"role": String(), "content": content(parts), "name": String(), **extra}, required=("content",))


MESSAGE_ROLES: dict[str, Shape] = {
    # Order matters: it is the order of the live "Supported values are" list.
    "system": _simple_message(TEXT_PARTS),
    "assistant": Object(
        {
            "role": String(),
            "content": content(ASSISTANT_PARTS, nullable=True),
            "refusal": String(nullable=True),
            "name": String(),
            "audio": Object({"id": String()}, required=("id",), nullable=True),
            "tool_calls": TOOL_CALLS,
            "function_call": Object({"name": String(), "arguments": String()}, required=("arguments", "name"),
                                    nullable=True),
            # Clients send a returned message back as is (`messages.append(reply.choices[0].message)`), and
            # the live API takes the response-only `annotations` along.
            "annotations": Array(Object({}, open=True), nullable=True),
        }
    ),
    "user": _simple_message(USER_PARTS),
    "function": Object({"role": String(), "content": String(nullable=True), "name": String()},
                       required=("content", "name")),
    "tool": Object({"role": String(), "content": content(TEXT_PARTS), "tool_call_id": String()},
                   required=("content", "tool_call_id")),
    "developer": _simple_message(TEXT_PARTS),
}
MESSAGE = Tagged("role", MESSAGE_ROLES)
MESSAGES = Array(MESSAGE, min_items=1)

# --- tools and formats -----------------------------------------------------------------------

FUNCTION_NAME = String(max_length=64)
FUNCTION_OBJECT = Object(
    {"name": FUNCTION_NAME, "description": String(), "parameters": Object({}, open=True),
     "strict": Boolean(nullable=True)},
    required=("name",),
)
CUSTOM_TOOL = Object(
    {
        "type": String(),
        "custom": Object(
            {
                "name": String(),
                "description": String(),
                "format": Tagged(
                    "type",
                    {
                        "text": Object({"type": String()}),
                        "grammar": Object(
                            {"type": String(),
                             "grammar": Object({"definition": String(), "syntax": String(enum=("lark", "regex"))},
                                               required=("definition", "syntax"))},
                            required=("grammar",),
                        ),
                    },
                ),
            },
            required=("name",),
        ),
    },
    required=("custom",),
)
TOOL = Tagged("type", {"function": Object({"type": String(), "function": FUNCTION_OBJECT}, required=("function",)),
                       "custom": CUSTOM_TOOL})

NAMED_FUNCTION = Object({"name": String()}, required=("name",))
TOOL_CHOICE = OneOf(
    String(enum=("none", "auto", "required")),
    Tagged(
        "type",
        {
            "function": Object({"type": String(), "function": NAMED_FUNCTION}, required=("function",)),
            "custom": Object({"type": String(), "custom": NAMED_FUNCTION}, required=("custom",)),
            "allowed_tools": Object(
                {
                    "type": String(),
                    "allowed_tools": Object(
                        {"mode": String(enum=("auto", "required")),
                         "tools": Array(Object({}, open=True), min_items=1)},
                        required=("mode", "tools"),
                    ),
                },
                required=("allowed_tools",),
            ),
        },
    ),
)

JSON_SCHEMA_FORMAT = Object(
    {"name": String(max_length=64), "description": String(), "schema": Object({}, open=True),
     "strict": Boolean(nullable=True)},
    required=("name",),
)
RESPONSE_FORMAT = Tagged(
    "type",
    {
        "text": Object({"type": String()}),
        "json_schema": Object({"type": String(), "json_schema": JSON_SCHEMA_FORMAT}, required=("json_schema",)),
        "json_object": Object({"type": String()}),
    },
)

FUNCTIONS = Array(
    Object({"name": FUNCTION_NAME, "description": String(), "parameters": Object({}, open=True)}, required=("name",)),
    min_items=1,
    max_items=128,
)

VOICES = String()  # any voice id string is allowed (VoiceIdsShared); custom voices are `{id}`
AUDIO = Object(
    {"voice": OneOf(VOICES, Object({"id": String()}, required=("id",))),
     "format": String(enum=("wav", "aac", "mp3", "flac", "opus", "pcm16"))},
    required=("voice", "format"),
    nullable=True,
)

PREDICTION = Tagged(
    "type", {"content": Object({"type": String(), "content": content(TEXT_PARTS)}, required=("content",))},
    nullable=True,
)

WEB_SEARCH_OPTIONS = Object(
    {
        "user_location": Object(
            {"type": String(enum=("approximate",)),
             "approximate": Object({"country": String(), "region": String(), "city": String(),
                                    "timezone": String()})},
            required=("type", "approximate"),
            nullable=True,
        ),
        "search_context_size": String(enum=("low", "medium", "high")),
    }
)

MODERATION = Object(
    {
        "model": String(),
        "policy": Object(
            {"input": Object({"mode": String(enum=("score", "block"))}, required=("mode",), nullable=True),
             "output": Object({"mode": String(enum=("score", "block"))}, required=("mode",), nullable=True)},
            nullable=True,
        ),
    },
    required=("model",),
    nullable=True,
)

# --- the request -------------------------------------------------------------------------------

REQUEST_FIELDS: dict[str, Shape] = {
    "model": String(),
    "messages": MESSAGES,
    "metadata": MapOf(String(max_length=512), max_properties=16, max_key_length=64, nullable=True),
    "temperature": Number(0, 2, nullable=True),
    "top_p": Number(0, 1, nullable=True),
    "top_logprobs": Integer(0, 20, nullable=True),
    "user": String(),
    "safety_identifier": String(max_length=64, nullable=True),
    "prompt_cache_key": String(nullable=True),
    "prompt_cache_retention": String(enum=("in_memory", "24h"), nullable=True),
    "prompt_cache_options": Object({"ttl": String(enum=("30m",)), "mode": String(enum=("implicit", "explicit"))}),
    "service_tier": String(enum=("auto", "default", "flex", "scale", "priority", "fast"), nullable=True),
    "modalities": Array(String(enum=("text", "audio")), nullable=True),
    "verbosity": String(enum=("low", "medium", "high"), nullable=True),
    "reasoning_effort": String(enum=("none", "minimal", "low", "medium", "high", "xhigh", "max"), nullable=True),
    "max_completion_tokens": Integer(1, nullable=True),
    "max_tokens": Integer(1, nullable=True),
    "frequency_penalty": Number(-2, 2, nullable=True),
    "presence_penalty": Number(-2, 2, nullable=True),
    "web_search_options": WEB_SEARCH_OPTIONS,
    "response_format": RESPONSE_FORMAT,
    "audio": AUDIO,
    "store": Boolean(nullable=True),
    "moderation": MODERATION,
    "stream": Boolean(nullable=True),
    "stop": OneOf(String(), Array(String(), min_items=1, max_items=4), nullable=True),
    "logit_bias": MapOf(Integer(-100, 100), nullable=True),
    "logprobs": Boolean(nullable=True),
    "n": Integer(1, 128, nullable=True),
    "prediction": PREDICTION,
    "seed": Integer(-(2**63), 2**63 - 1, nullable=True),
    "stream_options": Object({"include_usage": Boolean(), "include_obfuscation": Boolean()}, nullable=True),
    "tools": Array(TOOL),
    "tool_choice": TOOL_CHOICE,
    "parallel_tool_calls": Boolean(),
    "function_call": OneOf(String(enum=("none", "auto")), NAMED_FUNCTION),
    "functions": FUNCTIONS,
}

CHAT_REQUEST = Object(
    REQUEST_FIELDS, required=("model", "messages"), missing={"model": errors.missing_model}
)
