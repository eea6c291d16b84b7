"""The example library in `scenarios/`: each example, loaded as users load it, driven by the SDK."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

import openai
import pytest
from jsonschema import validate
from pydantic import BaseModel

from conftest import API_KEY

EXAMPLES = Path(__file__).resolve().parent.parent / "scenarios"

WEATHER_TOOL = {"type": "function", "function": {
    "name": "get_current_weather", "description": "Current weather for a city",
    "parameters": {"type": "object", "properties": {"location": {"type": "string"},
                                                    "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]}},
                   "required": ["location"]}}}
EVENT_SCHEMA = {"type": "object", "properties": {
    "title": {"type": "string"}, "start": {"type": "string", "format": "date-time"},
    "attendees": {"type": "array", "items": {"type": "string", "format": "email"}, "minItems": 1}},
    "required": ["title", "start", "attendees"], "additionalProperties": False}
CALENDAR_TOOLS = [
    {"type": "function", "function": {"name": "check_calendar", "parameters": {
        "type": "object", "properties": {"person": {"type": "string"}, "date": {"type": "string"}},
        "required": ["person", "date"]}}},
    {"type": "function", "function": {"name": "create_event", "parameters": EVENT_SCHEMA}},
]


@pytest.fixture
def lib(make_emulator):
    return make_emulator(scenario_paths=(EXAMPLES,))


@pytest.fixture
def client(lib) -> openai.OpenAI:
    return openai.OpenAI(base_url=lib.base_url, api_key=API_KEY, max_retries=0)


def user(text: str) -> dict:
    return {"role": "user", "content": text}


def tool_message(call, content: str) -> dict:
    return {"role": "tool", "tool_call_id": call.id, "content": content}


def test_every_example_is_valid_and_loaded(lib):
    assert len(list(EXAMPLES.glob("*.yaml"))) == 9
    assert len(lib.scenarios.names()) == 12


def test_agent_loop(client):
    messages = [user("What's the weather like in Boston today?")]
    first = client.chat.completions.create(model="gpt-4o", messages=messages, tools=[WEATHER_TOOL])
    call = first.choices[0].message.tool_calls[0]
    assert first.choices[0].finish_reason == "tool_calls"
    assert json.loads(call.function.arguments) == {"location": "Boston, MA", "unit": "celsius"}
    messages += [first.choices[0].message.model_dump(include={"role", "content", "tool_calls"}), tool_message(call, "22 degrees, sunny")]
    second = client.chat.completions.create(model="gpt-4o", messages=messages, tools=[WEATHER_TOOL])
    assert second.choices[0].message.content == "Here is the weather: 22 degrees, sunny"
    assert second.choices[0].finish_reason == "stop"


def test_meeting_scheduler(client):
    messages = [user("Please schedule a meeting with Alice and Bob on December 1st.")]
    first = client.chat.completions.create(model="gpt-4o", messages=messages, tools=CALENDAR_TOOLS)
    calls = first.choices[0].message.tool_calls
    assert [c.function.name for c in calls] == ["check_calendar", "check_calendar"]
    assert len({c.id for c in calls}) == 2
    messages += [first.choices[0].message.model_dump(include={"role", "content", "tool_calls"}),
                 *(tool_message(c, "free from 10:00 to 12:00") for c in calls)]
    second = client.chat.completions.create(model="gpt-4o", messages=messages, tools=CALENDAR_TOOLS)
    booking = second.choices[0].message.tool_calls[0]
    assert booking.function.name == "create_event"
    validate(json.loads(booking.function.arguments), EVENT_SCHEMA)  # generated from the tool's schema
    messages += [second.choices[0].message.model_dump(include={"role", "content", "tool_calls"}), tool_message(booking, "event evt_1 created")]
    third = client.chat.completions.create(model="gpt-4o", messages=messages, tools=CALENDAR_TOOLS)
    assert third.choices[0].message.content == "Booked: event evt_1 created"


class Comment(BaseModel):
    line: int
    severity: Literal["minor", "major"]
    message: str


class Review(BaseModel):
    verdict: Literal["approve", "request_changes"]
    comments: list[Comment]


def test_structured_code_review(client):
    completion = client.chat.completions.parse(
        model="gpt-4o", response_format=Review,
        messages=[{"role": "system", "content": "You are a careful code reviewer."},
                  user("def mean(items):\n    return sum(items) / len(items)")])
    review = completion.choices[0].message.parsed
    assert review.verdict == "request_changes"
    assert review.comments[0].line == 3 and review.comments[0].severity == "major"


def test_retry_on_429_then_success(lib):
    client = openai.OpenAI(base_url=lib.base_url, api_key=API_KEY, max_retries=2)
    completion = client.chat.completions.create(model="gpt-4o", messages=[user("[retry-429] go")])
    assert completion.choices[0].message.content == "Succeeded after a rate limit."
    assert [r.status for r in lib.requests] == [429, 200]


def test_503_burst(lib):
    client = openai.OpenAI(base_url=lib.base_url, api_key=API_KEY, max_retries=3)
    completion = client.chat.completions.create(model="gpt-4o", messages=[user("[overloaded] go")])
    assert completion.choices[0].message.content == "Back online."
    assert [r.status for r in lib.requests] == [503, 503, 503, 200]
    with pytest.raises(openai.InternalServerError):  # without retries the burst is visible
        lib.scenarios.reset_state()
        openai.OpenAI(base_url=lib.base_url, api_key=API_KEY, max_retries=0).chat.completions.create(
            model="gpt-4o", messages=[user("[overloaded] go")])


def test_content_filter(client):
    completion = client.chat.completions.create(model="gpt-4o", messages=[user("[filtered] something")])
    assert completion.choices[0].finish_reason == "content_filter"


def test_vision_question(client):
    image = {"type": "image_url", "image_url": {"url": "https://example.com/bike.jpg"}}
    completion = client.chat.completions.create(model="gpt-4o", messages=[
        {"role": "user", "content": [{"type": "text", "text": "What's in this image?"}, image]}])
    assert completion.choices[0].message.content == "The image shows a red bicycle leaning against a brick wall."
    assert completion.usage.prompt_tokens == 850


def test_slow_typing_stream(client):
    stream = client.chat.completions.create(model="gpt-4o", messages=[user("[slow] tell me")], stream=True)
    pieces = [c.choices[0].delta.content for c in stream if c.choices and c.choices[0].delta.content]
    assert "".join(pieces) == "Let me think about that... Here is a slow answer."
    assert len(pieces) > 3  # typed out in small chunks, not in one piece


def test_mid_stream_failure(client):
    received = []
    with pytest.raises(openai.APIError) as caught:
        for chunk in client.chat.completions.create(model="gpt-4o", messages=[user("[mid-stream-failure]")],
                                                    stream=True):
            received.append(chunk)
    assert len(received) == 4
    assert caught.value.message.startswith("The server had an error processing your request.")
