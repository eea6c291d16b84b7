"""Starter tests written by `chat-emulator init`: run them with `pytest`, then make them yours.

The `chat_emulator` fixture comes with the package (its pytest plugin); the scenarios are the
example library `chat-emulator init` put in ../scenarios.
"""
import pytest

pytestmark = pytest.mark.chat_scenarios("../scenarios")

TOOLS = [{"type": "function", "function": {
    "name": "get_current_weather",
    "parameters": {"type": "object", "properties": {"location": {"type": "string"}, "unit": {"type": "string"}},
                   "required": ["location"]}}}]


def test_an_agent_loop_runs_to_its_answer(chat_emulator):
    client = chat_emulator.client()
    messages = [{"role": "user", "content": "What's the weather in Boston?"}]
    first = client.chat.completions.create(model="gpt-4o-mini", messages=messages, tools=TOOLS)
    call = first.choices[0].message.tool_calls[0]            # scenarios/agent-loop.yaml: call the tool
    assert call.function.name == "get_current_weather"
    messages += [first.choices[0].message.model_dump(exclude_none=True),
                 {"role": "tool", "tool_call_id": call.id, "content": "22 degrees and sunny"}]
    second = client.chat.completions.create(model="gpt-4o-mini", messages=messages, tools=TOOLS)
    assert second.choices[0].message.content == "Here is the weather: 22 degrees and sunny"


def test_the_sdk_retries_a_rate_limit(chat_emulator):
    answer = chat_emulator.client(max_retries=2).chat.completions.create(   # scenarios/retry-429.yaml
        model="gpt-4o-mini", messages=[{"role": "user", "content": "[retry-429] hello"}])
    assert answer.choices[0].message.content == "Succeeded after a rate limit."
    assert [entry.status for entry in chat_emulator.requests] == [429, 200]


def test_unscripted_requests_get_the_built_in_model(chat_emulator):
    answer = chat_emulator.client().chat.completions.create(
        model="gpt-4o-mini", messages=[{"role": "user", "content": "Say hello to Ada."}])
    assert answer.choices[0].finish_reason == "stop" and answer.usage.total_tokens > 0
