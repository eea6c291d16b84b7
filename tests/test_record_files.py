"""What recorded files hold and how their matches behave: long texts by digest, re-serialised tool
arguments, appending to a file a person edited, and the command line's mistakes."""
from __future__ import annotations

from pathlib import Path

import openai
import pytest
import yaml

from emulator import Emulator
from emulator.cli import main

LONG_PROMPT = "You are a careful assistant. " * 40  # 1,160 characters: pinned by digest


@pytest.fixture
def upstream():
    with Emulator() as emu:
        emu.reply_with_text("UPSTREAM: {{last_user}}")
        yield emu


def record(upstream: Emulator, folder: Path, messages: list, **options) -> str:
    with Emulator(upstream_url=upstream.base_url, record_dir=folder) as front:
        client = openai.OpenAI(base_url=front.base_url, api_key="sk-x", max_retries=0)
        return client.chat.completions.create(model="gpt-4o-mini", messages=messages, **options
                                              ).choices[0].message.content


def replay(folder: Path, messages: list, **options) -> str:
    with Emulator(scenario_paths=(folder,), strict=True) as emu:
        client = openai.OpenAI(base_url=emu.base_url, api_key="sk-x", max_retries=0)
        return client.chat.completions.create(model="gpt-4o-mini", messages=messages, **options
                                              ).choices[0].message.content


def test_a_long_prompt_is_pinned_by_digest_with_a_preview(upstream, tmp_path):
    messages = [{"role": "system", "content": LONG_PROMPT}, {"role": "user", "content": "hi"}]
    assert record(upstream, tmp_path, messages) == "UPSTREAM: hi"
    text = (tmp_path / "default.yaml").read_text()
    assert LONG_PROMPT not in text
    assert "chars: 1160}  # 'You are a careful assistant. You are a careful assistant. Yo…'" in text
    assert replay(tmp_path, messages) == "UPSTREAM: hi"
    changed = [{"role": "system", "content": LONG_PROMPT + "Be brief."}, messages[1]]
    with pytest.raises(openai.NotFoundError) as raised:
        replay(tmp_path, changed)
    assert "conversation differs at messages[0].content: recorded a 1160-character text" in raised.value.message


def test_tool_arguments_match_however_the_client_serialises_them(upstream, tmp_path):
    def loop(arguments: str) -> list:
        return [{"role": "user", "content": "weather?"},
                {"role": "assistant", "tool_calls": [{"id": "call_1", "type": "function",
                                                      "function": {"name": "get_weather", "arguments": arguments}}]},
                {"role": "tool", "tool_call_id": "call_1", "content": "22C"}]

    record(upstream, tmp_path, loop('{"city":"Paris","unit":"C"}'))
    # LangChain and others send the arguments back re-serialised: other spacing, other key order.
    assert replay(tmp_path, loop('{"unit": "C", "city": "Paris"}')) == "UPSTREAM: weather?"
    with pytest.raises(openai.NotFoundError) as raised:
        replay(tmp_path, loop('{"city": "Rome", "unit": "C"}'))
    assert "messages[1].tool_calls[0].arguments.city: recorded 'Paris', the request has 'Rome'" in raised.value.message


def test_new_recordings_follow_what_a_person_wrote(upstream, tmp_path):
    path = tmp_path / "default.yaml"
    path.write_text("# hand-written, kept as is\nscenarios:\n- name: mine\n  match: {last_user: mine}\n"
                    "  reply: {content: my answer}\n")
    record(upstream, tmp_path, [{"role": "user", "content": "theirs"}])
    text = path.read_text()
    assert text.startswith("# hand-written, kept as is\nscenarios:\n- name: mine\n")
    assert [s["name"] for s in yaml.safe_load(text)["scenarios"]] == ["mine", "default-1"]
    assert replay(tmp_path, [{"role": "user", "content": "mine"}]) == "my answer"
    assert replay(tmp_path, [{"role": "user", "content": "theirs"}]) == "UPSTREAM: theirs"


def test_namespaces_record_to_their_own_files(upstream, tmp_path):
    with Emulator(upstream_url=upstream.base_url, record_dir=tmp_path) as front:
        for namespace in ("test_a", "test_b"):
            openai.OpenAI(base_url=front.base_url, api_key="sk-x", default_headers={
                "x-emulator-namespace": namespace}).chat.completions.create(
                model="gpt-4o-mini", messages=[{"role": "user", "content": "same"}])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["test_a.yaml", "test_b.yaml"]
    assert main(["validate", str(tmp_path)]) == 0


@pytest.mark.parametrize("argv, problem", [
    (["--record", "out"], "--record needs --upstream URL (it records what the upstream answers)"),
    (["--upstream", "ftp://x"], "--upstream takes an http:// or https:// base URL, got 'ftp://x'"),
    (["--upstream", "http://x/v1", "--record", "o", "--redact", "("], "--redact '(' is not a valid regular expression"),
    (["--redact", "x"], "--record-timing and --redact go with --record DIR"),
])
def test_record_option_mistakes_are_one_line(argv, problem, capsys):
    assert main(["serve", "--port", "0", *argv]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"chat-emulator serve: {problem}") and err.count("\n") == 1


def test_refusals_finish_reasons_logprobs_and_usage_replay_as_sent(upstream, tmp_path):
    upstream.add_scenario([
        {"name": "refuse", "priority": 1, "match": {"last_user": "refuse"}, "reply": {"refusal": "I can't help."}},
        {"name": "cut", "priority": 1, "match": {"last_user": "cut"},
         "reply": {"content": "Half a", "finish_reason": "length", "usage": {"completion_tokens": 2,
                                                                            "reasoning_tokens": 64}}},
    ])
    asks = [({"content": "refuse"}, {}), ({"content": "cut"}, {}),
            ({"content": "probs"}, {"logprobs": True, "top_logprobs": 2})]

    def seen(client: openai.OpenAI) -> list:
        out = []
        for message, options in asks:
            choice_usage = client.chat.completions.create(
                model="gpt-4o-mini", messages=[{"role": "user", **message}], **options)
            choice = choice_usage.choices[0]
            out.append((choice.message.content, choice.message.refusal, choice.finish_reason,
                        choice.logprobs.model_dump() if choice.logprobs else None, choice_usage.usage.model_dump()))
        return out

    with Emulator(upstream_url=upstream.base_url, record_dir=tmp_path) as front:
        live = seen(openai.OpenAI(base_url=front.base_url, api_key="sk-x", max_retries=0))
    with Emulator(scenario_paths=(tmp_path,), strict=True) as emu:
        replayed = seen(openai.OpenAI(base_url=emu.base_url, api_key="sk-x", max_retries=0))
    assert live[0][1] == "I can't help." and live[1][2] == "length" and live[2][3]["content"]
    assert replayed == live


def test_a_recording_that_cannot_be_written_still_answers(upstream, tmp_path, caplog):
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the recordings folder should be")
    assert record(upstream, blocked, [{"role": "user", "content": "hi"}]) == "UPSTREAM: hi"
    assert "could not record POST /v1/chat/completions" in caplog.text
