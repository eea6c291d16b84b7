"""`vllm`: vLLM's OpenAI-compatible server: its extra sampling and guided-decoding fields, its errors.

Fields and types follow vLLM's `ChatCompletionRequest` (vllm/entrypoints/openai/protocol.py);
range checks use the texts of vLLM's `SamplingParams` and request validators. Like vLLM, fields
it does not know are ignored (vLLM logs them; we name them in `x-emulator-ignored-fields`).
Errors come in vLLM's envelope: `{"error": {"message", "type": "BadRequestError", "param",
"code": 400}}` (the HTTP status as an integer), and a bad key gets `{"error": "Unauthorized"}`.
"""
from __future__ import annotations

from http import HTTPStatus
from typing import Any

from ..contract.chat_request import ChatRequest
from ..contract.errors import ApiError, bad_request
from ..contract.linear_regex import PatternError, linear_pattern
from ..contract.strict_json import loads_strictly
from ..contract.request_shape import CHAT_REQUEST, REQUEST_FIELDS
from ..contract.shapes import AnyValue, Array, Boolean, Integer, MapOf, Number, Object, OneOf, Shape, String
from .base import Profile

JSON_SCHEMA = OneOf(String(), Object({}, open=True), nullable=True)
OPEN_OBJECT = Object({}, open=True, nullable=True)

STRUCTURED_OUTPUTS = Object(
    {
        "json": JSON_SCHEMA,
        "regex": String(nullable=True),
        "choice": Array(String(), nullable=True),
        "grammar": String(nullable=True),
        "json_object": Boolean(nullable=True),
        "structural_tag": String(nullable=True),
        "disable_fallback": Boolean(),
        "disable_any_whitespace": Boolean(),
        "disable_additional_properties": Boolean(),
        "whitespace_pattern": String(nullable=True),
    },
    nullable=True,
)

# vLLM's extra parameters for the Chat API (sampling params, then the extra params), with their types.
VLLM_FIELDS: dict[str, Shape] = {
    "best_of": Integer(nullable=True),
    "use_beam_search": Boolean(),
    "top_k": Integer(nullable=True),
    "min_p": Number(nullable=True),
    "repetition_penalty": Number(nullable=True),
    "length_penalty": Number(),
    "stop_token_ids": Array(Integer(), nullable=True),
    "include_stop_str_in_output": Boolean(),
    "ignore_eos": Boolean(),
    "min_tokens": Integer(),
    "skip_special_tokens": Boolean(),
    "spaces_between_special_tokens": Boolean(),
    "truncate_prompt_tokens": Integer(nullable=True),
    "prompt_logprobs": Integer(nullable=True),
    "allowed_token_ids": Array(Integer(), nullable=True),
    "bad_words": Array(String()),
    "echo": Boolean(),
    "add_generation_prompt": Boolean(),
    "continue_final_message": Boolean(),
    "add_special_tokens": Boolean(),
    "documents": Array(MapOf(String()), nullable=True),
    "chat_template": String(nullable=True),
    "chat_template_kwargs": OPEN_OBJECT,
    "mm_processor_kwargs": OPEN_OBJECT,
    "media_io_kwargs": OPEN_OBJECT,
    "guided_json": JSON_SCHEMA,
    "guided_regex": String(nullable=True),
    "guided_choice": Array(String(), nullable=True),
    "guided_grammar": String(nullable=True),
    "structural_tag": String(nullable=True),
    "guided_decoding_backend": String(nullable=True),
    "guided_whitespace_pattern": String(nullable=True),
    "structured_outputs": STRUCTURED_OUTPUTS,
    "priority": Integer(),
    "request_id": String(),
    "logits_processors": Array(AnyValue(), nullable=True),
    "return_tokens_as_token_ids": Boolean(nullable=True),
    "return_token_ids": Boolean(nullable=True),
    "cache_salt": String(nullable=True),
    "kv_transfer_params": OPEN_OBJECT,
    "vllm_xargs": MapOf(OneOf(String(), Number()), nullable=True),
    "include_reasoning": Boolean(),
}

REQUEST_FIELDS_VLLM: dict[str, Shape] = {
    **REQUEST_FIELDS,
    # vLLM adds `continuous_usage_stats` to the stream options.
    "stream_options": Object({"include_usage": Boolean(nullable=True), "include_obfuscation": Boolean(),
                              "continuous_usage_stats": Boolean(nullable=True)}, nullable=True),
    **VLLM_FIELDS,
}
VLLM_REQUEST = Object(REQUEST_FIELDS_VLLM, required=CHAT_REQUEST.required, missing=CHAT_REQUEST.missing)

GUIDED_KINDS = ("guided_json", "guided_regex", "guided_choice")


def _float(value: Any) -> str:
    return repr(float(value))


def check_sampling(request: ChatRequest) -> None:
    """vLLM's `SamplingParams` range checks, in its order and words; like vLLM's plain `ValueError`s they
    name no `param`."""
    body = request.body
    top_k = body.get("top_k")
    if top_k is not None and top_k < -1:
        raise bad_request(f"top_k must be 0 (disable), or at least 1, got {int(top_k)}.")
    min_p = body.get("min_p")
    if min_p is not None and not 0.0 <= min_p <= 1.0:
        raise bad_request(f"min_p must be in [0, 1], got {_float(min_p)}.")
    penalty = body.get("repetition_penalty")
    if penalty is not None and penalty <= 0.0:
        raise bad_request(f"repetition_penalty must be greater than zero, got {_float(penalty)}.")
    min_tokens = body.get("min_tokens") or 0
    if min_tokens < 0:
        raise bad_request(f"min_tokens must be greater than or equal to 0, got {int(min_tokens)}.")
    max_tokens = request.max_tokens
    if max_tokens and min_tokens > max_tokens:
        raise bad_request(f"min_tokens must be less than or equal to max_tokens={int(max_tokens)}, "
                          f"got {int(min_tokens)}.")
    n, best_of = int(body.get("n") or 1), body.get("best_of")
    if best_of is not None:
        if best_of < 1:
            raise bad_request(f"best_of must be at least 1, got {int(best_of)}.")
        if best_of < n:
            raise bad_request(f"best_of must be greater than or equal to n, got n={n} and best_of={int(best_of)}.")
    prompt_logprobs = body.get("prompt_logprobs")
    if prompt_logprobs is not None:
        if body.get("stream") and prompt_logprobs > 0:
            raise bad_request("`prompt_logprobs` are not available when `stream=True`.")
        if prompt_logprobs < 0:
            raise bad_request("`prompt_logprobs` must be a positive value.")


def check_guided(request: ChatRequest) -> None:
    """One kind of guided decoding at a time, and each one usable (a schema, a regex, choices)."""
    body = request.body
    if sum(body.get(kind) is not None for kind in GUIDED_KINDS) > 1:
        raise bad_request("You can only use one kind of guided decoding "
                          "('guided_json', 'guided_regex' or 'guided_choice').")
    if body.get("continue_final_message") and body.get("add_generation_prompt"):
        raise bad_request("Cannot set both `continue_final_message` and `add_generation_prompt` to True.")
    outputs = body.get("structured_outputs") or {}
    for param, schema in (("guided_json", body.get("guided_json")), ("structured_outputs.json", outputs.get("json"))):
        if isinstance(schema, str):
            try:
                parsed = loads_strictly(schema)
            except ValueError:
                parsed = None
            if not isinstance(parsed, dict):
                raise bad_request(f"Invalid '{param}': expected a JSON schema object or a string holding one.", param)
    for param, pattern in (("guided_regex", body.get("guided_regex")), ("structured_outputs.regex", outputs.get("regex"))):
        if pattern is not None:
            try:
                linear_pattern(pattern)  # parses only: compiling may overflow, nesting may recurse
            except PatternError as exc:
                raise bad_request(f"Invalid '{param}': not a valid regular expression ({exc.reason}).", param) from None
    for param, choices in (("guided_choice", body.get("guided_choice")), ("structured_outputs.choice", outputs.get("choice"))):
        if choices is not None and not choices:
            raise bad_request(f"Invalid '{param}': expected at least one choice.", param)


_ERROR_TYPES = {400: "BadRequestError", 404: "NotFoundError", 500: "InternalServerError", 501: "NotImplementedError"}


def vllm_error_payload(error: ApiError) -> Any:
    """An `ApiError` in vLLM's envelope; model-not-found in vLLM's words."""
    if error.status == 401:
        return {"error": "Unauthorized"}
    message, param = error.message, error.param
    if error.code == "model_not_found":
        message, param = message.replace(" or you do not have access to it.", "."), "model"
    try:
        kind = _ERROR_TYPES.get(error.status) or HTTPStatus(error.status).phrase
    except ValueError:
        kind = "BadRequestError"
    return {"error": {"message": message, "type": kind, "param": param, "code": error.status}}


VLLM = Profile(
    name="vllm",
    summary="vLLM's server: its sampling and guided-decoding fields, unknown fields ignored, vLLM's error envelope",
    request_shape=VLLM_REQUEST,
    ignore_unknown=True,
    checks=(check_sampling, check_guided),
    error_payload=vllm_error_payload,
)
