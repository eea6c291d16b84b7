"""`chat-emulator serve` as a user runs it: a free port, the printed URL, an access log line, Ctrl-C."""
from __future__ import annotations

import queue
import re
import signal
import subprocess
import sys
import threading
import time

import httpx


class Output:
    """A process's output read on a thread, so a test can wait for a line instead of sleeping."""

    def __init__(self, process: subprocess.Popen) -> None:
        self.lines: list[str] = []
        self._queue: queue.Queue[str | None] = queue.Queue()
        self._thread = threading.Thread(target=self._read, args=(process,), daemon=True)
        self._thread.start()

    def _read(self, process: subprocess.Popen) -> None:
        for line in process.stdout:
            self._queue.put(line)
        self._queue.put(None)

    def wait_for(self, pattern: str, timeout: float = 10.0) -> str:
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            try:
                line = self._queue.get(timeout=left)
            except queue.Empty:
                break
            if line is None:
                break
            self.lines.append(line)
            if re.search(pattern, line):
                return line
        raise AssertionError(f"no line matching {pattern!r} in:\n{''.join(self.lines)}")

    def rest(self) -> str:
        """Everything, once the process has ended."""
        self._thread.join(10)
        while (line := self._queue.get_nowait() if not self._queue.empty() else None) is not None:
            self.lines.append(line)
        return "".join(self.lines)


def start_serve(*args: str) -> tuple[subprocess.Popen, str]:
    process = subprocess.Popen([sys.executable, "-m", "emulator", "serve", "--port", "0", *args],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    line = process.stdout.readline()
    match = re.search(r"OpenAI base URL: (http://127\.0\.0\.1:\d+/v1)", line)
    assert match, line
    return process, match.group(1)


def test_serve_prints_the_url_logs_requests_and_stops_cleanly_on_ctrl_c():
    process, base_url = start_serve()
    output = Output(process)
    try:
        response = httpx.post(base_url + "/chat/completions", headers={"Authorization": "Bearer sk-cli"},
                              json={"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]})
        assert response.status_code == 200
        preflight = httpx.options(base_url + "/chat/completions", headers={
            "Origin": "http://localhost:3000", "Access-Control-Request-Method": "POST"})
        assert preflight.status_code == 200 and preflight.headers["access-control-allow-origin"]
        output.wait_for(r'POST /v1/chat/completions .*200')  # the access log line, before the signal
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=10)
    assert process.returncode == 0
    assert "Traceback" not in output.rest()


def test_cors_origin_is_configurable():
    process, base_url = start_serve("--cors-origin", "http://localhost:5173")
    try:
        allowed = httpx.options(base_url + "/chat/completions", headers={
            "Origin": "http://localhost:5173", "Access-Control-Request-Method": "POST"})
        other = httpx.options(base_url + "/chat/completions", headers={
            "Origin": "http://evil.example", "Access-Control-Request-Method": "POST"})
    finally:
        process.send_signal(signal.SIGINT)
        process.communicate(timeout=10)
    assert allowed.headers["access-control-allow-origin"] == "http://localhost:5173"
    assert other.status_code == 400


def test_the_admin_api_opens_only_to_the_origins_and_hosts_given():
    process, base_url = start_serve("--admin-cors-origin", "http://localhost:5173", "--allowed-host", "emulator.test")
    admin = base_url[:-3] + "/_emulator/health"
    try:
        allowed = httpx.get(admin, headers={"Origin": "http://localhost:5173", "Host": "emulator.test"})
        other_origin = httpx.get(admin, headers={"Origin": "http://evil.example"})
        other_host = httpx.get(admin, headers={"Host": "evil.example"})
    finally:
        process.send_signal(signal.SIGINT)
        process.communicate(timeout=10)
    assert allowed.status_code == 200 and allowed.headers["access-control-allow-origin"] == "http://localhost:5173"
    assert (other_origin.status_code, other_host.status_code) == (403, 403)


def test_python_dash_m_works_like_the_console_script():
    result = subprocess.run([sys.executable, "-m", "emulator", "--version"], capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout.startswith("chat-emulator ")
