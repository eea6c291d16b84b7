"""What a scripted reply can give, as the official SDK sees it: templated content, choices, tool
calls (given or generated), refusals, finish reasons, usage, logprobs, model, headers, pacing."""
from __future__ import annotations

import json

import openai
import pytest
from jsonschema import validate
from pydantic import BaseModel

from token_counts import count

HELLO = [{"role": "user", "content": "hello there"}]
PARAMS = {"type": "object", "properties": {"city": {"type": "string"}, "days": {"type": "integer", "minimum": 1}},
          "required": ["city", "days"], "additionalProperties": False}
TOOL = {"type": "function", "function": {"name": "forecast", "parameters": PARAMS}}


def reply(emu, **fields) -> None:
    emu.add_scenario({"name": "scripted", "reply": fields})


def ask(client, messages=HELLO, **extra):
    return client.chat.completions.create(model=extra.pop("model", "gpt-4o"), messages=messages, **extra)


@pytest.mark.parametrize("template,request_extra,expected", [
    ("You said: {{last_user}}", {}, "You said: hello there"),
    ("Model {{ model }}", {"model": "gpt-4o-mini"}, "Model gpt-4o-mini"),
    ("Turn {{turn}}", {}, "Turn 1"),
    ("User {{user}}", {"user": "u-1"}, "User u-1"),
    ("Suite {{metadata.suite}}", {"store": True, "metadata": {"suite": "checkout"}}, "Suite checkout"),
    ("Tenant {{headers.x-tenant}}", {"extra_headers": {"X-Tenant": "acme"}}, "Tenant acme"),
    ("System {{system}}", {"messages": [{"role": "system", "content": "be brief"}, *HELLO]}, "System be brief"),
])
def test_templating(emu, client, template, request_extra, expected):
    reply(emu, content=template)
    assert ask(client, **{"messages": HELLO, **request_extra}).choices[0].message.content == expected


def test_templating_tool_results(emu, client):
    reply(emu, content="{{tool_name}} said {{tool_result}}")
    call = {"id": "call_1", "type": "function", "function": {"name": "forecast", "arguments": "{}"}}
    messages = [*HELLO, {"role": "assistant", "content": None, "tool_calls": [call]},
                {"role": "tool", "tool_call_id": "call_1", "content": "rain"}]
    assert ask(client, messages, tools=[TOOL]).choices[0].message.content == "forecast said rain"


def test_several_choices(emu, client):
    reply(emu, choices=[{"content": "first"}, {"content": "second", "finish_reason": "length"}])
    completion = ask(client)
    assert [(c.index, c.message.content, c.finish_reason) for c in completion.choices] == [
        (0, "first", "stop"), (1, "second", "length")]


def test_one_reply_for_each_of_n(emu, client):
    reply(emu, content="same")
    completion = ask(client, n=3)
    assert [(c.index, c.message.content) for c in completion.choices] == [(0, "same"), (1, "same"), (2, "same")]
    assert completion.usage.completion_tokens == 3 * count("same")


def test_several_choices_stream_in_order(emu, client):
    reply(emu, choices=[{"content": "alpha beta"}, {"content": "gamma delta"}])
    texts = ["", ""]
    for chunk in ask(client, stream=True):
        for choice in chunk.choices:
            texts[choice.index] += choice.delta.content or ""
    assert texts == ["alpha beta", "gamma delta"]


def test_given_tool_call(emu, client):
    reply(emu, tool_calls=[{"name": "forecast", "id": "call_fixed", "arguments": {"city": "Oslo", "days": 2}}])
    message = ask(client, tools=[TOOL]).choices[0].message
    assert message.content is None
    assert message.tool_calls[0].id == "call_fixed"
    assert json.loads(message.tool_calls[0].function.arguments) == {"city": "Oslo", "days": 2}


def test_generated_tool_call_arguments_follow_the_schema(emu, client):
    reply(emu, tool_calls=[{"name": "forecast"}])
    completion = ask(client, tools=[TOOL])
    call = completion.choices[0].message.tool_calls[0]
    assert call.id.startswith("call_") and len(call.id) == 29
    validate(json.loads(call.function.arguments), PARAMS)
    assert completion.choices[0].finish_reason == "tool_calls"


def test_tool_call_streams_and_parses(emu, client):
    strict_tool = {"type": "function", "function": {"name": "forecast", "parameters": PARAMS, "strict": True}}
    reply(emu, tool_calls=[{"name": "forecast", "arguments": {"city": "Oslo", "days": 2}}])
    with client.chat.completions.stream(model="gpt-4o", messages=HELLO, tools=[strict_tool]) as stream:
        final = stream.get_final_completion()
    assert final.choices[0].message.tool_calls[0].function.parsed_arguments == {"city": "Oslo", "days": 2}


def test_tool_call_for_legacy_functions(emu, client):
    reply(emu, tool_calls=[{"name": "forecast", "arguments": '{"city": "Rome", "days": 1}'}])
    completion = ask(client, functions=[TOOL["function"]])
    assert completion.choices[0].finish_reason == "function_call"
    assert completion.choices[0].message.function_call.name == "forecast"


def test_custom_tool_call(emu, client):
    custom = {"type": "custom", "custom": {"name": "run_sql"}}
    reply(emu, tool_calls=[{"name": "run_sql", "arguments": "SELECT 1"}])
    call = ask(client, tools=[custom]).choices[0].message.tool_calls[0]
    assert (call.type, call.custom.name, call.custom.input) == ("custom", "run_sql", "SELECT 1")


def test_refusal(emu, client):
    class Answer(BaseModel):
        text: str

    reply(emu, refusal="I can't help with that.")
    message = client.chat.completions.parse(model="gpt-4o", messages=HELLO, response_format=Answer).choices[0].message
    assert message.refusal == "I can't help with that."
    assert message.content is None and message.parsed is None


def test_finish_reason_length_makes_parse_raise(emu, client):
    class Answer(BaseModel):
        text: str

    reply(emu, content='{"text": "cut', finish_reason="length")
    with pytest.raises(openai.LengthFinishReasonError):
        client.chat.completions.parse(model="gpt-4o", messages=HELLO, response_format=Answer)


def test_usage_is_counted_unless_given(emu, client):
    reply(emu, content="three small words")
    counted = ask(client).usage
    assert counted.completion_tokens == count("three small words")
    emu.reset()
    reply(emu, content="x", usage={"prompt_tokens": 1000, "completion_tokens": 7, "cached_tokens": 200})
    given = ask(client).usage
    assert (given.prompt_tokens, given.completion_tokens, given.total_tokens) == (1000, 7, 1007)
    assert given.prompt_tokens_details.cached_tokens == 200


def test_given_logprobs(emu, client):
    reply(emu, content="Hi there", logprobs=[{"token": "Hi", "logprob": -0.1},
                                             {"token": " there", "logprob": -0.5,
                                              "top_logprobs": [{"token": " there", "logprob": -0.5}]}])
    logprobs = ask(client, logprobs=True, top_logprobs=1).choices[0].logprobs.content
    assert [(e.token, e.logprob) for e in logprobs] == [("Hi", -0.1), (" there", -0.5)]
    assert logprobs[1].top_logprobs[0].token == " there"


def test_logprobs_generated_when_asked(emu, client):
    reply(emu, content="Hi there friend")
    assert ask(client).choices[0].logprobs is None
    logprobs = ask(client, logprobs=True, top_logprobs=2).choices[0].logprobs.content
    assert "".join(e.token for e in logprobs) == "Hi there friend"
    assert all(len(e.top_logprobs) == 2 for e in logprobs)


def test_reported_model_and_headers(emu, client):
    reply(emu, content="x", model="gpt-4o-2024-11-20", headers={"x-scenario": "on"})
    raw = client.chat.completions.with_raw_response.create(model="gpt-4o", messages=HELLO)
    assert raw.parse().model == "gpt-4o-2024-11-20"
    assert raw.headers["x-scenario"] == "on"


def test_pacing_chunk_tokens(emu, http):
    reply(emu, content="one two three four five six", pacing={"chunk_tokens": 3, "tokens_per_second": 1000})
    raw = http.post("/chat/completions", json={"model": "gpt-4o", "messages": HELLO, "stream": True}).text
    contents = [json.loads(line[6:])["choices"][0]["delta"].get("content") for line in raw.split("\n\n")
                if line.startswith("data: {")]
    assert [c for c in contents if c] == ["one two three", " four five six"]


def test_reply_without_text_keeps_the_builtin_answer(emu, client):
    reply(emu, finish_reason="length")
    choice = ask(client).choices[0]
    assert choice.message.content.startswith("This is the chat-emulator built-in model")
    assert choice.finish_reason == "length"


@pytest.mark.parametrize("name", ["ttft_ms", "time_to_first_token_ms"])  # the second: deprecated alias
def test_pacing_time_to_first_token(emu, http, name):
    reply(emu, content="one two", pacing={name: 40})
    http.post("/chat/completions", json={"model": "gpt-4o", "messages": HELLO, "stream": True}).raise_for_status()
    entry = emu.requests[-1]
    assert entry.event_offsets_ms and entry.event_offsets_ms[0] >= 40  # nothing leaves before the first token's time
