"""The pytest plugin, exercised the way users meet it: generated test projects run by `pytester`.

The plugin loads through its `pytest11` entry point in the generated runs too (installing the package
is enough), so no project here names it.
"""
from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest

import emulator

pytest_plugins = ["pytester"]

USER = '[{"role": "user", "content": "Say hi"}]'


def subprocess_sees_this_emulator(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make subprocess runs import the `emulator` package under test (PYTHONPATH may be relative)."""
    root = str(Path(emulator.__file__).resolve().parents[1])
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")])))


def ini(pytester: pytest.Pytester, options: str = "") -> None:
    """The project's pytest.ini: `options` plus a quiet pytest-asyncio."""
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n" + options)


def test_fixtures_clients_journal_and_options(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", "http://outside.invalid/v1")
    ini(pytester, "chat_emulator_api_key = sk-project\n"
                  "chat_emulator_models = catalogue/models.json\n"
                  "chat_emulator_ttft_ms = 20\n"
                  "chat_emulator_tokens_per_second = 5000\n")
    pytester.mkdir("catalogue")
    pytester.path.joinpath("catalogue/models.json").write_text(json.dumps({"models": [{"id": "acme-chat-1"}]}))
    pytester.makepyfile(f"""
        import os
        import openai
        import pytest

        USER = {USER}
        PORTS = set()

        def test_sync_client_and_journal(chat_emulator):
            reply = chat_emulator.client().chat.completions.create(model="gpt-4o-mini", messages=USER)
            assert chat_emulator.base_url.endswith("/v1") and chat_emulator.api_key == "sk-project"
            entry = chat_emulator.last_request
            assert (entry.method, entry.path, entry.status, entry.matched) == (
                "POST", "/v1/chat/completions", 200, "builtin")
            assert entry.headers["authorization"] == "Bearer sk-project"
            assert entry.body["messages"] == USER
            assert entry.response["choices"][0]["message"]["content"] == reply.choices[0].message.content
            PORTS.add(chat_emulator.port)

        def test_journal_is_reset_and_server_shared(chat_emulator):
            assert chat_emulator.requests == []
            assert PORTS == {{chat_emulator.port}}

        def test_api_key_option_is_enforced(chat_emulator):
            client = chat_emulator.client(api_key="sk-other", max_retries=0)
            with pytest.raises(openai.AuthenticationError):
                client.chat.completions.create(model="gpt-4o-mini", messages=USER)
            assert chat_emulator.last_request.status == 401

        def test_models_option_extends_the_catalogue(chat_emulator):
            reply = chat_emulator.client().chat.completions.create(model="acme-chat-1", messages=USER)
            assert reply.model == "acme-chat-1"

        def test_stream_is_journaled_assembled(chat_emulator, chat_emulator_server):
            stream = chat_emulator.client().chat.completions.create(
                model="gpt-4o-mini", messages=USER, stream=True)
            text = "".join(chunk.choices[0].delta.content or "" for chunk in stream if chunk.choices)
            entry = chat_emulator.last_request
            assert entry.stream and entry.events
            assert entry.response["choices"][0]["message"]["content"] == text
            pacing = chat_emulator_server.settings.pacing
            assert (pacing.ttft_ms, pacing.tokens_per_second) == (20, 5000)

        def test_journal_filters(chat_emulator):
            client = chat_emulator.client()
            client.chat.completions.create(model="gpt-4o-mini", messages=USER)
            client.chat.completions.create(model="gpt-4o", messages=[{{"role": "user", "content": "again"}}])
            assert [r.model for r in chat_emulator.requests_to("/chat/completions")] == ["gpt-4o-mini", "gpt-4o"]
            assert [r.model for r in chat_emulator.requests_to(model="gpt-4o")] == ["gpt-4o"]
            assert chat_emulator.requests_to("/v1/models") == []
            assert chat_emulator.messages_sent() == [{{"role": "user", "content": "again"}}]
            assert chat_emulator.messages_sent(0) == USER

        @pytest.mark.asyncio
        async def test_pytest_asyncio(chat_emulator):
            async with chat_emulator.async_client() as client:
                reply = await client.chat.completions.create(model="gpt-4o-mini", messages=USER)
            assert chat_emulator.last_request.response["id"] == reply.id

        @pytest.mark.anyio
        async def test_anyio(chat_emulator):
            async with chat_emulator.async_client() as client:
                stream = await client.chat.completions.create(model="gpt-4o-mini", messages=USER, stream=True)
                text = "".join([chunk.choices[0].delta.content or "" async for chunk in stream])
            assert chat_emulator.last_request.response["choices"][0]["message"]["content"] == text

        def test_env_points_unmodified_code_at_the_emulator(chat_emulator_env):
            assert os.environ["OPENAI_BASE_URL"] == chat_emulator_env.base_url
            assert os.environ["OPENAI_API_KEY"] == "sk-project"
            openai.OpenAI().chat.completions.create(model="gpt-4o-mini", messages=USER)
            assert len(chat_emulator_env.requests) == 1

        def test_env_is_restored_after_the_test():
            assert os.environ["OPENAI_BASE_URL"] == "http://outside.invalid/v1"
    """)
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=10)


GREETING = """
scenarios:
  - name: greeting
    match: {last_user: hello}
    reply: {content: "Hello from the default folder!"}
  - name: farewell
    match: {last_user: bye}
    reply: {content: "Goodbye!"}
"""

WEATHER = """
scenarios:
  - name: weather
    match: {last_user: weather, has_tools: true}
    sequence:
      - reply: {tool_calls: [{name: get_weather, arguments: {city: Paris}}]}
      - reply: {content: "It is sunny in Paris."}
"""


def scenario_project(pytester: pytest.Pytester, options: str = "") -> None:
    ini(pytester, "chat_emulator_scenarios = scenarios/default\n" + options)
    pytester.mkdir("scenarios")
    pytester.mkdir("scenarios/default")
    pytester.path.joinpath("scenarios/default/greeting.yaml").write_text(GREETING)
    pytester.path.joinpath("scenarios/weather.yaml").write_text(WEATHER)


def test_scenarios_from_folder_marker_and_inline(pytester: pytest.Pytester) -> None:
    scenario_project(pytester)
    pytester.makepyfile(f"""
        import json
        import openai
        import pytest

        TOOLS = [{{"type": "function", "function": {{"name": "get_weather", "parameters": {{
            "type": "object", "properties": {{"city": {{"type": "string"}}}}, "required": ["city"]}}}}}}]

        def ask(chat_emulator, text, **options):
            client = options.pop("client", None) or chat_emulator.client()
            return client.chat.completions.create(
                model="gpt-4o-mini", messages=[{{"role": "user", "content": text}}], **options)

        def test_default_folder(chat_emulator):
            assert ask(chat_emulator, "hello there").choices[0].message.content == "Hello from the default folder!"
            assert chat_emulator.last_request.matched == "greeting"

        @pytest.mark.chat_scenarios("scenarios/weather.yaml")
        def test_marker_sequence(chat_emulator):
            first = ask(chat_emulator, "weather in Paris?", tools=TOOLS)
            call = first.choices[0].message.tool_calls[0]
            assert (call.function.name, json.loads(call.function.arguments)) == ("get_weather", {{"city": "Paris"}})
            second = ask(chat_emulator, "weather in Paris?", tools=TOOLS)
            assert second.choices[0].message.content == "It is sunny in Paris."
            assert [r.matched for r in chat_emulator.requests] == ["weather", "weather"]

        def test_marker_scenarios_and_sequences_are_gone_next_test(chat_emulator):
            assert ask(chat_emulator, "weather?", tools=TOOLS).choices[0].message.content != "It is sunny in Paris."
            assert chat_emulator.last_request.matched == "builtin"

        def test_add_scenario_in_the_file_format(chat_emulator):
            chat_emulator.add_scenario({{"name": "inline", "match": {{"last_user": "hello"}},
                                        "reply": {{"content": "Inline wins over files."}}}})
            assert ask(chat_emulator, "hello").choices[0].message.content == "Inline wins over files."

        def test_reply_with_text_and_tool_call(chat_emulator):
            chat_emulator.reply_with_text("Scripted.", match="joke")
            chat_emulator.reply_with_tool_call("get_weather", {{"city": "Oslo"}}, match="weather")
            assert ask(chat_emulator, "tell me a joke").choices[0].message.content == "Scripted."
            call = ask(chat_emulator, "weather?", tools=TOOLS).choices[0].message.tool_calls[0]
            assert json.loads(call.function.arguments) == {{"city": "Oslo"}}

        def test_fail_next_then_the_client_retries(chat_emulator):
            chat_emulator.fail_next(2, error="rate_limit_exceeded")
            reply = ask(chat_emulator, "hello", client=chat_emulator.client(max_retries=2))
            assert reply.choices[0].message.content == "Hello from the default folder!"
            assert [r.status for r in chat_emulator.requests] == [429, 429, 200]

        def test_fail_next_without_retries(chat_emulator):
            chat_emulator.fail_next(error="server_error")
            with pytest.raises(openai.InternalServerError):
                ask(chat_emulator, "hello", client=chat_emulator.client(max_retries=0))

        def test_fail_next_with_a_stream_fault(chat_emulator):
            chat_emulator.fail_next(fault="error_event")
            received = []
            with pytest.raises(openai.APIError, match="The server had an error"):
                for chunk in ask(chat_emulator, "hello", stream=True):
                    received.append(chunk)
            assert received and chat_emulator.last_request.stream
    """)
    result = pytester.runpytest("-p", "no:cacheprovider", "--strict-markers")
    result.assert_outcomes(passed=8)


def test_unused_scenarios_and_near_misses_fail_with_names(pytester: pytest.Pytester) -> None:
    scenario_project(pytester, "chat_emulator_assert_all_used = true\n")
    pytester.makepyfile(f"""
        import pytest

        USER = {USER}

        def test_default_folder_scenarios_may_stay_unused(chat_emulator):
            chat_emulator.reply_with_text("used", name="used-one")
            chat_emulator.client().chat.completions.create(model="gpt-4o-mini", messages=USER)

        @pytest.mark.chat_scenarios("scenarios/weather.yaml")
        def test_unused_scenarios(chat_emulator):
            chat_emulator.reply_with_text("never asked", match="poem", name="poem")

        @pytest.mark.chat_emulator_strict
        def test_near_miss(chat_emulator):
            chat_emulator.allow_unmatched()  # a passing test: only the unused check below fails it
            chat_emulator.reply_with_text("Sunny.", match={{"last_user": "weather", "model": "gpt-4o"}}, name="near")
            try:
                chat_emulator.client(max_retries=0).chat.completions.create(
                    model="gpt-4o-mini", messages=[{{"role": "user", "content": "weather?"}}])
            except Exception:
                pass
            assert "'near'" in chat_emulator.scenarios.last_miss

        @pytest.mark.chat_emulator_strict
        def test_strict_miss_names_the_nearest_scenario(chat_emulator):
            chat_emulator.client(max_retries=0).chat.completions.create(
                model="gpt-4o", messages=[{{"role": "user", "content": "hello"}}, {{"role": "user", "content": "hi"}}])
    """)
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, failed=3)
    result.stdout.fnmatch_lines([
        "*_ test_unused_scenarios _*",
        "chat-emulator: 2 scenarios added by this test never matched a request: "
        "'poem' (<inline>), 'weather' (scenarios/weather.yaml:3)",
        "*_ test_near_miss _*",
        "chat-emulator: 1 scenario added by this test never matched a request: 'near' (<inline>)",
        "*_ test_strict_miss_names_the_nearest_scenario _*",
        "*chat-emulator (strict mode): 1 request matched no scenario:",
        "*  Nearest scenarios:",
        "*  - 'greeting' (scenarios/default/greeting.yaml:3) failed last_user: expected text containing 'hello', got 'hi'",
        "*  - 'farewell' (scenarios/default/greeting.yaml:6) failed *",
    ])


def test_broken_scenario_files_fail_with_file_and_line(pytester: pytest.Pytester) -> None:
    ini(pytester)
    pytester.path.joinpath("broken.yaml").write_text("scenarios:\n  - name: x\n    reply: {contnet: hi}\n")
    pytester.makepyfile("""
        import pytest

        @pytest.mark.chat_scenarios("broken.yaml")
        def test_broken(chat_emulator):
            pass

        @pytest.mark.chat_scenarios("missing.yaml")
        def test_missing(chat_emulator):
            pass
    """)
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(errors=2)
    result.stdout.fnmatch_lines([
        "chat-emulator: the scenario files of @pytest.mark.chat_scenarios are broken:",
        "broken.yaml:3: *contnet*",
        "chat-emulator: the scenario files of @pytest.mark.chat_scenarios are broken:",
        "missing.yaml: no such file or folder",
    ])
    result = pytester.runpytest("-p", "no:cacheprovider", "--chat-emulator-scenarios", "broken.yaml")
    result.assert_outcomes(errors=2)
    result.stdout.fnmatch_lines(["chat-emulator: the scenario files of chat_emulator_scenarios are broken:",
                                 "broken.yaml:3: *contnet*"])


def test_strict_mode_failures_explain_the_miss(pytester: pytest.Pytester) -> None:
    ini(pytester)
    pytester.makepyfile(f"""
        import openai
        import pytest

        USER = {USER}

        @pytest.mark.chat_emulator_strict
        def test_unmatched_request_raises(chat_emulator):
            chat_emulator.client(max_retries=0).chat.completions.create(model="gpt-4o-mini", messages=USER)

        @pytest.mark.chat_emulator_strict
        def test_unmatched_request_swallowed_by_the_app(chat_emulator):
            try:
                chat_emulator.client(max_retries=0).chat.completions.create(model="gpt-4o-mini", messages=USER)
            except openai.NotFoundError:
                pass  # an app that falls back quietly still fails the test

        def test_strict_marker_applies_to_its_test_only(chat_emulator):
            chat_emulator.client().chat.completions.create(model="gpt-4o-mini", messages=USER)
            assert chat_emulator.last_request.matched == "builtin"
    """)
    result = pytester.runpytest("-p", "no:cacheprovider", "--strict-markers")
    result.assert_outcomes(passed=1, failed=2)
    result.stdout.fnmatch_lines([
        "*NotFoundError*No scenario matched this request (strict mode)*",
        "*chat-emulator (strict mode): 1 request matched no scenario:",
        "*POST /v1/chat/completions model='gpt-4o-mini' last message (user): 'Say hi'",
        "*test_unmatched_request_swallowed_by_the_app*",
        "chat-emulator (strict mode): 1 request matched no scenario:",
    ])


def test_command_line_options_override_ini(pytester: pytest.Pytester) -> None:
    scenario_project(pytester, "chat_emulator_strict = false\nchat_emulator_api_key = sk-ini\n"
                               "chat_emulator_ttft_ms = 100\n")
    pytester.path.joinpath("scenarios/cli.yaml").write_text(
        "scenarios:\n  - name: from-cli\n    match: {last_user: cli}\n    reply: {content: From the CLI.}\n")
    pytester.path.joinpath("models.yaml").write_text("models:\n  - id: acme-cli-1\n")
    pytester.makepyfile(f"""
        import openai
        import pytest

        def ask(chat_emulator, text, model="gpt-4o-mini"):
            return chat_emulator.client(max_retries=0).chat.completions.create(
                model=model, messages=[{{"role": "user", "content": text}}])

        def test_strict_scenarios_models_and_key_from_the_command_line(chat_emulator, chat_emulator_server):
            assert chat_emulator.api_key == "sk-cli"
            assert ask(chat_emulator, "cli please", model="acme-cli-1").choices[0].message.content == "From the CLI."
            with pytest.raises(openai.NotFoundError):
                ask(chat_emulator, "hello")  # the ini folder is replaced, and strict mode is on
            assert len(chat_emulator.unmatched_requests()) == 1
            chat_emulator.allow_unmatched()  # this test expects the miss
            pacing = chat_emulator_server.settings.pacing
            assert (pacing.ttft_ms, pacing.tokens_per_second) == (5, 2000)

        def test_assert_all_used_from_the_command_line(chat_emulator):
            chat_emulator.reply_with_text("unused", name="left-over")
    """)
    result = pytester.runpytest("-p", "no:cacheprovider", "--chat-emulator-strict", "--chat-emulator-api-key", "sk-cli",
                                "--chat-emulator-scenarios", "scenarios/cli.yaml", "--chat-emulator-models",
                                "models.yaml", "--chat-emulator-ttft-ms", "5", "--chat-emulator-tokens-per-second",
                                "2000", "--chat-emulator-assert-all-used")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["chat-emulator: 1 scenario added by this test never matched a request: "
                                 "'left-over' (<inline>)"])


def test_server_is_stopped_when_the_run_is_interrupted(pytester: pytest.Pytester,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    subprocess_sees_this_emulator(monkeypatch)
    address = pytester.path / "address"
    ini(pytester)
    pytester.makepyfile(f"""
        def test_interrupted(chat_emulator):
            open({str(address)!r}, "w").write(str(chat_emulator.port))
            raise KeyboardInterrupt
    """)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    assert result.ret == pytest.ExitCode.INTERRUPTED
    port = int(address.read_text())
    with pytest.raises(ConnectionRefusedError), socket.create_connection(("127.0.0.1", port), timeout=2):
        pass


def test_each_xdist_worker_runs_its_own_server(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    subprocess_sees_this_emulator(monkeypatch)
    ini(pytester)
    pytester.makepyfile(f"""
        import os
        import pytest

        @pytest.mark.parametrize("n", range(4))
        def test_request(chat_emulator, n):
            chat_emulator.client().chat.completions.create(model="gpt-4o-mini", messages={USER})
            assert len(chat_emulator.requests) == 1
            with open(os.environ["PYTEST_XDIST_WORKER"] + ".port", "a") as out:
                out.write(f"{{chat_emulator.port}}\\n")
    """)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-n", "2")
    result.assert_outcomes(passed=4)
    ports = {path.stem: set(path.read_text().split()) for path in pytester.path.glob("*.port")}
    assert len(ports) == 2 and all(len(p) == 1 for p in ports.values())
    assert ports["gw0"] != ports["gw1"]


def test_importing_the_plugin_stays_cheap(monkeypatch: pytest.MonkeyPatch) -> None:
    subprocess_sees_this_emulator(monkeypatch)
    # Every pytest run of anyone who installed the package imports the plugin.
    code = ("import sys, emulator.pytest_plugin; "
            "print(sorted(m for m in ('starlette', 'uvicorn', 'faker', 'openai', 'jsonschema') if m in sys.modules))")
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert output.strip() == "[]"


def test_the_documented_project_runs_as_written(pytester: pytest.Pytester) -> None:
    """docs/pytest-plugin.md: every code block that starts with `# <path>` is a file of one project."""
    docs = Path(__file__).resolve().parents[1] / "docs" / "pytest-plugin.md"
    blocks = re.findall(r"```(?:python|ini|yaml)\n# (\S+)\n(.*?)```", docs.read_text(), re.S)
    assert {"pytest.ini", "myapp.py", "tests/test_first.py"} <= {path for path, _ in blocks}
    for path, body in blocks:
        target = pytester.path / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(f"# {path}\n{body}")
    tests = sum(len(re.findall(r"^(?:async )?def test_", body, re.M)) for _, body in blocks)
    # In a subprocess: the docs' module names (myapp, tests.test_first) must not meet other projects' in sys.modules.
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--strict-markers")
    result.assert_outcomes(passed=tests)


def test_profile_option(pytester: pytest.Pytester) -> None:
    ini(pytester, "chat_emulator_profile = vllm\n")
    pytester.makepyfile(f"""
        USER = {USER}

        def test_vllm_fields_are_accepted(chat_emulator):
            reply = chat_emulator.client().chat.completions.create(
                model="gpt-4o-mini", messages=USER, extra_body={{"guided_choice": ["yes", "no"], "top_k": 5}})
            assert reply.choices[0].message.content in ("yes", "no")
    """)
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)
    openai_result = pytester.runpytest("-p", "no:cacheprovider", "--chat-emulator-profile", "openai")
    openai_result.assert_outcomes(failed=1)
    openai_result.stdout.fnmatch_lines(["*Unknown parameter*"])


CHUNKED_STREAM = f"""
    import math

    def test_stream_chunks(chat_emulator, chat_emulator_server):
        stream = chat_emulator.client().chat.completions.create(
            model="gpt-4o-mini", messages={USER}, stream=True, stream_options={{"include_usage": True}})
        chunks = list(stream)
        contents = [c.choices[0].delta.content for c in chunks if c.choices and c.choices[0].delta.content]
        tokens = chunks[-1].usage.completion_tokens
        per_chunk = chat_emulator_server.settings.pacing.chunk_tokens
        assert per_chunk == EXPECTED
        assert len(contents) == math.ceil(tokens / per_chunk)
"""


@pytest.mark.parametrize("args,expected", [((), 3), (("--chat-emulator-chunk-tokens", "2"), 2)])
def test_chunk_tokens_from_the_ini_or_the_command_line(pytester: pytest.Pytester, args, expected) -> None:
    ini(pytester, "chat_emulator_chunk_tokens = 3\n")
    pytester.makepyfile(CHUNKED_STREAM.replace("EXPECTED", str(expected)))
    pytester.runpytest("-p", "no:cacheprovider", *args).assert_outcomes(passed=1)


def test_a_bad_chunk_tokens_value_is_one_clear_usage_error(pytester: pytest.Pytester) -> None:
    ini(pytester)
    pytester.makepyfile(CHUNKED_STREAM.replace("EXPECTED", "1"))
    result = pytester.runpytest("-p", "no:cacheprovider", "--chat-emulator-chunk-tokens", "0")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*chat_emulator_chunk_tokens must be a whole number >= 1, got 0*"])


def test_without_options_the_server_runs_with_the_settings_defaults(pytester: pytest.Pytester) -> None:
    ini(pytester)
    pytester.makepyfile("""
        from emulator.config import Settings

        def test_defaults(chat_emulator_server):
            settings, defaults = chat_emulator_server.settings, Settings()
            assert settings.pacing == defaults.pacing
            assert (settings.strict, settings.profile, settings.api_keys) == (
                defaults.strict, defaults.profile, defaults.api_keys)
    """)
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)
