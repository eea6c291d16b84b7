"""Tool calls, legacy functions and structured output from the built-in model, through the SDK."""
from __future__ import annotations

import json
import re
from enum import Enum

import jsonschema
import openai
import pytest
from pydantic import BaseModel

from schema_check import assert_valid

WEATHER = {"type": "function", "function": {
    "name": "get_current_weather", "description": "Get the current weather in a given location",
    "parameters": {"type": "object", "properties": {
        "location": {"type": "string", "description": "The city and state, e.g. San Francisco, CA"},
        "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]}}, "required": ["location"]}}}
TIME = {"type": "function", "function": {
    "name": "get_local_time", "description": "Get the local time for a timezone",
    "parameters": {"type": "object", "properties": {"timezone": {"type": "string"}}, "required": ["timezone"]}}}
EMAIL = {"type": "function", "function": {
    "name": "send_email", "description": "Send an email",
    "parameters": {"type": "object", "properties": {
        "to": {"type": "string", "format": "email"}, "subject": {"type": "string", "maxLength": 40},
        "priority": {"type": "integer", "minimum": 1, "maximum": 5}}, "required": ["to", "subject", "priority"],
        "additionalProperties": False}}}
TOOLS = [WEATHER, TIME, EMAIL]


def ask(client, text, **fields):
    return client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": text}],
                                          **{"tools": TOOLS, **fields})


def arguments_valid(call, tool):
    jsonschema.validate(json.loads(call.function.arguments), tool["function"]["parameters"])


def test_agent_loop_ends(client):
    messages = [{"role": "user", "content": "What's the weather like in Paris today?"}]
    rounds = 0
    while True:
        reply = client.chat.completions.create(model="gpt-4o", messages=messages, tools=TOOLS)
        message = reply.choices[0].message
        if not message.tool_calls:
            break
        rounds += 1
        assert reply.choices[0].finish_reason == "tool_calls" and message.content is None
        messages.append(message)
        for call in message.tool_calls:
            messages.append({"role": "tool", "tool_call_id": call.id, "content": "22 degrees and sunny"})
        assert rounds < 5
    assert rounds == 1
    assert reply.choices[0].finish_reason == "stop"
    assert "get_current_weather returned 22 degrees and sunny" in message.content


def test_call_prefers_the_mentioned_tool_and_the_mentioned_value(client):
    call = ask(client, "What's the weather in Boston?").choices[0].message.tool_calls[0]
    assert call.function.name == "get_current_weather"
    assert re.fullmatch(r"call_[A-Za-z0-9]{24}", call.id)
    assert json.loads(call.function.arguments)["location"].startswith("Boston")
    arguments_valid(call, WEATHER)
    email = ask(client, "Please send email to the team").choices[0].message.tool_calls[0]
    assert email.function.name == "send_email"
    arguments_valid(email, EMAIL)


def test_without_a_mention_the_first_tool_is_called(client):
    call = ask(client, "Hello!").choices[0].message.tool_calls[0]
    assert call.function.name == "get_current_weather"


def test_parallel_calls_when_several_tools_are_mentioned(client, http):
    text = "Get the weather in Rome and the local time there"
    reply = ask(client, text)
    names = [c.function.name for c in reply.choices[0].message.tool_calls]
    assert names == ["get_current_weather", "get_local_time"]
    assert len({c.id for c in reply.choices[0].message.tool_calls}) == 2
    single = ask(client, text, parallel_tool_calls=False)
    assert len(single.choices[0].message.tool_calls) == 1
    raw = http.post("/chat/completions", json={"model": "gpt-4o", "messages": [{"role": "user", "content": text}],
                                               "tools": TOOLS}).json()
    assert_valid("chat_completion", raw)
    assert list(raw["choices"][0]["message"]) == ["role", "content", "tool_calls", "refusal", "annotations"]


@pytest.mark.parametrize("tool_choice,expected", [
    ("none", None),
    ("auto", "get_current_weather"),
    ("required", "get_current_weather"),
    ({"type": "function", "function": {"name": "send_email"}}, "send_email"),
    ({"type": "allowed_tools", "allowed_tools": {"mode": "required", "tools": [
        {"type": "function", "function": {"name": "get_local_time"}}]}}, "get_local_time"),
])
def test_every_tool_choice_form(client, tool_choice, expected):
    reply = ask(client, "What's the weather in Oslo?", tool_choice=tool_choice)
    calls = reply.choices[0].message.tool_calls
    if expected is None:
        assert calls is None and reply.choices[0].message.content
    else:
        assert [c.function.name for c in calls] == [expected]


def test_required_forces_a_call_even_after_tool_results(client):
    first = ask(client, "weather in Lima").choices[0].message
    messages = [{"role": "user", "content": "weather in Lima"}, first,
                {"role": "tool", "tool_call_id": first.tool_calls[0].id, "content": "warm"}]
    auto = client.chat.completions.create(model="gpt-4o", messages=messages, tools=TOOLS)
    assert auto.choices[0].message.tool_calls is None
    forced = client.chat.completions.create(model="gpt-4o", messages=messages, tools=TOOLS, tool_choice="required")
    assert forced.choices[0].message.tool_calls


def test_custom_tool(client):
    grep = {"type": "custom", "custom": {"name": "run_sql", "description": "run a SQL query",
                                         "format": {"type": "grammar", "grammar": {
                                             "syntax": "regex", "definition": "SELECT [a-z]+ FROM [a-z]+"}}}}
    reply = client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "run sql"}],
                                           tools=[grep], tool_choice={"type": "custom", "custom": {"name": "run_sql"}})
    call = reply.choices[0].message.tool_calls[0]
    assert call.type == "custom" and call.custom.name == "run_sql"
    assert re.fullmatch("SELECT [a-z]+ FROM [a-z]+", call.custom.input)


def test_legacy_functions(client):
    functions = [WEATHER["function"]]
    messages = [{"role": "user", "content": "weather in Madrid"}]
    reply = client.chat.completions.create(model="gpt-3.5-turbo", messages=messages, functions=functions)
    choice = reply.choices[0]
    assert choice.finish_reason == "function_call" and choice.message.tool_calls is None
    assert choice.message.function_call.name == "get_current_weather"
    jsonschema.validate(json.loads(choice.message.function_call.arguments), functions[0]["parameters"])
    messages += [choice.message, {"role": "function", "name": "get_current_weather", "content": "hot"}]
    answer = client.chat.completions.create(model="gpt-3.5-turbo", messages=messages, functions=functions)
    assert "get_current_weather returned hot" in answer.choices[0].message.content
    none = client.chat.completions.create(model="gpt-3.5-turbo", messages=messages[:1], functions=functions,
                                          function_call="none")
    assert none.choices[0].message.function_call is None


class Unit(str, Enum):
    celsius = "celsius"
    fahrenheit = "fahrenheit"


class Forecast(BaseModel):
    city: str
    unit: Unit
    temperatures: list[float]
    summary: str | None


class Review(BaseModel):
    file: str
    line: int
    severity: int
    comments: list[str]
    approved: bool


def test_parse_returns_a_parsed_object(client):
    completion = client.chat.completions.parse(
        model="gpt-4o", messages=[{"role": "user", "content": "Forecast for Berlin"}], response_format=Forecast)
    parsed = completion.choices[0].message.parsed
    assert isinstance(parsed, Forecast)
    assert parsed.city == "Berlin"


def test_parse_with_pydantic_function_tool(client):
    tool = openai.pydantic_function_tool(Review, name="submit_review")
    completion = client.chat.completions.parse(
        model="gpt-4o", messages=[{"role": "user", "content": "Review main.py"}], tools=[tool])
    call = completion.choices[0].message.tool_calls[0]
    assert isinstance(call.function.parsed_arguments, Review)


def test_json_object_mode(client):
    reply = client.chat.completions.create(model="gpt-4o", response_format={"type": "json_object"},
                                           messages=[{"role": "user", "content": "Answer in JSON please"}])
    assert isinstance(json.loads(reply.choices[0].message.content), dict)


def test_json_schema_mode_is_valid_and_deterministic(client):
    schema = {"type": "object", "properties": {"id": {"type": "string", "format": "uuid"},
                                               "tags": {"type": "array", "items": {"type": "string"}, "minItems": 2}},
              "required": ["id", "tags"], "additionalProperties": False}
    fmt = {"type": "json_schema", "json_schema": {"name": "thing", "schema": schema, "strict": True}}
    first = client.chat.completions.create(model="gpt-4o", response_format=fmt,
                                           messages=[{"role": "user", "content": "make a thing"}])
    second = client.chat.completions.create(model="gpt-4o", response_format=fmt,
                                            messages=[{"role": "user", "content": "make a thing"}])
    jsonschema.validate(json.loads(first.choices[0].message.content), schema)
    assert first.choices[0].message.content == second.choices[0].message.content


@pytest.mark.parametrize("place", [{"type": "string"}, {"type": "string", "pattern": "^[A-Z]{3}$"}])
@pytest.mark.parametrize("text,origin,destination", [
    ("Book JFK to LHR", "JFK", "LHR"),  # docs/structured-output.md's example
    ("Fly me to LHR from JFK please", "JFK", "LHR"),
    ("Book a flight from SFO to BOS on 2026-03-01", "SFO", "BOS"),
])
def test_places_named_in_the_message_fill_origin_and_destination(client, place, text, origin, destination):
    """The doc's example with plain string properties (and with an airport-code pattern), in either
    property order: codes and places go to the trip's ends as the message gives them."""
    for keys in (("origin", "destination"), ("destination", "origin")):
        schema = {"type": "object", "properties": {key: dict(place) for key in keys}, "required": list(keys),
                  "additionalProperties": False}
        fmt = {"type": "json_schema", "json_schema": {"name": "booking", "schema": schema, "strict": True}}
        reply = client.chat.completions.create(model="gpt-4o", response_format=fmt,
                                               messages=[{"role": "user", "content": text}])
        assert json.loads(reply.choices[0].message.content) == {"origin": origin, "destination": destination}


def test_places_fill_from_and_to_and_departure_and_arrival_cities(client):
    properties = {name: {"type": "string"} for name in ("departure_city", "arrival_city", "departure_time")}
    schema = {"type": "object", "properties": properties, "required": list(properties), "additionalProperties": False}
    fmt = {"type": "json_schema", "json_schema": {"name": "trip", "schema": schema, "strict": True}}
    reply = client.chat.completions.create(model="gpt-4o", response_format=fmt, messages=[
        {"role": "user", "content": "Find trains from Paris to Berlin"}])
    trip = json.loads(reply.choices[0].message.content)
    assert (trip["departure_city"], trip["arrival_city"]) == ("Paris", "Berlin")
    assert trip["departure_time"] not in ("Paris", "Berlin")  # a time is not a place
    tool = {"type": "function", "function": {"name": "book", "parameters": {
        "type": "object", "properties": {"from": {"type": "string"}, "to": {"type": "string"}},
        "required": ["from", "to"]}}}
    call = client.chat.completions.create(model="gpt-4o", tools=[tool], tool_choice="required", messages=[
        {"role": "user", "content": "Book Tokyo to Seoul"}]).choices[0].message.tool_calls[0]
    assert json.loads(call.function.arguments) == {"from": "Tokyo", "to": "Seoul"}


def test_stream_helper_with_tools(client):
    tool = openai.pydantic_function_tool(Review, name="submit_review")
    with client.chat.completions.stream(model="gpt-4o", messages=[{"role": "user", "content": "Review app.py"}],
                                        tools=[tool]) as stream:
        done = [e for e in stream if e.type == "tool_calls.function.arguments.done"]
        final = stream.get_final_completion()
    assert len(done) == 1 and isinstance(done[0].parsed_arguments, Review)
    assert final.choices[0].finish_reason == "tool_calls"
    assert isinstance(final.choices[0].message.tool_calls[0].function.parsed_arguments, Review)


def test_stream_helper_with_json_schema(client):
    with client.chat.completions.stream(model="gpt-4o", messages=[{"role": "user", "content": "forecast Rome"}],
                                        response_format=Forecast) as stream:
        final = stream.get_final_completion()
    assert isinstance(final.choices[0].message.parsed, Forecast)


def test_tool_call_stream_shape(http):
    raw = http.post("/chat/completions", json={"model": "gpt-4o", "stream": True, "tools": TOOLS, "messages": [
        {"role": "user", "content": "weather in Rome and the local time"}]}).content
    chunks = [json.loads(e[6:]) for e in raw.split(b"\n\n") if e.startswith(b"data: {")]
    for chunk in chunks:
        assert_valid("chat_completion_chunk", chunk)
    deltas = [c["choices"][0]["delta"] for c in chunks]
    assert deltas[0] == {"role": "assistant", "content": None}
    headers = [d["tool_calls"][0] for d in deltas if "tool_calls" in d and "id" in d["tool_calls"][0]]
    assert [(h["index"], h["function"]["arguments"]) for h in headers] == [(0, ""), (1, "")]
    fragments = [d["tool_calls"][0] for d in deltas if "tool_calls" in d and "id" not in d["tool_calls"][0]]
    assert all(set(f) == {"index", "function"} and set(f["function"]) == {"arguments"} for f in fragments)
    assert chunks[-1]["choices"][0]["finish_reason"] == "tool_calls"

    single = http.post("/chat/completions", json={"model": "gpt-4o", "stream": True, "tools": TOOLS, "messages": [
        {"role": "user", "content": "weather in Rome"}]}).content
    first = json.loads(single.split(b"\n\n")[0][6:])["choices"][0]["delta"]
    assert first["role"] == "assistant" and first["content"] is None and first["refusal"] is None
    assert first["tool_calls"][0]["function"] == {"name": "get_current_weather", "arguments": ""}


def test_refusal_trigger(client, http):
    reply = client.chat.completions.create(model="gpt-4o", messages=[
        {"role": "user", "content": "[emulator:refuse] tell me a secret"}])
    message = reply.choices[0].message
    assert message.content is None and message.refusal.startswith("I'm very sorry")
    raw = http.post("/chat/completions", json={"model": "gpt-4o", "stream": True, "messages": [
        {"role": "user", "content": "[emulator:refuse] no"}]}).content
    chunks = [json.loads(e[6:]) for e in raw.split(b"\n\n") if e.startswith(b"data: {")]
    assert chunks[0]["choices"][0]["delta"] == {"role": "assistant", "content": None, "refusal": ""}
    assert "".join(c["choices"][0]["delta"].get("refusal") or "" for c in chunks) == message.refusal


def test_parse_surfaces_refusal_and_content_filter(client):
    refused = client.chat.completions.parse(model="gpt-4o", response_format=Forecast, messages=[
        {"role": "user", "content": "[emulator:refuse]"}])
    assert refused.choices[0].message.parsed is None and refused.choices[0].message.refusal
    with pytest.raises(openai.ContentFilterFinishReasonError):
        client.chat.completions.parse(model="gpt-4o", messages=[
            {"role": "user", "content": "[emulator:content_filter] something"}])


STRICT_CASES = [
    ({"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"]},
     "Invalid schema for function 'f': In context=(), 'additionalProperties' is required to be supplied and to be "
     "false."),
    ({"type": "object", "properties": {"a": {"type": "string"}}, "additionalProperties": False},
     "Invalid schema for function 'f': In context=(), 'required' is required to be supplied and to be an array "
     "including every key in properties. Missing 'a'."),
    ({"type": "object", "properties": {"flights": {"type": "array"}}, "required": ["flights"],
      "additionalProperties": False},
     "Invalid schema for function 'f': In context=('properties', 'flights'), array schema missing items."),
]


@pytest.mark.parametrize("parameters,message", STRICT_CASES)
def test_strict_function_schemas_are_checked(client, parameters, message):
    tool = {"type": "function", "function": {"name": "f", "strict": True, "parameters": parameters}}
    with pytest.raises(openai.BadRequestError) as caught:
        client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "x"}], tools=[tool])
    assert caught.value.body["message"] == message
    assert (caught.value.param, caught.value.code) == ("tools[0].function.parameters", "invalid_function_parameters")


def test_invalid_function_parameters_without_strict(client):
    tool = {"type": "function", "function": {"name": "f", "parameters": {"type": "object", "properties": []}}}
    with pytest.raises(openai.BadRequestError) as caught:
        client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "x"}], tools=[tool])
    assert caught.value.code == "invalid_function_parameters"


def test_strict_response_format_schema_is_checked(client):
    fmt = {"type": "json_schema", "json_schema": {"name": "bad", "strict": True,
                                                  "schema": {"type": "object", "properties": {}}}}
    with pytest.raises(openai.BadRequestError) as caught:
        client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "x"}],
                                       response_format=fmt)
    assert caught.value.body["message"].startswith("Invalid schema for response_format 'bad': In context=(), "
                                                   "'additionalProperties' is required")
    assert caught.value.param == "response_format"


class Person(BaseModel):
    name: str
    age: int


def test_json_mode_follows_a_schema_written_in_the_prompt(client):
    """instructor's JSON mode and hand-written prompts put the wanted object's schema in the messages."""
    schema = json.dumps(Person.model_json_schema())
    reply = client.chat.completions.create(model="gpt-4o-mini", response_format={"type": "json_object"}, messages=[
        {"role": "system", "content": f"Answer in json that matches this json_schema:\n\n{schema}\n\nOnly JSON."},
        {"role": "user", "content": "Extract: Ada Lovelace is 36"}])
    person = Person.model_validate_json(reply.choices[0].message.content)
    assert person == Person(name="Ada Lovelace", age=36)


def test_json_mode_without_a_schema_is_still_an_object(client):
    reply = client.chat.completions.create(model="gpt-4o-mini", response_format={"type": "json_object"},
                                           messages=[{"role": "user", "content": "Say hi in JSON"}])
    assert set(json.loads(reply.choices[0].message.content)) == {"model", "reply"}
