"""Bad requests get the live API's error: status, type, param, code and message (contract/errors.py)."""
from __future__ import annotations

import pytest

USER = [{"role": "user", "content": "hi"}]
ASSISTANT_CALL = {"role": "assistant", "content": None, "tool_calls": [
    {"id": "call_1", "type": "function", "function": {"name": "f", "arguments": "{}"}}]}
TOOLS = [{"type": "function", "function": {"name": "f", "parameters": {"type": "object", "properties": {}}}}]


def ok(**fields):
    return {"model": "gpt-4o-mini", "messages": USER, **fields}


# (id, body, status, param, code, message or message prefix)
CASES = [
    ("missing-model", {"messages": USER}, 400, None, None, "you must provide a model parameter"),
    ("missing-messages", {"model": "gpt-4o"}, 400, "messages", "missing_required_parameter",
     "Missing required parameter: 'messages'."),
    ("empty-messages", {"model": "gpt-4o", "messages": []}, 400, "messages", "empty_array",
     "Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead."),
    ("messages-not-array", {"model": "gpt-4o", "messages": "hi"}, 400, "messages", "invalid_type",
     "Invalid type for 'messages': expected an array of objects, but got a string instead."),
    ("model-not-string", {"model": 4, "messages": USER}, 400, "model", "invalid_type",
     "Invalid type for 'model': expected a string, but got an integer instead."),
    ("unknown-field", ok(foo=1), 400, "foo", "unknown_parameter", "Unknown parameter: 'foo'."),
    ("unknown-reasoning", ok(reasoning={"effort": "low"}), 400, "reasoning", "unknown_parameter",
     "Unknown parameter: 'reasoning'."),
    ("temperature-string", ok(temperature="hot"), 400, "temperature", "invalid_type",
     "Invalid type for 'temperature': expected a decimal, but got a string instead."),
    ("temperature-above", ok(temperature=2.1), 400, "temperature", "decimal_above_max_value",
     "Invalid 'temperature': decimal above maximum value. Expected a value <= 2, but got 2.1 instead."),
    ("temperature-below", ok(temperature=-2.5), 400, "temperature", "decimal_below_min_value",
     "Invalid 'temperature': decimal below minimum value. Expected a value >= 0, but got -2.5 instead."),
    ("top-p-above", ok(top_p=1.5), 400, "top_p", "decimal_above_max_value", None),
    ("top-p-bool", ok(top_p=True), 400, "top_p", "invalid_type",
     "Invalid type for 'top_p': expected a decimal, but got a boolean instead."),
    ("n-above", ok(n=130), 400, "n", "integer_above_max_value",
     "Invalid 'n': integer above maximum value. Expected a value <= 128, but got 130 instead."),
    ("n-below", ok(n=0), 400, "n", "integer_below_min_value",
     "Invalid 'n': integer below minimum value. Expected a value >= 1, but got 0 instead."),
    ("n-decimal", ok(n=1.5), 400, "n", "invalid_type",
     "Invalid type for 'n': expected an integer, but got a decimal number instead."),
    ("max-tokens-decimal", ok(max_tokens=10.5), 400, "max_tokens", "invalid_type",
     "Invalid type for 'max_tokens': expected an integer, but got a decimal number instead."),
    ("max-tokens-negative", ok(max_tokens=-678), 400, "max_tokens", "integer_below_min_value",
     "Invalid 'max_tokens': integer below minimum value. Expected a value >= 1, but got -678 instead."),
    ("max-completion-zero", ok(max_completion_tokens=0), 400, "max_completion_tokens", "integer_below_min_value", None),
    ("frequency-penalty-above", ok(frequency_penalty=3), 400, "frequency_penalty", "decimal_above_max_value", None),
    ("presence-penalty-below", ok(presence_penalty=-3), 400, "presence_penalty", "decimal_below_min_value", None),
    ("top-logprobs-above", ok(logprobs=True, top_logprobs=21), 400, "top_logprobs", "integer_above_max_value", None),
    ("top-logprobs-without-logprobs", ok(top_logprobs=2), 400, "top_logprobs", None, None),
    ("logprobs-string", ok(logprobs="yes"), 400, "logprobs", "invalid_type",
     "Invalid type for 'logprobs': expected a boolean, but got a string instead."),
    ("stream-number", ok(stream=1), 400, "stream", "invalid_type", None),
    ("stream-options-without-stream", ok(stream_options={"include_usage": True}), 400, "stream_options", None,
     "The 'stream_options' parameter is only allowed when 'stream' is enabled."),
    ("stream-options-unknown-key", ok(stream=True, stream_options={"usage": True}), 400,
     "stream_options.usage", "unknown_parameter", "Unknown parameter: 'stream_options.usage'."),
    ("stop-too-many", ok(stop=["a", "b", "c", "d", "e"]), 400, "stop", "array_above_max_length",
     "Invalid 'stop': array too long. Expected an array with maximum length 4, but got an array with length 5 instead."),
    ("stop-number", ok(stop=5), 400, "stop", "invalid_type",
     "Invalid type for 'stop': expected one of a string or array of strings, but got an integer instead."),
    ("stop-item-number", ok(stop=["a", 1]), 400, "stop[1]", "invalid_type", None),
    ("metadata-too-many", ok(store=True, metadata={f"k{i}": "v" for i in range(17)}), 400, "metadata",
     "object_above_max_properties",
     "Invalid 'metadata': too many properties. Expected an object with at most 16 properties, but got an object with 17 properties instead."),
    ("metadata-key-too-long", ok(store=True, metadata={"k" * 65: "v"}), 400, "metadata." + "k" * 65,
     "string_above_max_length", None),
    ("metadata-value-too-long", ok(store=True, metadata={"k": "v" * 513}), 400, "metadata.k",
     "string_above_max_length", None),
    ("metadata-value-number", ok(store=True, metadata={"k": 1}), 400, "metadata.k", "invalid_type", None),
    ("metadata-without-store", ok(metadata={"k": "v"}), 400, "metadata", None,
     "The 'metadata' parameter is only allowed when 'store' is enabled."),
    ("logit-bias-string", ok(logit_bias="x"), 400, "logit_bias", "invalid_type",
     "Invalid type for 'logit_bias': expected an object, but got a string instead."),
    ("logit-bias-key", ok(logit_bias={"AI": 5}), 400, "logit_bias", None,
     "Invalid key in 'logit_bias': AI. You should only be submitting non-negative integers."),
    ("logit-bias-key-range", {"model": "gpt-4", "messages": USER, "logit_bias": {"100265": 5}}, 400, "logit_bias",
     None, "Invalid key in 'logit_bias': 100265. Maximum value is 100257."),
    ("logit-bias-value", ok(logit_bias={"50256": 150}), 400, "logit_bias.50256", "integer_above_max_value", None),
    ("service-tier-invalid", ok(service_tier="gold"), 400, "service_tier", "invalid_value",
     "Invalid value: 'gold'. Supported values are: 'auto', 'default', 'flex', 'scale', 'priority', and 'fast'."),
    ("reasoning-effort-invalid", ok(reasoning_effort="extreme"), 400, "reasoning_effort", "invalid_value", None),
    ("verbosity-invalid", ok(verbosity="loud"), 400, "verbosity", "invalid_value", None),
    ("modalities-invalid", ok(modalities=["video"]), 400, "modalities[0]", "invalid_value", None),
    ("seed-string", ok(seed="1"), 400, "seed", "invalid_type", None),
    ("safety-identifier-long", ok(safety_identifier="x" * 65), 400, "safety_identifier", "string_above_max_length",
     "Invalid 'safety_identifier': string too long. Expected a string with maximum length 64, but got a string with length 65 instead."),
    ("user-number", ok(user=5), 400, "user", "invalid_type", None),
    ("role-invalid", {"model": "gpt-4o", "messages": [{"role": "error", "content": "x"}]}, 400, "messages[0].role",
     "invalid_value",
     "Invalid value: 'error'. Supported values are: 'system', 'assistant', 'user', 'function', 'tool', and 'developer'."),
    ("role-missing", {"model": "gpt-4o", "messages": [{"content": "x"}]}, 400, "messages[0].role",
     "missing_required_parameter", "Missing required parameter: 'messages[0].role'."),
    ("content-missing", {"model": "gpt-4o", "messages": [{"role": "user"}]}, 400, "messages[0].content",
     "missing_required_parameter", "Missing required parameter: 'messages[0].content'."),
    ("content-number", {"model": "gpt-4o", "messages": [{"role": "user", "content": 5}]}, 400, "messages[0].content",
     "invalid_type",
     "Invalid type for 'messages[0].content': expected one of a string or array of objects, but got an integer instead."),
    ("content-parts-empty", {"model": "gpt-4o", "messages": [{"role": "user", "content": []}]}, 400,
     "messages[0].content", "empty_array", None),
    ("content-part-string", {"model": "gpt-4o", "messages": [{"role": "user", "content": ["hi"]}]}, 400,
     "messages[0].content[0]", "invalid_type",
     "Invalid type for 'messages[0].content[0]': expected an object, but got a string instead."),
    ("content-part-type-invalid", {"model": "gpt-4o", "messages": [
        {"role": "user", "content": [{"type": "video", "video": {}}]}]}, 400, "messages[0].content[0].type",
     "invalid_value", "Invalid value: 'video'. Supported values are: 'text', 'image_url', 'input_audio', and 'file'."),
    ("system-image-part", {"model": "gpt-4o", "messages": [
        {"role": "system", "content": [{"type": "image_url", "image_url": {"url": "https://x/y.png"}}]}, *USER]},
     400, "messages[0].content[0].type", "invalid_value", "Invalid value: 'image_url'. Supported values are: 'text'."),
    ("text-part-missing-text", {"model": "gpt-4o", "messages": [
        {"role": "user", "content": [{"type": "text"}]}]}, 400, "messages[0].content[0].text",
     "missing_required_parameter", None),
    ("image-detail-invalid", {"model": "gpt-4o", "messages": [{"role": "user", "content": [
        {"type": "image_url", "image_url": {"url": "https://x/y.png", "detail": "ultra"}}]}]}, 400,
     "messages[0].content[0].image_url.detail", "invalid_value", None),
    ("audio-format-invalid", {"model": "gpt-4o", "messages": [{"role": "user", "content": [
        {"type": "input_audio", "input_audio": {"data": "AAAA", "format": "ogg"}}]}]}, 400,
     "messages[0].content[0].input_audio.format", "invalid_value", None),
    ("message-unknown-key", {"model": "gpt-4o", "messages": [{"role": "user", "content": "x", "foo": 1}]}, 400,
     "messages[0].foo", "unknown_parameter", "Unknown parameter: 'messages[0].foo'."),
    ("tool-message-missing-id", {"model": "gpt-4o", "messages": [*USER, {"role": "tool", "content": "x"}]}, 400,
     "messages[1].tool_call_id", "missing_required_parameter", None),
    ("tool-without-tool-calls", {"model": "gpt-4o", "messages": [
        *USER, {"role": "tool", "content": "x", "tool_call_id": "call_1"}]}, 400, "messages.[1].role", None,
     "Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'."),
    ("tool-calls-unanswered", {"model": "gpt-4o", "messages": [*USER, ASSISTANT_CALL, *USER], "tools": TOOLS}, 400,
     "messages.[1].role", None,
     "An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. "
     "The following tool_call_ids did not have response messages: call_1"),
    ("tool-calls-too-many", {"model": "gpt-4o", "messages": [*USER, {"role": "assistant", "tool_calls": [
        {"id": f"c{i}", "type": "function", "function": {"name": "f", "arguments": "{}"}} for i in range(129)]}]},
     400, "messages[1].tool_calls", "array_above_max_length", None),
    ("function-message-missing-name", {"model": "gpt-4o", "messages": [
        *USER, {"role": "function", "content": "x"}]}, 400, "messages[1].name", "missing_required_parameter", None),
    ("tool-choice-without-tools", ok(tool_choice="auto"), 400, "tool_choice", None,
     "Invalid value for 'tool_choice': 'tool_choice' is only allowed when 'tools' are specified."),
    ("tool-choice-none-without-tools", ok(tool_choice="none"), 400, "tool_choice", None, None),
    ("parallel-without-tools", ok(parallel_tool_calls=False), 400, "parallel_tool_calls", None,
     "Invalid value for 'parallel_tool_calls': 'parallel_tool_calls' is only allowed when 'tools' are specified."),
    ("tool-choice-invalid", ok(tools=TOOLS, tool_choice="always"), 400, "tool_choice", "invalid_value", None),
    ("tool-choice-unknown-function", ok(tools=TOOLS, tool_choice={"type": "function", "function": {"name": "g"}}),
     400, "tool_choice", None, None),
    ("tool-type-invalid", ok(tools=[{"type": "retrieval"}]), 400, "tools[0].type", "invalid_value", None),
    ("tool-missing-function", ok(tools=[{"type": "function"}]), 400, "tools[0].function",
     "missing_required_parameter", None),
    ("tool-name-missing", ok(tools=[{"type": "function", "function": {"description": "x"}}]), 400,
     "tools[0].function.name", "missing_required_parameter", None),
    ("tool-name-pattern", ok(tools=[{"type": "function", "function": {"name": "get weather"}}]), 400,
     "tools[0].function.name", "invalid_value", None),
    ("tool-name-too-long", ok(tools=[{"type": "function", "function": {"name": "f" * 65}}]), 400,
     "tools[0].function.name", "string_above_max_length", None),
    ("tool-parameters-string", ok(tools=[{"type": "function", "function": {"name": "f", "parameters": "x"}}]), 400,
     "tools[0].function.parameters", "invalid_type", None),
    ("response-format-type", ok(response_format={"type": "xml"}), 400, "response_format.type", "invalid_value",
     "Invalid value: 'xml'. Supported values are: 'text', 'json_schema', and 'json_object'."),
    ("response-format-schema-missing", ok(response_format={"type": "json_schema"}), 400,
     "response_format.json_schema", "missing_required_parameter", None),
    ("response-format-name-missing", ok(response_format={"type": "json_schema", "json_schema": {"schema": {}}}), 400,
     "response_format.json_schema.name", "missing_required_parameter", None),
    ("json-object-without-json-word", ok(response_format={"type": "json_object"}), 400, "messages", None,
     "'messages' must contain the word 'json' in some form, to use 'response_format' of type 'json_object'."),
    ("functions-empty", ok(functions=[]), 400, "functions", "empty_array", None),
    ("function-call-without-functions", ok(function_call="auto"), 400, "function_call", None, None),
    ("audio-missing-format", ok(modalities=["text", "audio"], audio={"voice": "alloy"}), 400, "audio.format",
     "missing_required_parameter", None),
    ("prediction-type", ok(prediction={"type": "text", "content": "x"}), 400, "prediction.type", "invalid_value", None),
    ("web-search-context-size", ok(web_search_options={"search_context_size": "huge"}), 400,
     "web_search_options.search_context_size", "invalid_value", None),
    ("reasoning-max-tokens", {"model": "o3-mini", "messages": USER, "max_tokens": 100}, 400, "max_tokens",
     "unsupported_parameter",
     "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead."),
    ("reasoning-temperature", {"model": "o4-mini", "messages": USER, "temperature": 0.1}, 400, "temperature",
     "unsupported_value",
     "Unsupported value: 'temperature' does not support 0.1 with this model. Only the default (1) value is supported."),
    ("completion-budget-too-large", ok(max_completion_tokens=10**6), 400, "max_tokens", "invalid_value", None),
    ("context-too-long", {"model": "gpt-4", "messages": [{"role": "user", "content": "word " * 9000}]}, 400,
     "messages", "context_length_exceeded", "This model's maximum context length is 8192 tokens."),
    ("unknown-model", {"model": "gpt-9", "messages": USER}, 404, None, "model_not_found",
     "The model `gpt-9` does not exist or you do not have access to it."),
]


@pytest.mark.parametrize("body,status,param,code,message", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_request_gets_the_live_error(http, body, status, param, code, message):
    response = http.post("/chat/completions", json=body)
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    assert response.headers["x-request-id"].startswith("req_")
    error = response.json()["error"]
    assert set(error) == {"message", "type", "param", "code"}
    assert error["type"] == "invalid_request_error"
    assert (error["param"], error["code"]) == (param, code), error
    if message is not None:
        assert error["message"].startswith(message), error["message"]


def test_there_are_at_least_sixty_distinct_cases():
    assert len({c[0] for c in CASES}) >= 60


@pytest.mark.parametrize("raw", [b"{", b"[1, 2]", b'"text"', b"", b"\xff\xfe"])
def test_malformed_body(http, raw):
    response = http.post("/chat/completions", content=raw, headers={"content-type": "application/json"})
    assert response.status_code == 400
    assert response.json()["error"]["message"].startswith("We could not parse the JSON body of your request.")


def test_wrong_content_type(http):
    response = http.post("/chat/completions", content=b"model=gpt-4o",
                         headers={"content-type": "application/x-www-form-urlencoded"})
    assert response.status_code == 400
    assert response.json()["error"] == {
        "message": "Unsupported content type: 'application/x-www-form-urlencoded'. This API method only accepts "
                   "'application/json' requests, but you specified the header 'Content-Type: "
                   "application/x-www-form-urlencoded'. Please try again with a supported content type.",
        "type": "invalid_request_error", "param": None, "code": "unsupported_content_type"}


def test_json_content_type_with_charset_is_accepted(http):
    response = http.post("/chat/completions", content=b'{"model": "gpt-4o", "messages": [{"role": "user", "content": "hi"}]}',
                         headers={"content-type": "application/json; charset=utf-8"})
    assert response.status_code == 200


def test_oversized_body_is_413(emu):
    import httpx

    emu.state.settings.max_body_bytes, saved = 1000, emu.state.settings.max_body_bytes
    try:
        response = httpx.post(emu.base_url + "/chat/completions", headers={"Authorization": "Bearer k"},
                              json={"model": "gpt-4o", "messages": [{"role": "user", "content": "x" * 5000}]})
    finally:
        emu.state.settings.max_body_bytes = saved
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "request_too_large"


@pytest.mark.parametrize("method,path,message", [
    ("POST", "/v1/chat/completions/chat/completions", "Invalid URL (POST /v1/chat/completions/chat/completions)"),
    ("PUT", "/v1/chat/completions", "Invalid URL (PUT /v1/chat/completions)"),
    ("GET", "/v1/engines", "Invalid URL (GET /v1/engines)"),
    ("POST", "/chat/completions", "Unknown request URL: POST /chat/completions. Please check the URL for typos"),
])
def test_unknown_path_or_method(emu, method, path, message):
    import httpx

    response = httpx.request(method, emu.url + path, headers={"Authorization": "Bearer k"}, json={})
    assert response.status_code == 404
    assert response.json()["error"]["message"].startswith(message)


def test_missing_api_key_is_401(emu):
    import httpx

    response = httpx.post(emu.base_url + "/chat/completions", json=ok())
    assert response.status_code == 401
    error = response.json()["error"]
    assert error["message"].startswith("You didn't provide an API key.")
    assert (error["type"], error["param"], error["code"]) == ("invalid_request_error", None, None)


def test_wrong_api_key_is_masked():
    import httpx

    from emulator import Emulator

    with Emulator(api_keys=("sk-right-key-0000",)) as emu:
        wrong = "sk-PMafPabcdefghijklmnopE873"
        response = httpx.post(emu.base_url + "/chat/completions", json=ok(),
                              headers={"Authorization": f"Bearer {wrong}"})
        good = httpx.post(emu.base_url + "/chat/completions", json=ok(),
                          headers={"Authorization": "Bearer sk-right-key-0000"})
    assert response.status_code == 401
    error = response.json()["error"]
    assert error["code"] == "invalid_api_key"
    assert error["message"] == ("Incorrect API key provided: sk-PMafP" + "*" * (len(wrong) - 12) + "E873. You can find your API "
                                "key at https://platform.openai.com/account/api-keys.")
    assert good.status_code == 200


def test_server_keeps_serving_after_errors(http):
    for case in CASES[:20]:
        http.post("/chat/completions", json=case[1])
    assert http.post("/chat/completions", json=ok()).status_code == 200
