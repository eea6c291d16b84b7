"""The Responses API through `--upstream`: forwarded, recorded, and replayed with the upstream gone.

The upstream is a second emulator whose scenarios answer with texts the built-in model never
writes ("UPSTREAM ..."), so a replayed answer that has them came from the recording. Chains
(`previous_response_id`) resolve on the way in, while recording, and on replay.
"""
from __future__ import annotations

from typing import Any

import openai
import pytest
import yaml

from emulator import Emulator
from recording_session import record_twice, recorded_files, recorded_text

SECRET_KEY = "sk-live-responses-secret-0123456789"

UPSTREAM_SCENARIOS = [
    {"name": "weather-call", "match": {"last_user": "weather", "last_role": "user"},
     "reply": {"tool_calls": [{"name": "get_weather", "arguments": {"city": "Paris"}}]}},
    {"name": "weather-answer", "match": {"last_role": "tool", "tool_name": "get_weather"},
     "reply": {"content": "UPSTREAM: it is {{tool_result}} in Paris."}},
    {"name": "flaky", "match": {"last_user": "flaky"},
     "sequence": [{"error": {"status": 429, "code": "rate_limit_exceeded", "retry_after_ms": 10}},
                  {"reply": {"content": "UPSTREAM recovered."}}]},
    {"name": "schema", "match": {"has_response_format": "json_schema"}, "reply": {"content": '{"city":"UPSTREAM"}'}},
    {"name": "object", "match": {"has_response_format": "json_object"}, "reply": {"content": '{"any":"UPSTREAM"}'}},
    {"name": "echo", "reply": {"content": "UPSTREAM [{{system}}] {{last_user}} (turn {{turn}})",
                               "usage": {"prompt_tokens": 11, "completion_tokens": 7}}},
]
WEATHER_TOOL = {"type": "function", "name": "get_weather", "strict": False,
                "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}

CITY_FORMAT = {"type": "json_schema", "name": "city", "strict": True, "schema": {
    "type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"], "additionalProperties": False}}


def drive(client: openai.OpenAI) -> dict[str, Any]:
    """The Responses traffic recorded and replayed: what the client saw of each call."""
    seen: dict[str, Any] = {}
    create = client.responses.create
    plain = create(model="gpt-4o-mini", input="hello responses")
    seen["plain"] = (plain.output_text, plain.status, plain.usage.input_tokens, plain.usage.output_tokens)
    seen["instructions"] = [create(model="gpt-4o-mini", instructions=system, input="same question").output_text
                            for system in ("Be brief.", "Be verbose.")]
    events = list(create(model="gpt-4o-mini", input="stream please", stream=True))
    seen["stream"] = [e.delta for e in events if e.type == "response.output_text.delta"]
    seen["stream_end"] = [e.type for e in events][-1]
    first = create(model="gpt-4o-mini", input="remember 42")
    follow = create(model="gpt-4o-mini", previous_response_id=first.id, input="what did I say?")
    seen["chain"] = [first.output_text, follow.output_text]
    asked = create(model="gpt-4o-mini", input="what is the weather?", tools=[WEATHER_TOOL])
    call = asked.output[0]
    answer = create(model="gpt-4o-mini", tools=[WEATHER_TOOL], previous_response_id=asked.id,
                    input=[{"type": "function_call_output", "call_id": call.call_id, "output": "22C"}])
    seen["tool_loop"] = [call.type, call.name, call.arguments, answer.output_text]
    seen["formats"] = [create(model="gpt-4o-mini", input="answer in json", text={"format": fmt}).output_text
                       for fmt in ({"type": "json_object"}, CITY_FORMAT, {"type": "text"})]
    seen["retried"] = client.with_options(max_retries=2).responses.create(model="gpt-4o-mini",
                                                                          input="flaky call").output_text
    return seen


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Traffic recorded twice from the same upstream, which is then stopped."""
    return record_twice(tmp_path_factory, UPSTREAM_SCENARIOS, drive, SECRET_KEY)


@pytest.fixture
def replay(recorded: dict[str, Any]):
    with Emulator(scenario_paths=(recorded["folder"],), strict=True) as emu:
        yield emu


def test_answers_come_from_the_upstream(recorded):
    live = recorded["live"]
    assert live["plain"] == ("UPSTREAM [] hello responses (turn 1)", "completed", 11, 7)
    assert live["instructions"] == ["UPSTREAM [Be brief.] same question (turn 1)",
                                    "UPSTREAM [Be verbose.] same question (turn 1)"]
    assert "".join(live["stream"]) == "UPSTREAM [] stream please (turn 1)" and len(live["stream"]) > 1
    assert live["chain"] == ["UPSTREAM [] remember 42 (turn 1)", "UPSTREAM [] what did I say? (turn 2)"]
    assert live["tool_loop"] == ["function_call", "get_weather", '{"city":"Paris"}', "UPSTREAM: it is 22C in Paris."]
    assert live["retried"] == "UPSTREAM recovered."
    assert live["formats"] == ['{"any":"UPSTREAM"}', '{"city":"UPSTREAM"}', "UPSTREAM [] answer in json (turn 1)"]


def test_replay_through_the_sdk_gives_what_the_upstream_gave(recorded, replay):
    replayed = drive(openai.OpenAI(base_url=replay.base_url, api_key="sk-anything", max_retries=0))
    assert replayed == recorded["live"]
    assert {e.matched for e in replay.requests if e.method == "POST"} <= {
        s["name"] for s in yaml.safe_load((recorded["folder"] / "default.yaml").read_text())["scenarios"]}


def test_a_chained_recording_pins_the_whole_conversation_not_the_id(recorded):
    scenarios = yaml.safe_load((recorded["folder"] / "default.yaml").read_text())["scenarios"]
    follow = next(s for s in scenarios if s["match"]["conversation"][-1] == {"user": "what did I say?"})
    assert follow["match"]["api"] == "responses"
    assert follow["match"]["conversation"] == [{"user": "remember 42"},
                                               {"assistant": "UPSTREAM [] remember 42 (turn 1)"},
                                               {"user": "what did I say?"}]
    assert "resp_" not in (recorded["folder"] / "default.yaml").read_text()  # no id of the upstream's


def test_a_changed_responses_request_gets_the_near_miss(replay):
    client = openai.OpenAI(base_url=replay.base_url, api_key="sk-anything", max_retries=0)
    with pytest.raises(openai.NotFoundError) as raised:
        client.responses.create(model="gpt-4o-mini", instructions="Be brief.", input="same question, changed")
    assert "conversation differs at messages[1].content: recorded 'same question', " \
           "the request has 'same question, changed'" in raised.value.message


def test_recordings_hold_no_key_and_re_recording_gives_no_diff(recorded):
    text = recorded_text(recorded["folder"])
    assert SECRET_KEY not in text and SECRET_KEY[:20] not in text
    first = recorded_files(recorded["folder"])
    second = recorded_files(recorded["second"])
    assert first == second and first


def test_stored_responses_are_read_upstream_unless_the_emulator_made_them():
    with Emulator() as upstream, Emulator(upstream_url=upstream.base_url) as front:
        upstream.reply_with_text("UPSTREAM: {{last_user}}")
        front.reply_with_text("LOCAL answer", match="local")
        client = openai.OpenAI(base_url=front.base_url, api_key="sk-x", max_retries=0)
        remote = client.responses.create(model="gpt-4o-mini", input="far away")
        local = client.responses.create(model="gpt-4o-mini", input="local please")
        assert client.responses.retrieve(remote.id).output_text == "UPSTREAM: far away"
        assert [i.content[0].text for i in client.responses.input_items.list(remote.id)] == ["far away"]
        assert client.responses.retrieve(local.id).output_text == "LOCAL answer"
        client.responses.delete(remote.id)
        with pytest.raises(openai.NotFoundError):
            client.responses.retrieve(remote.id)
        upstream_reads = [(e.method, e.path) for e in upstream.requests if e.method != "POST"]
    assert upstream_reads == [("GET", f"/v1/responses/{remote.id}"), ("GET", f"/v1/responses/{remote.id}/input_items"),
                              ("DELETE", f"/v1/responses/{remote.id}"), ("GET", f"/v1/responses/{remote.id}")]


def test_a_chain_the_emulator_began_reaches_the_upstream_spelled_out(tmp_path):
    """pytest's `new_episodes`: the first call replays (a local answer), the follow-up is new."""
    def chain(url: str) -> str:
        client = openai.OpenAI(base_url=url, api_key="sk-x", max_retries=0)
        first = client.responses.create(model="gpt-4o-mini", input="begin here")
        return client.responses.create(model="gpt-4o-mini", previous_response_id=first.id,
                                       input="what did I say?").output_text

    with Emulator() as upstream, Emulator(upstream_url=upstream.base_url, record_dir=tmp_path) as front:
        upstream.add_scenario(UPSTREAM_SCENARIOS)
        front.reply_with_text("LOCAL start", match="begin here")
        live = chain(front.base_url)
        sent = upstream.requests[-1].body
    assert live == "UPSTREAM [] what did I say? (turn 2)"  # the upstream read the whole conversation
    assert "previous_response_id" not in sent
    assert sent["input"][:2] == [{"type": "message", "role": "user", "content": [{"type": "input_text",
                                                                                 "text": "begin here"}]},
                                 {"role": "assistant", "content": "LOCAL start"}]
    with Emulator(scenario_paths=(tmp_path,), strict=True) as replay:
        replay.reply_with_text("LOCAL start", match="begin here")
        assert chain(replay.base_url) == live


def embed(url: str, inputs: list[str], **options: Any) -> list[list[float]]:
    client = openai.OpenAI(base_url=url, api_key=SECRET_KEY, max_retries=0)
    return [d.embedding for d in client.embeddings.create(model="text-embedding-3-small", input=inputs,
                                                          **options).data]


def test_embeddings_are_forwarded_recorded_per_input_and_replayed(tmp_path):
    with Emulator() as upstream:
        upstream.add_scenario({"name": "far", "match": {"api": "embeddings", "input": "north"},
                               "reply": {"seed": 7}})  # a vector the built-in model would not give "north"
        with Emulator(upstream_url=upstream.base_url, record_dir=tmp_path) as front:
            live = embed(front.base_url, ["north", "south"])  # the SDK asks for base64
            live_floats = embed(front.base_url, ["north"], encoding_format="float", dimensions=256)
    with Emulator() as plain:
        builtin = embed(plain.base_url, ["north"])
    assert live[0] != builtin[0] and len(live[0]) == 1536
    text = (tmp_path / "default.yaml").read_text()
    assert SECRET_KEY not in text and "input: {equals: north}" in text and "input: {equals: south}" in text
    with Emulator(scenario_paths=(tmp_path,), strict=True) as replay:
        replayed = embed(replay.base_url, ["north", "south"])
        replayed_floats = embed(replay.base_url, ["north"], encoding_format="float", dimensions=256)
        with pytest.raises(openai.NotFoundError) as raised:
            embed(replay.base_url, ["west"])
    # Replay normalizes the recorded vector again: the same float32 values, give or take the last bit.
    for got, want in zip(replayed + replayed_floats, live + live_floats, strict=True):
        assert len(got) == len(want) and max(abs(a - b) for a, b in zip(got, want, strict=True)) < 1e-6
    assert "west" in raised.value.message


def test_a_responses_stream_that_fails_midway_replays_its_failure(tmp_path):
    def watch(url: str) -> tuple[list[str], str]:
        client = openai.OpenAI(base_url=url, api_key="sk-x", max_retries=0)
        deltas: list[str] = []
        with pytest.raises(openai.APIError) as raised:
            for event in client.responses.create(model="gpt-4o-mini", input="fail midway", stream=True):
                if event.type == "response.output_text.delta":
                    deltas.append(event.delta)
        return deltas, raised.value.message

    with Emulator() as upstream:
        upstream.add_scenario({"name": "breaks", "reply": {"content": "UPSTREAM one two three four five"},
                               "fault": {"error_event": {"message": "UPSTREAM broke", "code": "server_error"},
                                         "after": 6}})
        with Emulator(upstream_url=upstream.base_url, record_dir=tmp_path) as front:
            live = watch(front.base_url)
    assert live[0] and "UPSTREAM broke" in live[1]
    with Emulator(scenario_paths=(tmp_path,), strict=True) as replay:
        assert watch(replay.base_url) == live


def test_a_responses_stream_is_passed_on_as_it_arrives_with_the_upstreams_headers():
    with Emulator(requests_per_minute=1234) as upstream, Emulator(upstream_url=upstream.base_url) as front:
        upstream.add_scenario({"name": "slow", "reply": {"content": "one two three four five six",
                                                         "pacing": {"tokens_per_second": 4}}})
        client = openai.OpenAI(base_url=front.base_url, api_key="sk-x", max_retries=0)
        with client.responses.with_streaming_response.create(model="gpt-4o-mini", input="slowly",
                                                             stream=True) as raw:
            limit = raw.headers["x-ratelimit-limit-requests"]
            events = iter(raw.parse())
            first = next(e for e in events if e.type == "response.output_text.delta")
            entry = upstream.requests[-1]
            sent_when_first_arrived = len(entry.event_offsets_ms or [])
            rest = "".join(e.delta for e in events if e.type == "response.output_text.delta")
    assert limit == "1234"  # the front's own limit is 10000
    assert first.delta + rest == "one two three four five six"
    assert sent_when_first_arrived < len(entry.events or [])  # the upstream was still sending
