"""Record modes in generated pytest projects, against a second emulator as the upstream.

The upstream answers "UPSTREAM: <question>", which the built-in model never says: a test that sees
it replayed its recording (or just recorded it).
"""
from __future__ import annotations

from pathlib import Path

import pytest

from emulator import Emulator

pytest_plugins = ["pytester"]

ASK = '''
def ask(chat_emulator, question):
    reply = chat_emulator.client().chat.completions.create(
        model="gpt-4o-mini", messages=[{"role": "user", "content": question}])
    return reply.choices[0].message.content
'''


@pytest.fixture
def upstream():
    with Emulator() as emu:
        emu.reply_with_text("UPSTREAM: {{last_user}}")
        yield emu


def project(pytester: pytest.Pytester, tests: str) -> None:
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")
    pytester.makepyfile(test_weather=ASK + tests)


def run(pytester: pytest.Pytester, mode: str, upstream_url: str, *more: str) -> pytest.RunResult:
    return pytester.runpytest("-p", "no:cacheprovider", f"--chat-emulator-record-mode={mode}",
                              "--chat-emulator-upstream", upstream_url, *more)


def recording(pytester: pytest.Pytester, name: str) -> Path:
    return pytester.path / "recordings" / "test_weather" / f"{name}.yaml"


ONE = '''
def test_paris(chat_emulator):
    assert ask(chat_emulator, "weather in Paris?") == "UPSTREAM: weather in Paris?"
'''


def test_once_records_then_replays_without_the_upstream(pytester, upstream):
    project(pytester, ONE)
    run(pytester, "once", upstream.base_url).assert_outcomes(passed=1)
    assert "UPSTREAM: weather in Paris?" in recording(pytester, "test_paris").read_text()
    url = upstream.base_url
    upstream.stop()
    run(pytester, "once", url).assert_outcomes(passed=1)  # the file exists: replayed
    run(pytester, "none", url).assert_outcomes(passed=1)


def test_none_fails_a_changed_request_with_the_near_miss(pytester, upstream):
    project(pytester, ONE)
    run(pytester, "once", upstream.base_url).assert_outcomes(passed=1)
    pytester.makepyfile(test_weather=ASK + ONE.replace("weather in Paris?", "weather in Rome?"))
    result = pytester.runpytest("-p", "no:cacheprovider")  # `none` is the default
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*conversation differs at messages[[]0[]].content: recorded 'weather in Paris?', "
                                 "the request has 'weather in Rome?'*"])
    assert not upstream.requests[1:]  # nothing went upstream on replay


def test_new_episodes_replays_what_matches_and_records_the_rest(pytester, upstream):
    project(pytester, ONE)
    run(pytester, "once", upstream.base_url).assert_outcomes(passed=1)
    asked_before = len(upstream.requests)
    pytester.makepyfile(test_weather=ASK + '''
def test_paris(chat_emulator):
    assert ask(chat_emulator, "weather in Paris?") == "UPSTREAM: weather in Paris?"
    assert ask(chat_emulator, "and tomorrow?") == "UPSTREAM: and tomorrow?"
''')
    run(pytester, "new_episodes", upstream.base_url).assert_outcomes(passed=1)
    assert [e.body["messages"][0]["content"] for e in upstream.requests[asked_before:]] == ["and tomorrow?"]
    text = recording(pytester, "test_paris").read_text()
    assert "UPSTREAM: weather in Paris?" in text and "UPSTREAM: and tomorrow?" in text
    run(pytester, "none", "http://127.0.0.1:9/v1").assert_outcomes(passed=1)


def test_all_records_everything_again_with_no_diff(pytester, upstream):
    project(pytester, ONE)
    run(pytester, "all", upstream.base_url).assert_outcomes(passed=1)
    before = recording(pytester, "test_paris").read_bytes()
    run(pytester, "all", upstream.base_url).assert_outcomes(passed=1)
    assert len(upstream.requests) == 2  # both runs asked the upstream
    assert recording(pytester, "test_paris").read_bytes() == before


def test_shared_recording_async_tests_and_the_ini_option(pytester, upstream):
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\nasyncio_mode = auto\n"
                     f"chat_emulator_upstream = {upstream.base_url}\nchat_emulator_recordings = cassettes\n")
    pytester.makepyfile(test_weather=ASK + '''
import pytest

@pytest.mark.chat_recording("shared")
def test_one(chat_emulator):
    assert ask(chat_emulator, "first?") == "UPSTREAM: first?"

@pytest.mark.chat_recording("shared")
def test_two(chat_emulator):
    assert ask(chat_emulator, "second?") == "UPSTREAM: second?"

async def test_async(chat_emulator):
    reply = await chat_emulator.async_client().chat.completions.create(
        model="gpt-4o-mini", messages=[{"role": "user", "content": "async?"}])
    assert reply.choices[0].message.content == "UPSTREAM: async?"
''')
    pytester.runpytest("-p", "no:cacheprovider", "--chat-emulator-record-mode=all").assert_outcomes(passed=3)
    folder = pytester.path / "cassettes" / "test_weather"
    assert sorted(p.name for p in folder.iterdir()) == ["shared.yaml", "test_async.yaml"]
    upstream.stop()
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=3)


def test_xdist_workers_write_their_own_files(pytester, upstream, monkeypatch):
    from test_pytest_plugin import subprocess_sees_this_emulator

    subprocess_sees_this_emulator(monkeypatch)
    project(pytester, "".join(f'''
def test_city_{i}(chat_emulator):
    assert ask(chat_emulator, "city {i}?") == "UPSTREAM: city {i}?"
''' for i in range(2)))
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-n", "2", "--chat-emulator-record-mode=once",
                                           "--chat-emulator-upstream", upstream.base_url)
    result.assert_outcomes(passed=2)
    for i in range(2):
        assert f"UPSTREAM: city {i}?" in recording(pytester, f"test_city_{i}").read_text()


CHAIN = '''
def test_chain(chat_emulator):
    client = chat_emulator.client()
    first = client.responses.create(model="gpt-4o-mini", input="remember 42")
    assert first.output_text == "UPSTREAM: remember 42"
'''
FOLLOW_UP = '''
    follow = client.responses.create(model="gpt-4o-mini", previous_response_id=first.id, input="what did I say?")
    assert follow.output_text == "UPSTREAM turn 2: what did I say?"
'''


def test_a_responses_chain_grows_with_new_episodes_and_replays(pytester, upstream):
    upstream.add_scenario({"name": "second-turn", "priority": 1, "match": {"turn": 2},
                           "reply": {"content": "UPSTREAM turn 2: {{last_user}}"}})
    project(pytester, CHAIN)
    run(pytester, "once", upstream.base_url).assert_outcomes(passed=1)
    pytester.makepyfile(test_weather=ASK + CHAIN + FOLLOW_UP)
    # The first call replays (the emulator's own response); the follow-up goes upstream with the chain spelled out.
    run(pytester, "new_episodes", upstream.base_url).assert_outcomes(passed=1)
    assert "previous_response_id" not in upstream.requests[-1].body
    url = upstream.base_url
    upstream.stop()
    run(pytester, "none", url).assert_outcomes(passed=1)
