"""`chat-emulator serve` refuses what it cannot use with one clear line and exit status 2, never a traceback."""
from __future__ import annotations

import socket
import subprocess
import sys

import pytest


def serve(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "emulator", "serve", "--no-access-log", *args],
                          capture_output=True, text=True, timeout=30)


def test_a_port_in_use_is_one_line_and_exit_2():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = serve("--port", str(port))
    assert result.returncode == 2
    assert result.stderr.strip() == f"chat-emulator: cannot listen on 127.0.0.1:{port}: Address already in use"
    assert "Traceback" not in result.stdout + result.stderr


@pytest.mark.parametrize(("name", "text", "reason"), [
    ("models.json", "{bad", "not valid JSON"),
    ("models.yaml", "models:\n  - id: [x\n", "not valid YAML"),
    ("models.json", '[{"id": 3}]', 'expected a list of model entries'),
    ("models.json", '[{"id": "m", "context_window": "lots"}]', "invalid literal for int()"),
    ("models.json", '[{"id": "m", "capabilities": ["telepathy"]}]', "unknown capabilities"),
])
def test_a_broken_models_file_is_one_line_and_exit_2(tmp_path, name, text, reason):
    path = tmp_path / name
    path.write_text(text)
    result = serve("--port", "0", "--models", str(path))
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"chat-emulator: not starting, a --models file is unusable: {path}: ")
    assert reason in lines[0]


def test_a_missing_models_file_is_one_line_and_exit_2(tmp_path):
    result = serve("--port", "0", "--models", str(tmp_path / "nowhere.json"))
    assert result.returncode == 2
    assert result.stderr.strip().endswith("nowhere.json: No such file or directory")


@pytest.mark.parametrize(("args", "line"), [
    (("--ttft-ms", "inf"), "chat-emulator serve: --ttft-ms takes milliseconds from 0 to 600000"),
    (("--tokens-per-second", "nan"), "chat-emulator serve: --tokens-per-second takes a number >= 0 (0: unpaced)"),
])
def test_pacing_that_would_hold_streams_open_is_one_line_and_exit_2(args, line):
    result = serve("--port", "0", *args)
    assert result.returncode == 2 and result.stderr.strip() == line
