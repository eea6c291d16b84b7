"""Record through `--upstream` against a second emulator, then replay with the upstream gone.

The upstream answers with texts the built-in model never writes ("UPSTREAM ..."), so a replayed
answer that has them came from the recording.
"""
from __future__ import annotations

import json
from typing import Any

import openai
import pytest

from emulator import Emulator
from recording_session import record_twice, recorded_files, recorded_text

SECRET_KEY = "sk-live-secret-key-0123456789"
ACCOUNT = "ACCT-0042917"  # masked by --redact

UPSTREAM_SCENARIOS = [
    {"name": "weather-call", "match": {"last_user": "weather", "last_role": "user"},
     "reply": {"tool_calls": [{"name": "get_weather", "arguments": {"city": "Paris"}}]}},
    {"name": "weather-answer", "match": {"last_role": "tool", "tool_name": "get_weather"},
     "reply": {"content": "UPSTREAM: it is {{tool_result}} in Paris."}},
    {"name": "flaky", "match": {"last_user": "flaky"},
     "sequence": [{"error": {"status": 429, "code": "rate_limit_exceeded", "retry_after_ms": 10}},
                  {"reply": {"content": "UPSTREAM recovered."}}]},
    {"name": "two", "match": {"last_user": "two answers"},
     "reply": {"choices": [{"content": "UPSTREAM first."}, {"content": "UPSTREAM second."}]}},
    {"name": "whoami", "match": {"last_user": "whoami"},
     "reply": {"content": "UPSTREAM saw {{headers.authorization}}"}},
    {"name": "echo", "reply": {"content": "UPSTREAM [{{system}}] {{last_user}}"}},
]
WEATHER_TOOL = {"type": "function", "function": {
    "name": "get_weather", "parameters": {"type": "object", "properties": {"city": {"type": "string"}},
                                          "required": ["city"]}}}


def drive(client: openai.OpenAI) -> dict[str, Any]:
    """The traffic recorded and replayed: what the client saw of each call."""
    seen: dict[str, Any] = {}
    ask = client.chat.completions.create
    seen["plain"] = ask(model="gpt-4o-mini", messages=[{"role": "user", "content": "hello upstream"}]
                        ).choices[0].message.content
    stream = ask(model="gpt-4o-mini", messages=[{"role": "user", "content": "stream please"}], stream=True)
    seen["stream"] = [c.choices[0].delta.content for c in stream if c.choices and c.choices[0].delta.content]
    seen["n2"] = [c.message.content for c in ask(model="gpt-4o-mini", n=2,
                                                 messages=[{"role": "user", "content": "two answers"}]).choices]
    messages: list[Any] = [{"role": "user", "content": "what is the weather?"}]
    first = ask(model="gpt-4o-mini", messages=messages, tools=[WEATHER_TOOL]).choices[0].message
    call = first.tool_calls[0]
    messages += [first.model_dump(exclude_none=True),
                 {"role": "tool", "tool_call_id": call.id, "content": f"22C ({call.function.arguments})"}]
    seen["tool_loop"] = [call.function.name, call.function.arguments,
                         ask(model="gpt-4o-mini", messages=messages, tools=[WEATHER_TOOL]).choices[0].message.content]
    seen["systems"] = [ask(model="gpt-4o-mini", messages=[{"role": "system", "content": system},
                                                         {"role": "user", "content": "same question"}]
                           ).choices[0].message.content for system in ("Be brief.", "Be verbose.")]
    seen["retried"] = client.with_options(max_retries=2).chat.completions.create(
        model="gpt-4o-mini", messages=[{"role": "user", "content": "flaky call"}]).choices[0].message.content
    seen["masked"] = ask(model="gpt-4o-mini", messages=[{"role": "user", "content": f"account {ACCOUNT}"}]
                         ).choices[0].message.content
    seen["whoami"] = ask(model="gpt-4o-mini", messages=[{"role": "user", "content": "whoami"}]
                         ).choices[0].message.content
    return seen


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Traffic recorded twice from the same upstream, which is then stopped."""
    return record_twice(tmp_path_factory, UPSTREAM_SCENARIOS, drive, SECRET_KEY,
                        upstream_settings={"requests_per_minute": 1234}, redact=(r"ACCT-\d+",))


@pytest.fixture
def replay(recorded: dict[str, Any]):
    with Emulator(scenario_paths=(recorded["folder"],), strict=True) as emu:
        yield emu


def test_answers_come_from_the_upstream(recorded):
    live = recorded["live"]
    assert live["plain"] == "UPSTREAM [] hello upstream"
    assert "".join(live["stream"]) == "UPSTREAM [] stream please"
    assert live["n2"] == ["UPSTREAM first.", "UPSTREAM second."]
    assert live["tool_loop"][0] == "get_weather" and live["tool_loop"][2].startswith("UPSTREAM: it is 22C")
    assert live["systems"] == ["UPSTREAM [Be brief.] same question", "UPSTREAM [Be verbose.] same question"]
    assert live["retried"] == "UPSTREAM recovered."


def test_replay_gives_what_the_upstream_gave(recorded, replay):
    client = openai.OpenAI(base_url=replay.base_url, api_key="sk-anything", max_retries=0)
    live = recorded["live"]
    replayed = drive(client)
    masked = {k: v for k, v in live.items() if k not in ("masked", "whoami")}
    assert {k: replayed[k] for k in masked} == masked
    assert replayed["stream"] == live["stream"]  # the same fragments, one chunk each
    assert replayed["masked"] == live["masked"].replace(ACCOUNT, "[REDACTED]")
    assert SECRET_KEY not in replayed["whoami"] and "[REDACTED]" in replayed["whoami"]


def test_the_sdk_retry_replays_the_429(recorded, replay):
    client = openai.OpenAI(base_url=replay.base_url, api_key="sk-anything", max_retries=2)
    answer = client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "flaky call"}])
    assert answer.choices[0].message.content == "UPSTREAM recovered."
    assert [e.status for e in replay.requests] == [429, 200]
    with pytest.raises(openai.RateLimitError) as raised:
        openai.OpenAI(base_url=replay.base_url, api_key="sk-x", max_retries=0).chat.completions.create(
            model="gpt-4o-mini", messages=[{"role": "user", "content": "flaky call"}],
            extra_headers={"x-emulator-namespace": "fresh"})
    assert raised.value.response.headers["retry-after-ms"] == "10"


def test_a_changed_request_gets_the_near_miss(replay):
    client = openai.OpenAI(base_url=replay.base_url, api_key="sk-anything", max_retries=0)
    with pytest.raises(openai.NotFoundError) as raised:
        client.chat.completions.create(model="gpt-4o-mini", messages=[
            {"role": "system", "content": "Be brief."}, {"role": "user", "content": "same question, changed"}])
    message = raised.value.message
    assert "conversation differs at messages[1].content: recorded 'same question', " \
           "the request has 'same question, changed'" in message


def test_the_tool_set_is_part_of_the_match(replay):
    client = openai.OpenAI(base_url=replay.base_url, api_key="sk-anything", max_retries=0)
    with pytest.raises(openai.NotFoundError) as raised:
        client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "hello upstream"}],
                                       tools=[WEATHER_TOOL])
    assert "tools differs at tools[0]" in raised.value.message


def test_recordings_hold_no_key_and_no_masked_text(recorded):
    text = recorded_text(recorded["folder"])
    assert SECRET_KEY not in text and SECRET_KEY[:20] not in text
    assert ACCOUNT not in text
    assert "UPSTREAM [] hello upstream" in text  # the file holds the answers themselves


def test_re_recording_gives_the_same_files(recorded):
    first = recorded_files(recorded["folder"])
    second = recorded_files(recorded["second"])
    assert first == second and first


def test_the_recording_is_a_valid_scenario_file(recorded, capsys):
    from emulator.cli import main

    assert main(["validate", str(recorded["folder"])]) == 0
    assert "warning" not in capsys.readouterr().out  # a recorded tool call pins its whole conversation
    data = (recorded["folder"] / "default.yaml").read_text()
    assert "sequence:" in data  # the 429 and the success, in order


@pytest.fixture
def upstream():
    with Emulator(requests_per_minute=1234) as emu:
        emu.add_scenario(UPSTREAM_SCENARIOS)
        yield emu


def test_headers_clients_read_come_from_the_upstream(upstream, tmp_path):
    with Emulator(upstream_url=upstream.base_url) as front:
        raw = openai.OpenAI(base_url=front.base_url, api_key="sk-x", max_retries=0).chat.completions.with_raw_response
        response = raw.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "hi"}])
        entry = front.requests[-1]
    assert response.headers["x-ratelimit-limit-requests"] == "1234"  # the front's own limit is 10000
    assert (entry.matched, entry.status) == ("upstream", 200)  # the front's journal shows who answered
    assert entry.response["choices"][0]["message"]["content"] == "UPSTREAM [] hi"
    assert upstream.requests[-1].headers["authorization"] == "Bearer sk-x"  # the client's own key


def test_the_upstream_key_replaces_the_clients(upstream):
    with Emulator(upstream_url=upstream.base_url, upstream_key="sk-upstream-only") as front:
        openai.OpenAI(base_url=front.base_url, api_key="sk-dummy", max_retries=0).chat.completions.create(
            model="gpt-4o-mini", messages=[{"role": "user", "content": "hi"}])
    assert upstream.requests[-1].headers["authorization"] == "Bearer sk-upstream-only"


def test_models_and_stored_completions_pass_through():
    with Emulator(extra_models=("upstream-only-model",)) as upstream, \
            Emulator(upstream_url=upstream.base_url) as front:
        client = openai.OpenAI(base_url=front.base_url, api_key="sk-x", max_retries=0)
        ids = [m.id for m in client.models.list()]
        stored = client.chat.completions.create(model="gpt-4o-mini", store=True,
                                                messages=[{"role": "user", "content": "keep this"}])
        again = client.chat.completions.retrieve(stored.id)
        listed = [c.id for c in client.chat.completions.list()]
    assert "upstream-only-model" in ids
    assert again.choices[0].message.content == stored.choices[0].message.content and stored.id in listed
    assert [e.path for e in upstream.requests if e.method == "GET"] == [
        "/v1/models", f"/v1/chat/completions/{stored.id}", "/v1/chat/completions"]


def test_a_stream_is_passed_on_as_it_arrives(upstream):
    upstream.add_scenario({"name": "slow", "match": {"last_user": "slowly"}, "priority": 1,
                           "reply": {"content": "one two three four five six",
                                     "pacing": {"tokens_per_second": 4}}})
    with Emulator(upstream_url=upstream.base_url) as front:
        client = openai.OpenAI(base_url=front.base_url, api_key="sk-x", max_retries=0)
        stream = client.chat.completions.create(model="gpt-4o-mini", stream=True,
                                                messages=[{"role": "user", "content": "slowly"}])
        first = next(c for c in stream if c.choices and c.choices[0].delta.content)
        entry = upstream.requests[-1]
        sent_when_first_arrived = len(entry.event_offsets_ms or [])
        rest = "".join(c.choices[0].delta.content or "" for c in stream if c.choices)
    assert first.choices[0].delta.content + rest == "one two three four five six"
    assert sent_when_first_arrived < len(entry.events or [])  # the upstream was still sending


def test_an_unreachable_upstream_is_a_502(tmp_path):
    with Emulator() as gone:
        url = gone.base_url
    with Emulator(upstream_url=url) as front:
        client = openai.OpenAI(base_url=front.base_url, api_key="sk-x", max_retries=0)
        with pytest.raises(openai.APIStatusError) as raised:
            client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "hi"}])
    assert raised.value.status_code == 502
    assert raised.value.body["code"] == "upstream_unreachable"
    assert url.removesuffix("/v1") in raised.value.body["message"]


def test_a_silent_upstream_is_a_502_not_a_hang(upstream):
    upstream.add_scenario({"name": "stall", "match": {"last_user": "stall"}, "priority": 1, "fault": "stall"})
    with Emulator(upstream_url=upstream.base_url, upstream_timeout=0.5) as front:
        client = openai.OpenAI(base_url=front.base_url, api_key="sk-x", max_retries=0)
        with pytest.raises(openai.APIStatusError) as raised:
            client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "stall"}])
    assert raised.value.status_code == 502 and raised.value.body["code"] == "upstream_timeout"


def test_scenarios_answer_before_the_upstream(upstream, tmp_path):
    with Emulator(upstream_url=upstream.base_url, record_dir=tmp_path) as front:
        front.reply_with_text("local answer", match="local")
        client = openai.OpenAI(base_url=front.base_url, api_key="sk-x", max_retries=0)
        local = client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "local"}])
    assert local.choices[0].message.content == "local answer"
    assert not upstream.requests and not list(tmp_path.iterdir())  # nothing forwarded, nothing recorded


def test_record_timing_keeps_the_pace(upstream, tmp_path):
    upstream.add_scenario({"name": "paced", "match": {"last_user": "paced"}, "priority": 1,
                           "reply": {"content": "a b c", "pacing": {"ttft_ms": 200, "tokens_per_second": 10}}})
    ask = {"model": "gpt-4o-mini", "stream": True, "messages": [{"role": "user", "content": "paced"}]}
    with Emulator(upstream_url=upstream.base_url, record_dir=tmp_path, record_timing=True) as front:
        list(openai.OpenAI(base_url=front.base_url, api_key="sk-x", max_retries=0).chat.completions.create(**ask))
    import yaml

    reply = yaml.safe_load((tmp_path / "default.yaml").read_text())["scenarios"][0]["reply"]
    assert json.dumps(reply["chunks"]) == json.dumps(["a", " b", " c"])
    pacing = reply["pacing"]
    assert pacing["ttft_ms"] >= 200 and len(pacing["gaps_ms"]) == 2 and min(pacing["gaps_ms"]) >= 50  # paced at 100 ms upstream
    with Emulator(scenario_paths=(tmp_path,), strict=True) as replay:
        list(openai.OpenAI(base_url=replay.base_url, api_key="sk-x", max_retries=0).chat.completions.create(**ask))
        offsets = replay.requests[-1].event_offsets_ms
    # The replayed stream waits at least as long as the recording says before each chunk (sleeps never run short).
    assert offsets[0] >= pacing["ttft_ms"] - 1
    assert [later - earlier >= gap - 1 for earlier, later, gap in zip(offsets[1:], offsets[2:], pacing["gaps_ms"],
                                                                      strict=False)] == [True, True]


def test_record_timing_keeps_a_whole_answers_delay(upstream, tmp_path):
    upstream.add_scenario({"name": "slow", "match": {"last_user": "slow"}, "priority": 1,
                           "reply": {"content": "late"}, "fault": {"delay_ms": 150}})
    with Emulator(upstream_url=upstream.base_url, record_dir=tmp_path, record_timing=True) as front:
        openai.OpenAI(base_url=front.base_url, api_key="sk-x", max_retries=0).chat.completions.create(
            model="gpt-4o-mini", messages=[{"role": "user", "content": "slow"}])
    import yaml

    scenario = yaml.safe_load((tmp_path / "default.yaml").read_text())["scenarios"][0]
    assert scenario["reply"]["content"] == "late" and scenario["fault"]["delay_ms"] >= 150
