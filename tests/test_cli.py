"""`chat-emulator serve` as a user runs it: a free port, the printed URL, an access log line, Ctrl-C."""
from __future__ import annotations

import re
import signal
import subprocess
import sys
import time

import httpx


def start_serve(*args: str) -> tuple[subprocess.Popen, str]:
    process = subprocess.Popen([sys.executable, "-m", "emulator", "serve", "--port", "0", *args],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    line = process.stdout.readline()
    match = re.search(r"OpenAI base URL: (http://127\.0\.0\.1:\d+/v1)", line)
    assert match, line
    return process, match.group(1)


def test_serve_prints_the_url_logs_requests_and_stops_cleanly_on_ctrl_c():
    process, base_url = start_serve()
    try:
        response = httpx.post(base_url + "/chat/completions", headers={"Authorization": "Bearer sk-cli"},
                              json={"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]})
        assert response.status_code == 200
        preflight = httpx.options(base_url + "/chat/completions", headers={
            "Origin": "http://localhost:3000", "Access-Control-Request-Method": "POST"})
        assert preflight.status_code == 200 and preflight.headers["access-control-allow-origin"]
    finally:
        time.sleep(0.2)  # let the access log line out before the signal
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=10)
    assert process.returncode == 0
    assert re.search(r'POST /v1/chat/completions .*200', output), output
    assert "Traceback" not in output


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


def test_python_dash_m_works_like_the_console_script():
    result = subprocess.run([sys.executable, "-m", "emulator", "--version"], capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout.startswith("chat-emulator ")
