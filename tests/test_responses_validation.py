"""`POST /v1/responses` rejects mistakes with the live envelope, text, `param` and `code` (never a 500)."""
from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
import pytest

TOOL = {"type": "function", "name": "f", "parameters": {"type": "object", "properties": {}}}
CALL = {"type": "function_call", "call_id": "call_1", "name": "f", "arguments": "{}"}

CASES = [
    ({"input": "hi"}, 400, "Missing required parameter: 'model'.", "model", "missing_required_parameter"),
    ({"model": "gpt-4.1", "input": "hi", "zzz": 1}, 400, "Unknown parameter: 'zzz'.", "zzz", "unknown_parameter"),
    ({"model": "gpt-4.1", "input": "hi", "stor": True}, 400, "Unknown parameter: 'stor'. Did you mean 'store'?",
     "stor", "unknown_parameter"),
    ({"model": "gpt-4.1", "messages": []}, 400,
     "Unsupported parameter: 'messages'. In the Responses API, this parameter has moved to 'input'. Try again with "
     "the new parameter. See the API documentation for more information: "
     "https://platform.openai.com/docs/api-reference/responses/create.", None, "unsupported_parameter"),
    ({"model": "gpt-4.1", "input": {"role": "user"}}, 400,
     "Invalid type for 'input': expected one of a string or array of input items, but got an object instead.",
     "input", "invalid_type"),
    ({"model": "gpt-4.1", "input": [{"role": "user", "content": "a"},
                                     {"role": "assistant", "content": [{"type": "input_text", "text": "b"}]}]},
     400, "Invalid value: 'input_text'. Supported values are: 'output_text' and 'refusal'.", "input[1].content[0]",
     "invalid_value"),
    ({"model": "gpt-4.1", "input": [{"role": "user", "content": "a", "bogus": 1}]}, 400,
     "Unknown parameter: 'input[0].bogus'.", "input[0].bogus", "unknown_parameter"),
    ({"model": "gpt-4.1", "input": "hi", "max_output_tokens": 15}, 400,
     "Invalid 'max_output_tokens': integer below minimum value. Expected a value >= 16, but got 15 instead.",
     "max_output_tokens", "integer_below_min_value"),
    ({"model": "gpt-4.1", "input": "hi", "temperature": -1}, 400,
     "Invalid 'temperature': decimal below minimum value. Expected a value >= 0, but got -1 instead.",
     "temperature", "decimal_below_min_value"),
    ({"model": "gpt-4.1", "input": "hi", "truncation": "bogus"}, 400,
     "Invalid value: 'bogus'. Supported values are: 'auto' and 'disabled'.", "truncation", "invalid_value"),
    ({"model": "gpt-4.1", "input": "hi", "stream_options": {"include_usage": True}}, 400,
     "Unknown parameter: 'stream_options.include_usage'.", "stream_options.include_usage", "unknown_parameter"),
    ({"model": "gpt-4.1", "input": "hi", "text": {"format": {"type": "json_schema", "json_schema": {"name": "x"}}}},
     400, "Missing required parameter: 'text.format.name'.", "text.format.name", "missing_required_parameter"),
    ({"model": "gpt-4.1", "input": "hi", "text": {"format": {"type": "json_object"}}}, 400,
     "Response input messages must contain the word 'json' in some form to use 'text.format' of type "
     "'json_object'.", "text.format", None),
    ({"model": "gpt-5.2-proo", "input": "hi"}, 400, "The requested model 'gpt-5.2-proo' does not exist.", "model",
     "model_not_found"),
    ({"model": "gpt-4.1", "input": [{"type": "function_call_output", "call_id": "call_x", "output": "1"}]}, 400,
     "No tool call found for function call output with call_id call_x.", "input", None),
    ({"model": "gpt-4.1", "input": [CALL, {"role": "user", "content": "next"}]}, 400,
     "No tool output found for function call call_1.", "input", None),
    ({"model": "gpt-4.1", "input": [{"type": "function_call_output", "call_id": "call_1"}]}, 400,
     "Missing required parameter: 'input[0].output'.", "input[0].output", "missing_required_parameter"),
    ({"model": "gpt-4.1", "input": [{"role": "user", "content": "a"},
                                     {"type": "reasoning", "id": "rs_1", "summary": []}]}, 400,
     "Item 'rs_1' of type 'reasoning' was provided without its required following item.", "input", None),
    ({"model": "o4-mini", "input": "hi", "temperature": 0.5}, 400,
     "Unsupported parameter: 'temperature' is not supported with this model.", "temperature", None),
    ({"model": "o4-mini", "input": "hi", "include": ["message.output_text.logprobs"]}, 400,
     "logprobs are not supported with reasoning models.", "include", "unsupported_parameter"),
    ({"model": "gpt-4.1", "input": "hi", "tools": [{"type": "function", "name": "f"}]}, 400,
     "Invalid schema for function 'f': schema must be a JSON Schema of 'type: \"object\"', got 'type: \"None\"'.",
     "tools[0].parameters", "invalid_function_parameters"),
    ({"model": "gpt-4.1", "input": "hi", "conversation": "conv_x", "previous_response_id": "resp_1"}, 400,
     "Mutually exclusive parameters: ''. Ensure you are only providing one of: 'previous_response_id' or "
     "'conversation'.", None, "mutually_exclusive_parameters"),
    ({"model": "gpt-4.1", "input": "hi", "conversation": "conv_x"}, 404, "Conversation with id 'conv_x' not found.",
     None, None),
    ({"model": "gpt-4.1", "input": "hi", "metadata": {str(n): "v" for n in range(17)}}, 400,
     "Invalid 'metadata': too many properties. Expected an object with at most 16 properties, but got an object "
     "with 17 properties instead.", "metadata", "object_above_max_properties"),
]


@pytest.mark.parametrize(("body", "status", "message", "param", "code"), CASES)
def test_mistakes_get_the_live_error(http, body, status, message, param, code):
    response = http.post("/responses", json=body)
    assert response.status_code == status
    assert response.json() == {"error": {"message": message, "type": "invalid_request_error", "param": param,
                                         "code": code}}


def test_validation_errors_come_before_any_stream_byte(http):
    response = http.post("/responses", json={"model": "gpt-4.1", "input": "hi", "stream": True, "temperature": -1})
    assert response.status_code == 400 and response.headers["content-type"].startswith("application/json")


def test_stored_response_errors(http):
    assert http.get("/responses/resp_missing").status_code == 404
    assert http.delete("/responses/resp_missing").status_code == 404
    created = http.post("/responses", json={"model": "gpt-4o-mini", "input": "hi"}).json()
    streamed = http.get(f"/responses/{created['id']}", params={"stream": "true"})
    assert streamed.status_code == 400 and streamed.json()["error"]["param"] == "stream"
    assert http.post(f"/responses/{created['id']}/cancel").status_code == 400
    bad_limit = http.get(f"/responses/{created['id']}/input_items", params={"limit": 0})
    assert bad_limit.status_code == 400 and bad_limit.json()["error"]["param"] == "limit"


JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=5),
                    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
                    max_leaves=12)
FIELDS = st.sampled_from(["input", "instructions", "tools", "tool_choice", "text", "reasoning", "include",
                          "previous_response_id", "metadata", "max_output_tokens", "store", "stream"])


@settings(max_examples=120, deadline=None, database=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(st.dictionaries(FIELDS, JSON, max_size=4))
def test_arbitrary_field_values_never_get_a_500(http, fields):
    response = http.post("/responses", json={"model": "gpt-4o-mini", "input": "hi", **fields})
    assert response.status_code < 500, (fields, response.text)
