"""`ChatEmulator` without pytest's fixtures: `with ChatEmulator() as chat:` in any code."""
from __future__ import annotations

import os
import socket
import sys

import openai
import pytest

from emulator.testing import ChatEmulator

USER = [{"role": "user", "content": "Say hi"}]


def test_with_block_runs_its_own_server_and_journal() -> None:
    with ChatEmulator(strict=False, api_keys=("sk-own",)) as chat:
        client = chat.client(max_retries=0)
        client.chat.completions.create(model="gpt-4o-mini", messages=USER)
        client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "again"}])
        assert chat.api_key == "sk-own"
        assert [entry.model for entry in chat.requests] == ["gpt-4o-mini", "gpt-4o"]
        assert chat.last_request.headers["authorization"] == "Bearer sk-own"
        assert chat.messages_sent(0) == USER
        chat.reset()
        assert chat.requests == []
        with pytest.raises(AssertionError, match="no request has reached the emulator"):
            chat.last_request
        port = chat.emulator.port
    with pytest.raises(ConnectionRefusedError), socket.create_connection(("127.0.0.1", port), timeout=2):
        pass


def test_use_env_sets_and_restores_the_sdk_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-outside")
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    with ChatEmulator() as chat, chat.use_env():
        openai.OpenAI(max_retries=0).chat.completions.create(model="gpt-4o-mini", messages=USER)
        assert chat.last_request.headers["authorization"] == f"Bearer {chat.api_key}"
    assert os.environ["OPENAI_API_KEY"] == "sk-outside"
    assert "OPENAI_BASE_URL" not in os.environ


def test_wrapping_a_running_emulator_does_not_stop_it(server) -> None:
    with ChatEmulator(server) as chat:
        assert chat.base_url == server.base_url
    with socket.create_connection(("127.0.0.1", server.port), timeout=2):
        pass


def test_clients_need_the_openai_package(server, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "openai", None)  # as if not installed
    with pytest.raises(RuntimeError, match=r"pip install 'chat-emulator\[client\]'"):
        ChatEmulator(server).client()


def test_scripting_and_scenario_use_without_pytest_fixtures(server, tmp_path) -> None:
    (tmp_path / "s.yaml").write_text("scenarios:\n  - name: from-file\n    match: {last_user: file}\n"
                                     "    reply: {content: From a file.}\n")
    chat = ChatEmulator(server)
    chat.reset()
    assert chat.load_scenarios(tmp_path / "s.yaml") == ["from-file"]
    name = chat.reply_with_text("Scripted.", match="hello")
    client = chat.client(max_retries=0)
    answer = client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "hello"}])
    assert answer.choices[0].message.content == "Scripted."
    assert chat.last_request.matched == name
    with pytest.raises(AssertionError, match=r"1 scenario added by this test never matched a request: "
                                             r"'from-file' \(.*s\.yaml:2\)"):
        chat.assert_all_scenarios_used()
    chat.reset()  # the test's scenarios go: the built-in model answers again
    client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "file"}])
    assert chat.last_request.matched == "builtin"
    chat.assert_all_scenarios_used()
    chat.close()
