"""`Emulator` without pytest's fixtures: `with Emulator() as emu:` in any code, one meaning per method."""
from __future__ import annotations

import os
import socket
import sys

import httpx
import openai
import pytest

from emulator import ChatEmulator, Emulator

USER = [{"role": "user", "content": "Say hi"}]


def test_with_block_runs_its_own_server_and_journal() -> None:
    with Emulator(strict=False, api_keys=("sk-own",)) as emu:
        client = emu.client(max_retries=0)
        client.chat.completions.create(model="gpt-4o-mini", messages=USER)
        client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "again"}])
        assert emu.api_key == "sk-own"
        assert [entry.model for entry in emu.requests] == ["gpt-4o-mini", "gpt-4o"]
        assert emu.last_request.headers["authorization"] == "Bearer sk-own"
        assert emu.messages_sent(0) == USER
        assert [e.model for e in emu.requests_to("/chat/completions", model="gpt-4o")] == ["gpt-4o"]
        emu.reset()
        assert emu.requests == []
        with pytest.raises(AssertionError, match="no request has reached the emulator"):
            emu.last_request
        port = emu.port
    with pytest.raises(ConnectionRefusedError), socket.create_connection(("127.0.0.1", port), timeout=2):
        pass


def test_use_env_sets_and_restores_the_sdk_variables(server, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-outside")
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    server.reset()
    with server.use_env() as emu:
        openai.OpenAI(max_retries=0).chat.completions.create(model="gpt-4o-mini", messages=USER)
        assert emu.last_request.headers["authorization"] == f"Bearer {emu.api_key}"
    assert os.environ["OPENAI_API_KEY"] == "sk-outside"
    assert "OPENAI_BASE_URL" not in os.environ


def test_clients_need_the_openai_package(server, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "openai", None)  # as if not installed
    with pytest.raises(RuntimeError, match=r"pip install 'chat-emulator\[client\]'"):
        server.client()


def test_scenarios_added_at_run_time_go_on_reset_files_given_at_start_stay(tmp_path) -> None:
    (tmp_path / "start.yaml").write_text("scenarios:\n  - name: at-start\n    match: {last_user: start}\n"
                                         "    reply: {content: From the start file.}\n")
    (tmp_path / "s.yaml").write_text("scenarios:\n  - name: from-file\n    match: {last_user: file}\n"
                                     "    reply: {content: From a file.}\n")
    with Emulator(scenario_paths=(tmp_path / "start.yaml",)) as emu:
        assert emu.load_scenarios(tmp_path / "s.yaml") == ["from-file"]
        name = emu.reply_with_text("Scripted.", match="hello")
        client = emu.client(max_retries=0)
        answer = client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "hello"}])
        assert answer.choices[0].message.content == "Scripted."
        assert emu.last_request.matched == name
        with pytest.raises(AssertionError, match=r"1 scenario added by this test never matched a request: "
                                                 r"'from-file' \(.*s\.yaml:2\)"):
            emu.assert_all_scenarios_used()
        emu.reset()  # run-time scenarios go (from Python and over HTTP alike); the start file stays
        assert [s["name"] for s in emu.list_scenarios()["data"]] == ["at-start"]
        client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "file"}])
        assert emu.last_request.matched == "builtin"
        client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "start"}])
        assert emu.last_request.matched == "at-start"
        emu.assert_all_scenarios_used()  # files given at start are not the test's


def test_python_and_the_admin_api_are_the_same_operations(server) -> None:
    server.reset()
    with httpx.Client(base_url=server.url + "/_emulator") as admin:
        added = admin.post("/scenarios", json={"name": "over-http", "reply": {"content": "x"}}).json()["added"]
        assert added == ["over-http"] and server.add_scenario({"name": "from-python", "reply": {"content": "y"}}) \
            == ["from-python"]
        listed = admin.get("/scenarios").json()
        assert listed == server.list_scenarios()
        assert {s["name"]: s["source"] for s in listed["data"]} == {"over-http": "<admin API>",
                                                                   "from-python": "<inline>"}
        fail = server.fail_next(2)
        assert [s["fail_next"] for s in server.list_scenarios()["data"] if s["name"] == fail] == [True]
        assert admin.delete("/faults").json() == {"removed": [fail]}
        admin.post("/reset", json={}).raise_for_status()
    assert server.list_scenarios()["data"] == []


def test_strict_misses_are_data_on_the_journal_and_the_admin_api(tmp_path) -> None:
    with Emulator(strict=True) as emu:
        emu.reply_with_text("Sunny.", match={"last_user": "weather", "model": "gpt-4o"}, name="near")
        with pytest.raises(openai.NotFoundError) as caught:
            emu.client(max_retries=0).chat.completions.create(
                model="gpt-4o", messages=[{"role": "user", "content": "rain?"}])
        entry = emu.last_request
        assert emu.unmatched_requests() == [entry]
        miss = entry.near_misses[0]
        assert (miss.scenario, [(f.key, f.expected, f.actual) for f in miss.failed]) == (
            "near", [("last_user", "text containing 'weather'", "'rain?'")])
        assert caught.value.body["message"] == (
            "No scenario matched this request (strict mode). Nearest scenarios: " + str(miss) + ".")
        served = httpx.get(emu.url + "/_emulator/near-misses").json()["data"]
        assert served == [{"request_id": entry.id, "method": "POST", "path": "/v1/chat/completions",
                           "model": "gpt-4o", "near_misses": [{
                               "scenario": "near", "where": "<inline>", "passed_over": None,
                               "failed": [{"condition": "last_user", "expected": "text containing 'weather'",
                                           "actual": "'rain?'"}]}]}]
        detail = httpx.get(f"{emu.url}/_emulator/requests/{entry.id}").json()
        assert detail["near_misses"] == served[0]["near_misses"]
        assert "      - 'near' (<inline>) failed last_user" in emu.unmatched_report()


def test_chat_emulator_is_a_deprecated_alias(server) -> None:
    with pytest.warns(DeprecationWarning, match="ChatEmulator is deprecated"):
        owned = ChatEmulator(api_keys=("sk-own",))
    assert isinstance(owned, Emulator) and owned.api_key == "sk-own"
    owned.close()
    with pytest.warns(DeprecationWarning), ChatEmulator(server) as view:  # a view: `with` leaves the server up
        assert view.base_url == server.base_url
        view.client()
    with socket.create_connection(("127.0.0.1", server.port), timeout=2):
        pass


def test_a_strict_miss_with_no_scenarios_loaded_says_so(make_emulator) -> None:
    emu = make_emulator(strict=True)
    emu.allow_unmatched()
    with pytest.raises(openai.NotFoundError, match="No scenarios are loaded"):
        emu.client(max_retries=0).chat.completions.create(model="gpt-4o", messages=USER)
    assert emu.near_misses()[0]["near_misses"] == []
    assert emu.unmatched_report().splitlines()[-1] == \
        "    No scenario matched this request (strict mode). No scenarios are loaded."


def test_the_old_view_attributes_are_the_emulator_itself(server) -> None:
    with pytest.warns(DeprecationWarning, match="Emulator.admin is deprecated"):
        assert server.admin is server
    with pytest.warns(DeprecationWarning, match="chat_emulator.emulator is deprecated"):
        assert server.emulator is server
