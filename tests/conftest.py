"""Shared fixtures: one emulator server for the session, official clients pointed at it."""
from __future__ import annotations

import sys
from pathlib import Path

import json

import httpx
import openai
import pytest

from emulator import Emulator
from emulator.contract.json_schemas import schema_errors

# The tests' helper modules (schema checks, the checker's reference server) import by name.
sys.path.insert(0, str(Path(__file__).parent))

API_KEY = "sk-test-key"


@pytest.fixture(scope="session")
def server():
    with Emulator() as emu:
        yield emu


@pytest.fixture
def emu(server):
    server.reset()
    yield server
    assert_responses_follow_the_contract(server)


@pytest.fixture(scope="session")
def _special_servers():
    """The servers `make_emulator` started, one per distinct set of settings, closed when the session ends."""
    started: dict[str, Emulator] = {}
    yield started
    for server in started.values():
        server.close()


@pytest.fixture
def make_emulator(_special_servers):
    """`make_emulator(**settings)`: a running `Emulator` with these settings, reset for this test (shared with
    other tests asking for the same settings, as `server` is); at teardown every response it sent is checked
    against the contract, as `emu`'s are."""
    used: list[Emulator] = []

    def make(**settings) -> Emulator:
        key = repr(sorted(settings.items()))
        server = _special_servers.get(key)
        if server is None:
            server = _special_servers[key] = Emulator(**settings).start()
        server.reset()
        used.append(server)
        return server

    yield make
    for server in used:
        assert_responses_follow_the_contract(server)


def assert_responses_follow_the_contract(server: Emulator) -> None:
    """Every chat response the server sent during the test validates against the contract's schemas:
    completions, each stream chunk, and error envelopes (scripted faults and vLLM's envelope aside)."""
    for entry in server.requests:
        if entry.path != "/v1/chat/completions" or entry.headers.get("x-emulator-profile"):
            continue
        if entry.status >= 400:
            if server.settings.profile == "vllm":
                continue  # vLLM's own error envelope, on purpose (docs/profiles.md)
            problems = schema_errors("error", entry.response)
        elif entry.matched != "builtin":
            continue  # scenarios may script faults (malformed chunks, cut streams) on purpose
        elif entry.stream:
            chunks = [json.loads(e[6:]) for e in entry.events or () if e.startswith(b"data: {")]
            problems = [p for chunk in chunks for p in schema_errors("chat_completion_chunk", chunk)]
        else:
            problems = schema_errors("chat_completion", entry.response)
        assert not problems, f"response to request {entry.id} breaks the contract: {problems[:3]}"


@pytest.fixture
def client(emu) -> openai.OpenAI:
    return openai.OpenAI(base_url=emu.base_url, api_key=API_KEY, max_retries=0)


@pytest.fixture
async def async_client(emu):
    async with openai.AsyncOpenAI(base_url=emu.base_url, api_key=API_KEY, max_retries=0) as client:
        yield client


@pytest.fixture
def http(emu):
    with httpx.Client(base_url=emu.base_url, headers={"Authorization": f"Bearer {API_KEY}"}) as c:
        yield c
