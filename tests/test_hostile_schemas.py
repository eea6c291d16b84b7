"""Schemas and regexes a client chooses cannot stall the server: every answer is bounded by the
completion budget (cut with finish_reason "length", as the live API cuts), regexes match in
linear time, and a normal request sent right after is answered.

Each test shows the bound by what the server answers: a reply whose size is the budget, a 400
envelope, and the next ordinary request answered (the shared server would still be busy
otherwise, and the suite's own timeout would fail the test)."""
from __future__ import annotations

import json
import re
from typing import Any

import httpx
import openai
import pytest

from emulator import Emulator
from conftest import API_KEY

HELLO = [{"role": "user", "content": "hello"}]
MILLION = 1_000_000
SLOW_REGEX = "^(a{1000}){10000}$"  # ten million characters for whoever writes a match out


def tool(parameters: dict[str, Any], *, strict: bool = False) -> dict[str, Any]:
    return {"type": "function", "function": {"name": "f", "parameters": parameters, "strict": strict}}


def output_format(schema: dict[str, Any], *, strict: bool = False) -> dict[str, Any]:
    return {"type": "json_schema", "json_schema": {"name": "out", "schema": schema, "strict": strict}}


def one_property(schema: dict[str, Any]) -> dict[str, Any]:
    return {"type": "object", "properties": {"x": schema}, "required": ["x"]}


def ask(http: httpx.Client, **body: Any) -> httpx.Response:
    return http.post("/chat/completions", json={"model": "gpt-4o", "messages": HELLO, **body})


def call_arguments(response: httpx.Response) -> str:
    assert response.status_code == 200, response.text
    return response.json()["choices"][0]["message"]["tool_calls"][0]["function"]["arguments"]


@pytest.fixture
def answers_normally_afterwards(client: openai.OpenAI):
    """After the test's hostile request, an ordinary one is answered in full."""
    yield
    completion = client.chat.completions.create(model="gpt-4o", messages=HELLO)
    assert completion.choices[0].finish_reason == "stop"
    assert completion.choices[0].message.content.startswith("This is the chat-emulator built-in model")


pytestmark = pytest.mark.usefixtures("answers_normally_afterwards")


# -- regexes that backtrack catastrophically in Python's `re` ------------------------------------

def test_a_lookbehind_that_never_matches_does_not_hang_the_tool_call(http):
    arguments = json.loads(call_arguments(ask(
        http, tools=[tool(one_property({"type": "string", "pattern": "^(a+)+(?<=b)$"}))], tool_choice="required")))
    assert re.fullmatch("a+", arguments["x"])  # what the pattern allows, lookbehind aside


def test_an_example_that_makes_the_pattern_backtrack_is_passed_over(http):
    schema = {"type": "string", "pattern": "^(a+)+$", "examples": ["a" * 31 + "b"]}
    arguments = json.loads(call_arguments(ask(http, tools=[tool(one_property(schema))], tool_choice="required")))
    assert re.fullmatch("a+", arguments["x"])


def test_a_long_required_key_against_a_backtracking_pattern_property(http):
    key = "a" * 40 + "b"
    schema = {"type": "object", "patternProperties": {"^(a+)+$": {"type": "integer"}}, "required": [key]}
    arguments = json.loads(call_arguments(ask(http, tools=[tool(schema)], tool_choice="required")))
    assert list(arguments) == [key]


def test_strict_mode_refuses_a_lookaround_as_the_live_api_does(http):
    schema = {"type": "object", "properties": {"email": {"type": "string", "pattern": r"^(?!\.)[a-z.]+@[a-z.]+$"}},
              "required": ["email"], "additionalProperties": False}
    response = ask(http, response_format=output_format(schema, strict=True))
    assert response.status_code == 400
    assert response.json()["error"] == {
        "message": "Invalid JSON schema: regex lookaround is not supported. Found at $.properties.email.pattern.",
        "type": "invalid_request_error", "param": "response_format", "code": None}


def test_leading_lookaheads_are_honoured_without_strict_mode(http):
    pattern = r"^(?=.*\d)(?!.*\.\.)[a-z\d.]{8}$"
    for seed in range(5):
        schema = one_property({"type": "string", "pattern": pattern})
        arguments = json.loads(call_arguments(ask(http, seed=seed, tools=[tool(schema)], tool_choice="required")))
        assert re.fullmatch(pattern, arguments["x"])


# -- sizes no reply can hold: cut at the completion budget ----------------------------------------

@pytest.mark.parametrize("schema", [
    one_property({"type": "string", "minLength": MILLION}),
    one_property({"type": "array", "items": {"type": "integer"}, "minItems": MILLION}),
    one_property({"type": "array", "items": {"type": "object", "properties": {"n": {"type": "string"}},
                                             "required": ["n"]}, "minItems": MILLION}),
    {"type": "object", "minProperties": MILLION},
    one_property({"type": "string", "pattern": SLOW_REGEX}),
    one_property({"type": "string", "pattern": "^ {100000}$"}),  # tokens of up to 128 spaces
    one_property({"type": "string", "pattern": "^={100000}$"}),
], ids=["minLength", "minItems", "minItems-objects", "minProperties", "regex", "spaces", "equals"])
def test_structured_output_is_cut_at_max_completion_tokens(client, schema):
    completion = client.chat.completions.create(model="gpt-4o", messages=HELLO, max_completion_tokens=40,
                                                response_format=output_format(schema))
    choice = completion.choices[0]
    assert choice.finish_reason == "length"
    assert completion.usage.completion_tokens == 40
    assert 40 <= len(choice.message.content) <= 40 * 128  # no token is longer than 128 characters


def test_without_a_budget_the_model_output_limit_cuts(client):
    schema = one_property({"type": "string", "minLength": MILLION})
    completion = client.chat.completions.create(model="gpt-4o", messages=HELLO, response_format=output_format(schema))
    assert completion.choices[0].finish_reason == "length"
    assert completion.usage.completion_tokens == 16384  # gpt-4o's max_output_tokens
    assert completion.choices[0].message.content.startswith('{"x": "')


def test_tool_arguments_are_cut_at_the_budget_too(http):
    schema = one_property({"type": "array", "items": {"type": "string"}, "minItems": MILLION})
    response = ask(http, tools=[tool(schema)], tool_choice="required", max_completion_tokens=30)
    body = response.json()
    choice = body["choices"][0]
    assert choice["finish_reason"] == "length"
    assert body["usage"]["completion_tokens"] <= 30
    assert choice["message"]["tool_calls"][0]["function"]["arguments"].startswith('{"x":[')


def test_a_streamed_cut_ends_with_length(client):
    schema = one_property({"type": "string", "minLength": MILLION})
    stream = client.chat.completions.create(model="gpt-4o", messages=HELLO, max_completion_tokens=25, stream=True,
                                            response_format=output_format(schema))
    chunks = list(stream)
    assert chunks[-1].choices[0].finish_reason == "length"
    assert sum(1 for c in chunks if c.choices and c.choices[0].delta.content) == 25


def test_a_custom_tool_regex_grammar_is_cut_at_the_budget(http):
    custom = {"type": "custom", "custom": {"name": "emit", "format": {
        "type": "grammar", "grammar": {"syntax": "regex", "definition": SLOW_REGEX}}}}
    response = http.post("/chat/completions", json={"model": "gpt-5", "messages": HELLO, "tools": [custom],
                                                    "tool_choice": "required", "max_completion_tokens": 300})
    body = response.json()
    assert body["choices"][0]["finish_reason"] == "length"
    text = body["choices"][0]["message"]["tool_calls"][0]["custom"]["input"]
    assert set(text) == {"a"} and len(text) <= 300 * 128


def test_vllm_guided_regex_is_cut_at_the_budget():
    with Emulator(profile="vllm") as vllm, httpx.Client(base_url=vllm.base_url) as http:
        response = http.post("/chat/completions", json={
            "model": "meta-llama/Llama-3.1-8B-Instruct", "messages": HELLO, "guided_regex": SLOW_REGEX,
            "max_tokens": 64}, headers={"Authorization": f"Bearer {API_KEY}"})
        choice = response.json()["choices"][0]
        assert choice["finish_reason"] == "length"
        assert set(choice["message"]["content"]) == {"a"}
        assert http.post("/chat/completions", json={"model": "meta-llama/Llama-3.1-8B-Instruct", "messages": HELLO},
                         headers={"Authorization": f"Bearer {API_KEY}"}).status_code == 200


# -- schemas the generator cannot satisfy: a 400 that names the place -----------------------------

@pytest.mark.parametrize(("schema", "says"), [
    (one_property({"type": "string", "pattern": "("}), "'(' is not a 'regex'"),
    (one_property({"$ref": "https://example.com/schema.json"}), "only local references are supported"),
    (one_property({"$ref": "file:///etc/passwd"}), "only local references are supported"),
    (one_property({"type": "integer", "minimum": 5, "maximum": 1}), "at $.x: no number satisfies"),
    ({"type": "object", "properties": {"x": {"$ref": "#"}}, "required": ["x"]}, "recursive $ref '#'"),
    (one_property({"type": "number", "multipleOf": 1e-300, "minimum": 1e300}), "at $.x: no number satisfies"),
    (one_property({"type": "array", "items": {"type": "boolean"}, "minItems": MILLION, "uniqueItems": True}),
     "enough distinct items"),
], ids=["paren", "remote-ref", "file-ref", "empty-range", "recursive-required", "multipleOf-overflow", "unique"])
def test_an_unsatisfiable_tool_schema_is_a_400_naming_the_place(http, schema, says):
    response = ask(http, tools=[tool(schema)], tool_choice="required")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["message"].startswith("Invalid schema for function 'f': ")
    assert says in error["message"]
    assert (error["param"], error["code"]) == ("tools[0].function.parameters", "invalid_function_parameters")


def test_an_unsatisfiable_response_format_is_a_400_naming_the_place(http):
    response = ask(http, response_format=output_format(one_property({"type": "string", "minLength": 5,
                                                                     "maxLength": 2})))
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["message"].startswith("Invalid schema for response_format 'out': cannot generate a value at $.x")
    assert error["param"] == "response_format"


# -- strict-mode limits of Structured Outputs --------------------------------------------------------

def _closed(properties: dict[str, Any]) -> dict[str, Any]:
    return {"type": "object", "properties": properties, "required": list(properties), "additionalProperties": False}


def test_strict_mode_refuses_too_many_enum_values_with_the_live_text(http):
    schema = _closed({"x": {"type": "string", "enum": [f"v{i}" for i in range(1001)]}})
    error = ask(http, response_format=output_format(schema, strict=True)).json()["error"]
    assert error["message"] == (
        "Invalid schema for response_format 'out': Expected at most 1000 enum values in total within a single "
        "schema when using structured outputs, but received 1001. Consider reducing the number of enums, or use "
        "'strict: false' to opt out of structured outputs.")


def test_strict_mode_refuses_a_deep_schema_by_its_nesting(http):
    schema: dict[str, Any] = {"type": "string"}
    for _ in range(60):
        schema = _closed({"x": schema})
    error = ask(http, response_format=output_format(schema, strict=True)).json()["error"]
    assert error["message"] == "Invalid schema for response_format 'out': 60 levels of nesting exceeds limit of 10."


# -- JSON mode and vLLM's guided decoding read client text as JSON and regexes ----------------------

@pytest.mark.parametrize("text", [
    '{"properties": ' + "[" * 5000 + "]" * 5000 + "}",  # nested too deep to decode
    '{"properties": {"a": ' * 2000 + "1" + "}}" * 2000,
    "{" * 99_000 + '"properties"',  # a failed decode at every brace
], ids=["deep-array", "deep-object", "braces"])
def test_json_mode_reads_hostile_message_text_without_failing(http, text):
    response = ask(http, messages=[{"role": "user", "content": f"Answer in json. {text}"}],
                   response_format={"type": "json_object"})
    assert response.status_code == 200
    assert isinstance(json.loads(response.json()["choices"][0]["message"]["content"]), dict)


@pytest.mark.parametrize(("field", "value", "says"), [
    ("guided_json", '{"a":' * 3000 + "1" + "}" * 3000, "expected a JSON schema object"),
    ("guided_regex", "(" * 3000 + "a" + ")" * 3000, "not a valid regular expression (it nests too deeply)"),
    ("guided_regex", "a{99999999999}", "not a valid regular expression (the repetition number is too large)"),
], ids=["deep-json-string", "deep-regex", "huge-repeat"])
def test_vllm_guided_fields_that_cannot_be_read_are_400s(field, value, says):
    with Emulator(profile="vllm") as vllm, httpx.Client(base_url=vllm.base_url) as http:
        response = http.post("/chat/completions", json={
            "model": "meta-llama/Llama-3.1-8B-Instruct", "messages": HELLO, field: value},
            headers={"Authorization": f"Bearer {API_KEY}"})
        assert response.status_code == 400
        assert says in response.json()["error"]["message"]
        assert response.json()["error"]["param"] == field


# -- rate limits come before any generation ----------------------------------------------------------

def test_a_limited_client_is_refused_before_its_schema_is_generated(make_emulator):
    limited = make_emulator(requests_per_minute=1, enforce_rate_limits=True)
    with httpx.Client(base_url=limited.base_url, headers={"Authorization": f"Bearer {API_KEY}"}) as http:
        assert ask(http).status_code == 200
        # Generating this schema would fail with a 400: the 429 shows nothing was generated.
        unsatisfiable = one_property({"type": "integer", "minimum": 5, "maximum": 1})
        response = ask(http, tools=[tool(unsatisfiable)], tool_choice="required")
        assert response.status_code == 429
        assert response.json()["error"]["code"] == "rate_limit_exceeded"
        hostile = one_property({"type": "string", "minLength": MILLION})
        assert ask(http, response_format=output_format(hostile)).status_code == 429
