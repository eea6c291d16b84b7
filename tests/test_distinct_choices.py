"""The `n` choices of one request differ from each other, as sampled choices do: text, tool arguments
where the schema leaves room, and JSON output. A property over generated prompts, through the SDK."""
from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

PROMPTS = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=80)
N = st.integers(min_value=2, max_value=16)
SLOW = settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

NOTE = {"type": "object", "properties": {"city": {"type": "string"}, "note": {"type": "string"},
                                         "count": {"type": "integer"}},
        "required": ["city", "note", "count"], "additionalProperties": False}


def pairwise_different(values: list) -> bool:
    return len(set(values)) == len(values)


def test_say_hello_to_ada_three_ways(client):
    """The collision the README's promise missed: two of three choices were the same."""
    answer = client.chat.completions.create(model="gpt-4o-mini", n=3,
                                            messages=[{"role": "user", "content": "Say hello to Ada."}])
    assert pairwise_different([c.message.content for c in answer.choices])


@SLOW
@given(prompt=PROMPTS, n=N)
def test_text_choices_differ(client, prompt, n):
    answer = client.chat.completions.create(model="gpt-4o-mini", n=n, messages=[{"role": "user", "content": prompt}])
    assert pairwise_different([c.message.content for c in answer.choices])


@SLOW
@given(prompt=PROMPTS, n=N)
def test_tool_arguments_differ_where_the_schema_leaves_room(client, prompt, n):
    answer = client.chat.completions.create(
        model="gpt-4o-mini", n=n, messages=[{"role": "user", "content": prompt}], tool_choice="required",
        tools=[{"type": "function", "function": {"name": "save_note", "parameters": NOTE}}])
    arguments = [c.message.tool_calls[0].function.arguments for c in answer.choices]
    assert pairwise_different(arguments)
    assert all(json.loads(a).keys() == {"city", "note", "count"} for a in arguments)


@SLOW
@given(prompt=PROMPTS, n=N)
def test_json_output_differs(client, prompt, n):
    answer = client.chat.completions.create(
        model="gpt-4o-mini", n=n, messages=[{"role": "user", "content": prompt}],
        response_format={"type": "json_schema", "json_schema": {"name": "note", "schema": NOTE, "strict": True}})
    assert pairwise_different([c.message.content for c in answer.choices])


def test_after_tool_results_the_choices_differ_too(client):
    messages = [{"role": "user", "content": "weather?"},
                {"role": "assistant", "tool_calls": [{"id": "call_1", "type": "function",
                                                       "function": {"name": "get_weather", "arguments": "{}"}}]},
                {"role": "tool", "tool_call_id": "call_1", "content": "sunny"}]
    answer = client.chat.completions.create(model="gpt-4o-mini", n=4, messages=messages)
    texts = [c.message.content for c in answer.choices]
    assert pairwise_different(texts) and all("get_weather returned sunny" in t for t in texts)


def test_one_choice_is_what_it_was_and_choices_stay_deterministic(client):
    messages = [{"role": "user", "content": "Say hello to Ada."}]
    alone = client.chat.completions.create(model="gpt-4o-mini", messages=messages)
    first = client.chat.completions.create(model="gpt-4o-mini", n=128, messages=messages)
    again = client.chat.completions.create(model="gpt-4o-mini", n=128, messages=messages)
    assert first.choices[0].message.content == alone.choices[0].message.content
    assert [c.message.content for c in first.choices] == [c.message.content for c in again.choices]
    assert pairwise_different([c.message.content for c in first.choices])
