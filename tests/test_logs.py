"""Logs: one access-log line per request naming what answered, and `--log-format json`."""
from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import httpx
import openai

import emulator
from emulator.logs import JsonFormatter
from waiting import eventually

ROOT = Path(__file__).resolve().parent.parent


def test_access_log_names_the_matched_scenario(caplog, make_emulator):
    caplog.set_level(logging.INFO, logger="emulator.access")
    emu = make_emulator(access_log=True)
    emu.add_scenario({"name": "hello", "match": {"last_user": "hi"}, "reply": {"content": "Hello!"}})
    client = openai.OpenAI(base_url=emu.base_url, api_key="sk-log", max_retries=0)
    client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "hi"}])
    client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "other"}])
    httpx.get(emu.url + "/_emulator/health")
    # The server logs a request just after its last byte is sent: wait for the third line.
    eventually(lambda: len([r for r in caplog.records if r.name == "emulator.access"]) >= 3)
    records = [r for r in caplog.records if r.name == "emulator.access"]
    assert [(r.method, r.path, r.status, r.matched) for r in records] == [
        ("POST", "/v1/chat/completions", 200, "hello"),
        ("POST", "/v1/chat/completions", 200, "builtin"),
        ("GET", "/_emulator/health", 200, None)]
    assert "matched=hello" in records[0].getMessage() and "model=gpt-4o-mini" in records[0].getMessage()
    assert records[0].request_id.startswith("req_")
    line = json.loads(JsonFormatter().format(records[0]))
    assert line["matched"] == "hello" and line["status"] == 200 and line["level"] == "info"
    assert line["logger"] == "emulator.access" and line["duration_ms"] >= 0


def test_serve_with_json_logs_and_the_admin_token_from_the_environment():
    home = Path(emulator.__file__).resolve().parents[1]  # the package under test (the compiled install, say)
    env = {**os.environ, "PYTHONPATH": str(home), "CHAT_EMULATOR_ADMIN_TOKEN": "from-env"}
    process = subprocess.Popen(
        [sys.executable, "-m", "emulator", "serve", "--port", "0", "--log-format", "json"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT)
    try:
        banner = process.stdout.readline()
        url = banner.split(" listening on ")[1].split()[0]
        assert process.stdout.readline().strip() == f"inspector: {url}/_emulator/"
        assert httpx.get(url + "/_emulator/health").status_code == 401
        assert httpx.get(url + "/_emulator/health", headers={"authorization": "Bearer from-env"}).status_code == 200
        httpx.post(url + "/v1/chat/completions", headers={"authorization": "Bearer sk-x"},
                   json={"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]})
    finally:
        process.terminate()
        _, stderr = process.communicate(timeout=10)
    lines = [json.loads(line) for line in stderr.splitlines() if line.strip()]  # every line is JSON
    access = [line for line in lines if line["logger"] == "emulator.access"]
    assert [(a["path"], a["status"]) for a in access] == [
        ("/_emulator/health", 401), ("/_emulator/health", 200), ("/v1/chat/completions", 200)]
    assert access[-1]["matched"] == "builtin" and access[-1]["model"] == "gpt-4o-mini"
    assert any(line["logger"].startswith("uvicorn") for line in lines)  # the server's own lines too



def test_the_access_log_escapes_what_could_forge_a_line(caplog, make_emulator):
    caplog.set_level(logging.INFO, logger="emulator.access")
    emu = make_emulator(access_log=True)
    forged = "\nINFO: 10.0.0.1 - \"GET /admin HTTP/1.1\" 200"
    httpx.get(emu.base_url + "/models/x%0AINFO:%20forged", headers={"authorization": "Bearer sk-x"})
    httpx.post(emu.base_url + "/chat/completions", headers={"authorization": "Bearer sk-x"},
               json={"model": "gpt-4o-mini" + forged, "messages": [{"role": "user", "content": "hi"}]})
    eventually(lambda: len([r for r in caplog.records if r.name == "emulator.access"]) >= 2)
    lines = [r.getMessage() for r in caplog.records if r.name == "emulator.access"]
    assert all("\n" not in line and "\r" not in line for line in lines)
    assert "/v1/models/x\\nINFO: forged" in lines[0]
    assert 'model=gpt-4o-mini\\nINFO: 10.0.0.1 - \\"GET /admin HTTP/1.1\\" 200' in lines[1]
