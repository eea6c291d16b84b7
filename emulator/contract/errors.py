"""`ApiError`, the one error value of the emulator, and the live API's error texts.

Anything on the request path raises an `ApiError`; the app renders it in one place as
the OpenAI envelope `{"error": {"message", "type", "param", "code"}}`.
"""
from __future__ import annotations

from typing import Any

INVALID_REQUEST = "invalid_request_error"


class ApiError(Exception):
    """An error response: HTTP status plus the four envelope fields (and extra headers)."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        type: str = INVALID_REQUEST,
        param: str | None = None,
        code: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.type = type
        self.param = param
        self.code = code
        self.headers = headers or {}
        self.scenario: str | None = None  # the scenario that scripted this error, when one did

    def envelope(self) -> dict[str, Any]:
        return {"error": {"message": self.message, "type": self.type, "param": self.param, "code": self.code}}

    def __repr__(self) -> str:
        return f"ApiError({self.status}, {self.message!r}, type={self.type!r}, param={self.param!r}, code={self.code!r})"


def bad_request(message: str, param: str | None = None, code: str | None = None) -> ApiError:
    return ApiError(400, message, param=param, code=code)


def format_number(value: float | int) -> str:
    """Numbers as the live API prints them: `2` not `2.0`, `2.1` as is."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    return repr(value) if isinstance(value, float) else str(value)


def quote_list(values: list[str] | tuple[str, ...]) -> str:
    """`'a', 'b', and 'c'` (the live API's Oxford-comma list of supported values)."""
    quoted = [f"'{v}'" for v in values]
    if len(quoted) <= 2:
        return " and ".join(quoted)
    return ", ".join(quoted[:-1]) + ", and " + quoted[-1]


# --- request validation (HTTP 400) -------------------------------------------------------

def invalid_json() -> ApiError:
    return bad_request(
        "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your "
        "HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON. "
        "If you have trouble figuring out how to fix this, please contact us through our help center at "
        "help.openai.com.)"
    )


def missing_model() -> ApiError:
    return bad_request("you must provide a model parameter")


def missing_parameter(param: str) -> ApiError:
    return bad_request(f"Missing required parameter: '{param}'.", param, "missing_required_parameter")


def unknown_parameter(param: str) -> ApiError:
    return bad_request(f"Unknown parameter: '{param}'.", param, "unknown_parameter")


def invalid_type(param: str, expected: str, got: str) -> ApiError:
    return bad_request(
        f"Invalid type for '{param}': expected {expected}, but got {got} instead.", param, "invalid_type"
    )


def invalid_value(param: str, value: Any, supported: tuple[str, ...]) -> ApiError:
    return bad_request(
        f"Invalid value: '{value}'. Supported values are: {quote_list(supported)}.", param, "invalid_value"
    )


def out_of_range(param: str, kind: str, above: bool, bound: float | int, got: float | int) -> ApiError:
    """`kind` is `integer` or `decimal`."""
    if above:
        message = f"Invalid '{param}': {kind} above maximum value. Expected a value <= {format_number(bound)}, "
    else:
        message = f"Invalid '{param}': {kind} below minimum value. Expected a value >= {format_number(bound)}, "
    message += f"but got {format_number(got)} instead."
    return bad_request(message, param, f"{kind}_{'above_max' if above else 'below_min'}_value")


def empty_array(param: str) -> ApiError:
    return bad_request(
        f"Invalid '{param}': empty array. Expected an array with minimum length 1, but got an empty array instead.",
        param,
        "empty_array",
    )


def _length_error(param: str, noun: str, above: bool, bound: int, got: int) -> ApiError:
    """`Invalid 'stop': array too long. Expected an array with maximum length 4, but got ...` and kin."""
    article = "an" if noun == "array" else "a"
    size, limit, code = ("long", "maximum", "above_max") if above else ("short", "minimum", "below_min")
    return bad_request(
        f"Invalid '{param}': {noun} too {size}. Expected {article} {noun} with {limit} length {bound}, "
        f"but got {article} {noun} with length {got} instead.",
        param,
        f"{noun}_{code}_length",
    )


def array_too_short(param: str, minimum: int, got: int) -> ApiError:
    return _length_error(param, "array", False, minimum, got)


def array_too_long(param: str, maximum: int, got: int) -> ApiError:
    return _length_error(param, "array", True, maximum, got)


def string_too_long(param: str, maximum: int, got: int) -> ApiError:
    return _length_error(param, "string", True, maximum, got)


def string_too_short(param: str, minimum: int, got: int) -> ApiError:
    return _length_error(param, "string", False, minimum, got)


def too_many_properties(param: str, maximum: int, got: int) -> ApiError:
    return bad_request(
        f"Invalid '{param}': too many properties. Expected an object with at most {maximum} properties, "
        f"but got an object with {got} properties instead.",
        param,
        "object_above_max_properties",
    )


def only_allowed_when(param: str, requirement: str) -> ApiError:
    """`tool_choice`/`parallel_tool_calls` without `tools` and the like."""
    return bad_request(f"Invalid value for '{param}': '{param}' is only allowed when {requirement}.", param)


def unsupported_parameter(param: str, instead: str | None = None) -> ApiError:
    message = f"Unsupported parameter: '{param}' is not supported with this model."
    if instead:
        message += f" Use '{instead}' instead."
    return bad_request(message, param, "unsupported_parameter")


def unsupported_value(param: str, message: str) -> ApiError:
    return bad_request(f"Unsupported value: {message}", param, "unsupported_value")


# --- auth, routing, models ----------------------------------------------------------------

def missing_api_key() -> ApiError:
    return ApiError(
        401,
        "You didn't provide an API key. You need to provide your API key in an Authorization header using "
        "Bearer auth (i.e. Authorization: Bearer YOUR_KEY), or as the password field (with blank username) if "
        "you're accessing the API from your browser and are prompted for a username and password. You can "
        "obtain an API key from https://platform.openai.com/account/api-keys.",
    )


def mask_key(key: str) -> str:
    """The live masking: first 8 characters, asterisks, last 4."""
    if len(key) <= 12:
        return key[:2] + "*" * max(len(key) - 2, 0)
    return key[:8] + "*" * (len(key) - 12) + key[-4:]


def incorrect_api_key(key: str) -> ApiError:
    return ApiError(
        401,
        f"Incorrect API key provided: {mask_key(key)}. You can find your API key at "
        "https://platform.openai.com/account/api-keys.",
        code="invalid_api_key",
    )


def model_not_found(model: str) -> ApiError:
    return ApiError(
        404, f"The model `{model}` does not exist or you do not have access to it.", code="model_not_found"
    )


def not_a_chat_model() -> ApiError:
    """The live 404 for a model Chat Completions does not serve (an embeddings model, say)."""
    return ApiError(404, "This is not a chat model and thus not supported in the v1/chat/completions endpoint. "
                         "Did you mean to use v1/completions?", param="model")


def invalid_url(method: str, path: str) -> ApiError:
    if path.startswith("/v1/") or path == "/v1":
        return ApiError(404, f"Invalid URL ({method} {path})")
    return ApiError(
        404,
        f"Unknown request URL: {method} {path}. Please check the URL for typos, or see the docs at "
        "https://platform.openai.com/docs/api-reference/.",
        code="unknown_url",
    )


def request_too_large(limit: int) -> ApiError:
    return ApiError(413, f"Request body too large. The maximum request body size is {limit} bytes.",
                    code="request_too_large")


def unsupported_content_type(content_type: str) -> ApiError:
    return bad_request(
        f"Unsupported content type: '{content_type}'. This API method only accepts 'application/json' requests, "
        f"but you specified the header 'Content-Type: {content_type}'. Please try again with a supported content "
        "type.",
        code="unsupported_content_type",
    )


def context_length_exceeded(limit: int, prompt: int, completion: int | None) -> ApiError:
    if completion:
        message = (
            f"This model's maximum context length is {limit} tokens. However, you requested "
            f"{prompt + completion} tokens ({prompt} in the messages, {completion} in the completion). "
            "Please reduce the length of the messages or completion."
        )
    else:
        message = (
            f"This model's maximum context length is {limit} tokens. However, your messages resulted in "
            f"{prompt} tokens. Please reduce the length of the messages."
        )
    return bad_request(message, "messages", "context_length_exceeded")


# --- embeddings (docs/embeddings.md lists which texts are observed and which inferred) -------------

API_REFERENCE = "https://platform.openai.com/docs/api-reference."


def invalid_embedding_input() -> ApiError:
    """The live answer to any `input` the embeddings endpoint cannot take (an empty string, an empty or
    too long array, a wrong type): one sentence, no param or code."""
    return bad_request(f"'$.input' is invalid. Please check the API reference: {API_REFERENCE}")


def dimensions_not_supported() -> ApiError:
    return bad_request("This model does not support specifying dimensions.")


def embedding_input_too_long(limit: int, tokens: int) -> ApiError:
    return bad_request(
        f"This model's maximum context length is {limit} tokens, however you requested {tokens} tokens "
        f"({tokens} in your prompt; 0 for the completion). Please reduce your prompt; or completion length."
    )


def too_many_tokens_per_request(requested: int, limit: int) -> ApiError:
    return ApiError(400, f"Requested {requested} tokens, max {limit} tokens per request",
                    type="max_tokens_per_request", code="max_tokens_per_request")


def not_an_embeddings_model() -> ApiError:
    """A chat model on `/v1/embeddings` (the openai 0.x SDK raised it as its 403 `PermissionError`)."""
    return ApiError(403, "You are not allowed to generate embeddings from this model")


# --- server side and rate limits ----------------------------------------------------------

def server_error(request_id_hex: str) -> ApiError:
    return ApiError(
        500,
        "The server had an error processing your request. Sorry about that! You can retry your request, or "
        "contact us through our help center at help.openai.com if you keep seeing this error. "
        f"(Please include the request ID {request_id_hex} in your email.)",
        type="server_error",
    )


def overloaded(request_id_hex: str) -> ApiError:
    return ApiError(
        503,
        "That model is currently overloaded with other requests. You can retry your request, or contact us "
        "through our help center at help.openai.com if the error persists. "
        f"(Please include the request ID {request_id_hex} in your message.)",
        type="server_error",
    )


def insufficient_quota() -> ApiError:
    return ApiError(
        429,
        "You exceeded your current quota, please check your plan and billing details. For more information on "
        "this error, read the docs: https://platform.openai.com/docs/guides/error-codes/api-errors.",
        type="insufficient_quota",
        code="insufficient_quota",
    )


def rate_limited(model: str, kind: str, limit: int, used: int, requested: int, wait: str) -> ApiError:
    """`kind` is `requests` (RPM) or `tokens` (TPM); `wait` a Go-style duration such as `18.642s`."""
    unit = "requests per min (RPM)" if kind == "requests" else "tokens per min (TPM)"
    return ApiError(
        429,
        f"Rate limit reached for {model} in organization org-emulator on {unit}: Limit {limit}, Used {used}, "
        f"Requested {requested}. Please try again in {wait}. Visit https://platform.openai.com/account/rate-limits "
        "to learn more.",
        type=kind,
        code="rate_limit_exceeded",
    )


# --- the emulator's own errors (no live text exists; they follow the API's grammar) ----------------
def invalid_pacing_header(ttft: str, tokens_per_second: str, chunk_tokens: str, *spreads: str) -> ApiError:
    numbers = ", ".join((ttft, tokens_per_second, *spreads))
    return ApiError(400, f"Invalid pacing header: {numbers} take numbers >= 0, "
                         f"{chunk_tokens} an integer.", param=None, code="invalid_pacing_header")


def pacing_header_out_of_range(header: str, value: str, what: str) -> ApiError:
    return ApiError(400, f"Invalid pacing header '{header}': '{value}'. It {what}.", param=None,
                    code="invalid_pacing_header")


def invalid_profile(header: str, value: str, known: tuple[str, ...]) -> ApiError:
    return ApiError(400, f"Invalid value for header '{header}': '{value}'. Supported values are: "
                         f"{quote_list(known)}.", code="invalid_profile")


def stored_completion_not_found(completion_id: str) -> ApiError:
    # Wording of the API's other missing-object errors ("No ... found with id '...'").
    return ApiError(404, f"No chat completion found with id '{completion_id}'.")
