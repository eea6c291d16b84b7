"""Sequences (one step per matching request), namespaces, resets, strict mode and near misses."""
from __future__ import annotations

import openai
import pytest

from emulator.scenarios import NAMESPACE_HEADER
from conftest import API_KEY

HELLO = [{"role": "user", "content": "hello"}]
STEPS = [{"reply": {"content": "one"}}, {"reply": {"content": "two"}}, {"reply": {"content": "three"}}]


def say(client, text: str = "hello", namespace: str | None = None, **extra) -> str:
    headers = {NAMESPACE_HEADER: namespace} if namespace else None
    completion = client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": text}],
                                                extra_headers=headers, **extra)
    return completion.choices[0].message.content


def test_steps_in_order_then_the_last_repeats(emu, client):
    emu.add_scenario({"name": "counting", "sequence": STEPS})
    assert [say(client) for _ in range(5)] == ["one", "two", "three", "three", "three"]


def test_on_end_fall_through(emu, client):
    emu.add_scenario({"name": "twice", "sequence": STEPS[:2], "on_end": "fall_through"})
    answers = [say(client) for _ in range(3)]
    assert answers[:2] == ["one", "two"]
    assert answers[2].startswith("This is the chat-emulator built-in model")


def test_on_end_fall_through_to_the_next_scenario(emu, client):
    emu.add_scenario([{"name": "twice", "sequence": STEPS[:2], "on_end": "fall_through"},
                      {"name": "afterwards", "reply": {"content": "afterwards"}}])
    assert [say(client) for _ in range(3)] == ["one", "two", "afterwards"]


def test_on_end_restart(emu, client):
    emu.add_scenario({"name": "cycle", "sequence": STEPS[:2], "on_end": "restart"})
    assert [say(client) for _ in range(5)] == ["one", "two", "one", "two", "one"]


def test_only_matching_requests_advance_a_sequence(emu, client):
    emu.add_scenario({"name": "counting", "match": {"last_user": "count"}, "sequence": STEPS})
    assert say(client, "count") == "one"
    say(client, "something else")
    assert say(client, "count") == "two"


def test_times_limits_a_scenario(emu, client):
    emu.reply_with_text("limited", times=2)
    answers = [say(client) for _ in range(3)]
    assert answers[:2] == ["limited", "limited"]
    assert answers[2].startswith("This is the chat-emulator built-in model")


def test_namespaces_do_not_share_sequence_state(emu, client):
    emu.add_scenario({"name": "counting", "sequence": STEPS})
    assert say(client, namespace="test-a") == "one"
    assert say(client, namespace="test-a") == "two"
    assert say(client, namespace="test-b") == "one"
    assert say(client) == "one"  # no header: the "default" namespace
    assert say(client, namespace="test-a") == "three"


def test_reset_state_of_one_namespace(emu, client):
    emu.add_scenario({"name": "counting", "sequence": STEPS})
    say(client, namespace="a"), say(client, namespace="b")
    emu.scenarios.reset_state("a")
    assert say(client, namespace="a") == "one"
    assert say(client, namespace="b") == "two"
    emu.scenarios.reset_state()
    assert say(client, namespace="b") == "one"


def test_reset_drops_added_scenarios_and_rewinds(emu, client):
    emu.add_scenario({"name": "counting", "sequence": STEPS})
    say(client)
    emu.reset()
    assert emu.scenarios.describe() == []
    assert say(client).startswith("This is the chat-emulator built-in model")
    emu.add_scenario({"name": "counting", "sequence": STEPS})  # same name again: allowed after a reset
    assert say(client) == "one"


def test_sequence_with_errors_and_faults(emu, client):
    emu.add_scenario({"name": "mixed", "sequence": [
        {"error": "server_error"}, {"reply": {"content": "fine"}, "fault": {"delay_ms": 1}}]})
    with pytest.raises(openai.InternalServerError):
        say(client)
    assert say(client) == "fine"


def test_list_remove_and_replace_all(emu, client):
    emu.add_scenario([{"name": "a", "match": {"last_user": "a"}, "reply": {"content": "A"}},
                      {"name": "b", "priority": 5, "reply": {"content": "B"}}])
    say(client, "a")
    listed = {s["name"]: s for s in emu.scenarios.describe()}
    assert listed["b"]["priority"] == 5 and listed["a"]["match"] == {"last_user": "a"}
    assert listed["b"]["times_matched"] == 1 and listed["a"]["times_matched"] == 0
    emu.scenarios.remove("b")
    assert say(client, "a") == "A"
    emu.scenarios.replace_all([{"name": "c", "reply": {"content": "C"}}])
    assert [s["name"] for s in emu.scenarios.describe()] == ["c"]
    with pytest.raises(KeyError):
        emu.scenarios.remove("a")


def test_last_miss_explains_the_nearest_scenario(emu, client):
    emu.add_scenario({"name": "weather", "match": {"last_user": "weather", "model": "gpt-4o"},
                      "reply": {"content": "sunny"}})
    say(client, "hello")
    assert emu.scenarios.last_miss == (
        "Nearest scenarios: 'weather' (<inline>) failed last_user: expected text containing 'weather', "
        "got 'hello'.")


def test_reply_with_tool_call(emu, client):
    tools = [{"type": "function", "function": {"name": "lookup", "parameters": {
        "type": "object", "properties": {"q": {"type": "string"}}, "required": ["q"], "additionalProperties": False}}}]
    emu.reply_with_tool_call("lookup", {"q": "{{last_user}}"})
    completion = client.chat.completions.create(model="gpt-4o", messages=HELLO, tools=tools)
    call = completion.choices[0].message.tool_calls[0]
    assert (call.function.name, call.function.arguments) == ("lookup", '{"q":"hello"}')
    assert completion.choices[0].finish_reason == "tool_calls"


# --- strict mode ---------------------------------------------------------------------------------

@pytest.fixture
def strict_server(make_emulator):
    return make_emulator(strict=True)


@pytest.fixture
def strict(strict_server):
    return openai.OpenAI(base_url=strict_server.base_url, api_key=API_KEY, max_retries=0)


def test_strict_mode_answers_matches(strict_server, strict):
    strict_server.add_scenario({"name": "greeting", "match": {"last_user": "hello"}, "reply": {"content": "hi"}})
    assert say(strict, "hello") == "hi"


def test_strict_mode_names_the_nearest_scenarios_and_failed_conditions(strict_server, strict):
    strict_server.add_scenario([
        {"name": "weather-call", "match": {"last_user": {"contains": "weather"}, "has_tools": True},
         "reply": {"content": "x"}},
        {"name": "weather-answer", "match": {"last_role": "tool", "tool_name": "get_current_weather"},
         "reply": {"content": "y"}},
        {"name": "other", "match": {"model": "o3", "last_user": "zzz", "stream": True}, "reply": {"content": "z"}},
    ])
    with pytest.raises(openai.NotFoundError) as caught:
        say(strict, "what is the weather?")
    body = caught.value.body
    assert body["code"] == "no_scenario_matched" and body["type"] == "invalid_request_error"
    assert body["message"] == (
        "No scenario matched this request (strict mode). Nearest scenarios: "
        "'weather-call' (<inline>) failed has_tools: expected tools, got 0 tools | "
        "'weather-answer' (<inline>) failed last_role: expected 'tool', got 'user'; "
        "tool_name: expected a tool result from 'get_current_weather', got no tool results | "
        "'other' (<inline>) failed model: expected 'o3', got 'gpt-4o'; "
        "last_user: expected text containing 'zzz', got 'what is the weather?'; stream: expected True, got False.")


def test_strict_mode_says_when_a_match_was_used_up(strict_server, strict):
    strict_server.reply_with_text("once", times=1, name="one-shot")
    assert say(strict) == "once"
    with pytest.raises(openai.NotFoundError) as caught:
        say(strict)
    assert "'one-shot' (<inline>) matched, but its 'times: 1' are used up" in caught.value.message


def test_strict_mode_without_scenarios(strict):
    with pytest.raises(openai.NotFoundError) as caught:
        say(strict)
    assert caught.value.body["message"] == "No scenario matched this request (strict mode). No scenarios are loaded."


def test_replace_all_keeps_the_old_set_when_the_new_one_is_broken(emu, client):
    from emulator.scenarios import ScenarioFileError

    emu.reply_with_text("kept", name="kept")
    with pytest.raises(ScenarioFileError):
        emu.scenarios.replace_all([{"name": "broken", "reply": {"content": 1}}])
    assert emu.scenarios.names() == ["kept"]
    assert say(client) == "kept"
