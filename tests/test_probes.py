"""`/health`, `/ready` and SIGTERM draining, over real sockets, as an orchestrator meets them."""
from __future__ import annotations

import json
import signal
import socket
import time
from pathlib import Path
from typing import Callable, Iterator

import httpx
import openai
import pytest

from emulator import Emulator
from emulator.config import Settings

from serve_process import ServeProcess

# Thirty words at 40 tokens a second: a stream that takes about a second, long enough to stop the
# server in the middle of it.
STORY = " ".join(f"word{i}" for i in range(30))
SCENARIO = {"scenarios": [{"name": "story", "match": {"last_user": {"contains": "story"}},
                           "reply": {"content": STORY}}]}


@pytest.fixture
def public_settings_on_loopback() -> Iterator[Emulator]:
    """A server with the settings of a `--host 0.0.0.0` bind and no admin token, listening on
    127.0.0.1 only (tests never listen on other addresses)."""
    emu = Emulator(Settings(host="0.0.0.0", port=0, access_log=False, admin_token=None))
    emu._socket = socket.create_server(("127.0.0.1", 0))  # what `bind()` would open, on loopback
    with emu:
        yield emu


def local_url(emu: Emulator) -> str:
    return f"http://127.0.0.1:{emu.port}"


def test_probes_answer_without_a_token_where_the_admin_api_is_off(public_settings_on_loopback: Emulator) -> None:
    url = local_url(public_settings_on_loopback)
    assert httpx.get(url + "/_emulator/requests").status_code == 404  # the admin API is off here
    health, ready = httpx.get(url + "/health"), httpx.get(url + "/ready")
    assert (health.status_code, health.json()) == (200, {"status": "ok"})
    assert (ready.status_code, ready.json()) == (200, {"status": "ready"})
    assert health.headers["cache-control"] == "no-store"
    head = httpx.head(url + "/ready")
    assert head.status_code == 200 and head.content == b""


def test_probes_stay_out_of_the_journal_and_the_rate_limits(make_emulator: Callable[..., Emulator]) -> None:
    emu = make_emulator(requests_per_minute=1, enforce_rate_limits=True)
    for _ in range(3):
        assert httpx.get(emu.url + "/health").status_code == 200
        assert httpx.get(emu.url + "/ready").status_code == 200
    # The one request a minute allows is still there for the client.
    emu.client().chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "hi"}])
    assert [entry.path for entry in emu.requests] == ["/v1/chat/completions"]
    listed = httpx.get(emu.url + "/_emulator/requests").json()
    assert [entry["path"] for entry in listed["data"]] == ["/v1/chat/completions"]


def test_ready_says_why_not_when_the_store_is_closed(tmp_path: Path) -> None:
    with Emulator(store_path=tmp_path / "store.sqlite") as emu:
        assert httpx.get(emu.url + "/ready").status_code == 200
        emu.state.store.close()  # the store failing under a running server
        ready = httpx.get(emu.url + "/ready")
        health = httpx.get(emu.url + "/health")
    assert ready.status_code == 503
    assert ready.json()["status"] == "not ready" and "store" in ready.json()["reason"]
    assert health.status_code == 200  # alive all the same: a restart would not help


def test_a_server_stopped_and_started_again_is_ready_again() -> None:
    with Emulator() as emu:
        emu.stop()
        emu.start()
        assert httpx.get(emu.url + "/ready").json() == {"status": "ready"}


def refused(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except ConnectionRefusedError:
        return True
    return False


def wait_until_refused(port: int, within: float = 10.0) -> None:
    deadline = time.monotonic() + within
    while not refused(port):
        assert time.monotonic() < deadline, "the server still accepts connections after SIGTERM"
        time.sleep(0.02)


def test_sigterm_refuses_new_connections_lets_the_stream_finish_closes_the_store_and_exits_0(tmp_path: Path) -> None:
    scenarios = tmp_path / "story.json"
    scenarios.write_text(json.dumps(SCENARIO))
    store = tmp_path / "store.sqlite"
    server = ServeProcess([
        "serve", "--port", "0", "--scenarios", str(scenarios), "--store", str(store),
        "--tokens-per-second", "40", "--graceful-timeout", "20"])
    try:
        for path in ("/health", "/ready"):
            assert httpx.get(server.url + path).status_code == 200
        client = openai.OpenAI(base_url=server.base_url, api_key="sk-drain", max_retries=0)
        stream = client.chat.completions.create(
            model="gpt-4o-mini", messages=[{"role": "user", "content": "tell me a story"}],
            stream=True, store=True)
        chunks = iter(stream)
        first = next(chunks)
        server.process.send_signal(signal.SIGTERM)
        wait_until_refused(server.port)
        rest = list(chunks)
    finally:
        output = server.stop()
    text = "".join(chunk.choices[0].delta.content or "" for chunk in [first, *rest] if chunk.choices)
    assert text == STORY
    assert [c.choices[0].finish_reason for c in rest if c.choices and c.choices[0].finish_reason] == ["stop"]
    assert server.returncode == 0, output
    assert "Traceback" not in output
    # The probes are not in the access log; the chat request is.
    assert "POST /v1/chat/completions" in output and "/health" not in output and "/ready" not in output
    # Closed cleanly: the write-ahead log was checkpointed into the file and removed, and the
    # streamed completion is in it.
    assert not Path(str(store) + "-wal").exists()
    with Emulator(store_path=store) as emu:
        stored = openai.OpenAI(base_url=emu.base_url, api_key="sk-drain").chat.completions.retrieve(first.id)
    assert stored.choices[0].message.content == STORY


def test_log_probes_puts_them_in_the_access_log() -> None:
    server = ServeProcess(["serve", "--port", "0", "--log-probes"])
    try:
        assert httpx.get(server.url + "/health").status_code == 200
    finally:
        output = server.stop()
    assert "GET /health" in output and server.returncode == 0
