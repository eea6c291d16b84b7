"""Each `match:` condition, through the official SDK: a request that meets it gets the scripted
reply, one that does not gets the built-in model. Also: all conditions must hold, and priority."""
from __future__ import annotations

import pytest

SCRIPTED = "scripted answer"
BUILTIN = "This is the chat-emulator built-in model"
TOOL = {"type": "function", "function": {"name": "get_current_weather", "parameters": {
    "type": "object", "properties": {"location": {"type": "string"}}, "required": ["location"]}}}
CALL = {"role": "assistant", "content": None, "tool_calls": [
    {"id": "call_1", "type": "function", "function": {"name": "get_current_weather", "arguments": "{}"}}]}
SCHEMA = {"type": "json_schema", "json_schema": {"name": "answer", "schema": {"type": "object"}}}


def user(text: str) -> list[dict]:
    return [{"role": "user", "content": text}]


def tool_turn(result: str, name_call: dict = CALL) -> list[dict]:
    return [*user("weather?"), name_call, {"role": "tool", "tool_call_id": "call_1", "content": result}]


# (id, match, request that meets it, request that does not)
CASES = [
    ("model-exact", {"model": "gpt-4o"}, {"model": "gpt-4o"}, {"model": "gpt-4o-mini"}),
    ("model-glob", {"model": "gpt-4o-mini*"}, {"model": "gpt-4o-mini"}, {"model": "gpt-4o"}),
    ("model-list", {"model": ["o3", "gpt-4.1*"]}, {"model": "gpt-4.1-mini"}, {"model": "gpt-4o"}),
    ("last-user-string", {"last_user": "weather"}, {"messages": user("the weather?")},
     {"messages": user("Weather?")}),
    ("last-user-contains-all", {"last_user": {"contains": ["rain", "Paris"]}},
     {"messages": user("rain in Paris?")}, {"messages": user("rain in Rome?")}),
    ("last-user-equals", {"last_user": {"equals": "hi"}}, {"messages": user("hi")}, {"messages": user("hi!")}),
    ("last-user-regex", {"last_user": {"regex": r"^order #\d+$"}}, {"messages": user("order #42")},
     {"messages": user("order #x")}),
    ("last-user-ignore-case", {"last_user": {"contains": "WEATHER", "ignore_case": True}},
     {"messages": user("weather?")}, {"messages": user("climate?")}),
    ("last-user-not-contains", {"last_user": {"contains": "weather", "not_contains": "tomorrow"}},
     {"messages": user("weather today")}, {"messages": user("weather tomorrow")}),
    ("last-user-is-the-last-one", {"last_user": "second"},
     {"messages": [*user("first"), {"role": "assistant", "content": "ok"}, *user("second")]},
     {"messages": [*user("second"), {"role": "assistant", "content": "ok"}, *user("first")]}),
    ("any-message", {"any_message": "secret word"},
     {"messages": [*user("the secret word is x"), {"role": "assistant", "content": "ok"}, *user("go")]},
     {"messages": user("go")}),
    ("system", {"system": "pirate"},
     {"messages": [{"role": "system", "content": "Talk like a pirate."}, *user("hi")]},
     {"messages": [{"role": "system", "content": "Be formal."}, *user("hi")]}),
    ("developer-counts-as-system", {"system": "pirate"},
     {"messages": [{"role": "developer", "content": "Talk like a pirate."}, *user("hi")]},
     {"messages": user("pirate")}),
    ("last-role", {"last_role": "tool"}, {"messages": tool_turn("22C"), "tools": [TOOL]},
     {"messages": user("hi")}),
    ("last-role-list", {"last_role": ["assistant", "tool"]},
     {"messages": [*user("hi"), {"role": "assistant", "content": "go on"}]}, {"messages": user("hi")}),
    ("tool-name", {"tool_name": "get_current_weather"}, {"messages": tool_turn("22C"), "tools": [TOOL]},
     {"messages": tool_turn("22C", {**CALL, "tool_calls": [{**CALL["tool_calls"][0], "function": {
         "name": "get_time", "arguments": "{}"}}]}), "tools": [TOOL]}),
    ("tool-result", {"tool_result": {"contains": "sunny"}}, {"messages": tool_turn("22C and sunny"), "tools": [TOOL]},
     {"messages": tool_turn("rain"), "tools": [TOOL]}),
    ("has-tools", {"has_tools": True}, {"messages": user("hi"), "tools": [TOOL]}, {"messages": user("hi")}),
    ("has-no-tools", {"has_tools": False}, {"messages": user("hi")}, {"messages": user("hi"), "tools": [TOOL]}),
    ("tool-offered", {"tool_offered": "get_*"}, {"messages": user("hi"), "tools": [TOOL]},
     {"messages": user("hi")}),
    ("has-response-format", {"has_response_format": True}, {"response_format": SCHEMA},
     {"response_format": {"type": "text"}}),
    ("response-format-type", {"has_response_format": "json_object"},
     {"response_format": {"type": "json_object"}, "messages": user("json please")}, {"response_format": SCHEMA}),
    ("user", {"user": {"equals": "user-42"}}, {"user": "user-42"}, {"user": "user-7"}),
    ("metadata", {"metadata": {"suite": "checkout"}}, {"store": True, "metadata": {"suite": "checkout"}},
     {"store": True, "metadata": {"suite": "search"}}),
    ("metadata-absent", {"metadata": {"suite": None}}, {}, {"store": True, "metadata": {"suite": "x"}}),
    ("turn", {"turn": 2},
     {"messages": [*user("a"), {"role": "assistant", "content": "b"}, *user("c")]}, {"messages": user("a")}),
    ("turn-range", {"turn": {"min": 2, "max": 3}},
     {"messages": [*user("a"), {"role": "assistant", "content": "b"}, *user("c")]}, {"messages": user("a")}),
    ("all-must-hold", {"model": "gpt-4o", "last_user": "weather", "has_tools": True},
     {"model": "gpt-4o", "messages": user("weather?"), "tools": [TOOL]},
     {"model": "gpt-4o", "messages": user("weather?")}),
]


def _create(client, request: dict, **extra):
    body = {"model": "gpt-4o-mini", "messages": user("hello"), **request}
    return client.chat.completions.create(**body, **extra)


@pytest.mark.parametrize("match,meets,misses", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_condition(emu, client, match, meets, misses):
    emu.add_scenario({"name": "under-test", "match": match, "reply": {"content": SCRIPTED}})
    hit = _create(client, meets)
    assert hit.choices[0].message.content == SCRIPTED
    assert emu.requests[-1].matched == "under-test"
    miss = _create(client, misses)
    assert miss.choices[0].message.content != SCRIPTED
    assert emu.requests[-1].matched == "builtin"


def test_stream_condition(emu, client):
    emu.add_scenario({"name": "streamed", "match": {"stream": True}, "reply": {"content": SCRIPTED}})
    chunks = list(_create(client, {}, stream=True))
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == SCRIPTED
    assert _create(client, {}).choices[0].message.content.startswith(BUILTIN)


def test_header_condition(emu, client):
    emu.add_scenario({"name": "tenant", "match": {"headers": {"X-Tenant": {"equals": "acme"}}},
                      "reply": {"content": SCRIPTED}})
    assert _create(client, {}, extra_headers={"x-tenant": "acme"}).choices[0].message.content == SCRIPTED
    assert _create(client, {}, extra_headers={"x-tenant": "other"}).choices[0].message.content.startswith(BUILTIN)
    assert _create(client, {}).choices[0].message.content.startswith(BUILTIN)


def test_header_absent_condition(emu, client):
    emu.add_scenario({"name": "no-tenant", "match": {"headers": {"x-tenant": None}}, "reply": {"content": SCRIPTED}})
    assert _create(client, {}).choices[0].message.content == SCRIPTED
    assert _create(client, {}, extra_headers={"x-tenant": "acme"}).choices[0].message.content.startswith(BUILTIN)


def test_first_in_order_wins_at_equal_priority(emu, client):
    emu.add_scenario([{"name": "first", "reply": {"content": "first"}},
                      {"name": "second", "reply": {"content": "second"}}])
    assert _create(client, {}).choices[0].message.content == "first"


def test_higher_priority_wins(emu, client):
    emu.add_scenario([{"name": "general", "reply": {"content": "general"}},
                      {"name": "specific", "priority": 10, "match": {"last_user": "urgent"},
                       "reply": {"content": "specific"}}])
    assert _create(client, {"messages": user("urgent!")}).choices[0].message.content == "specific"
    assert _create(client, {"messages": user("calm")}).choices[0].message.content == "general"


def test_later_added_scenarios_win_over_earlier_ones(emu, client):
    emu.reply_with_text("older", name="older")
    emu.reply_with_text("newer", name="newer")
    assert _create(client, {}).choices[0].message.content == "newer"
    assert emu.scenarios.usage() == {"newer": 1, "older": 0}
    assert emu.scenarios.unused() == ["older"]
