"""Shared fixtures: one emulator server for the session, official clients pointed at it."""
from __future__ import annotations

import array
import base64
import json
import math
import os
import sys
from pathlib import Path

import httpx
import openai
import pytest

from emulator import Emulator
from emulator.contract.json_schemas import schema_errors

# The tests' helper modules (schema checks, the checker's reference server) import by name.
sys.path.insert(0, str(Path(__file__).parent))

API_KEY = "sk-test-key"


def pytest_configure(config: pytest.Config) -> None:
    """`make test-compiled` sets CHAT_EMULATOR_EXPECT_COMPILED=1: the run stops at once unless the emulator
    under test is the compiled install (not the checkout's sources, not a pure Python build)."""
    if os.environ.get("CHAT_EMULATOR_EXPECT_COMPILED") != "1":
        return
    import emulator
    from emulator._version import build

    checkout = Path(__file__).resolve().parent.parent / "emulator"
    home = Path(emulator.__file__).resolve().parent
    if home == checkout or build() != "compiled with mypyc":
        raise pytest.UsageError(f"CHAT_EMULATOR_EXPECT_COMPILED=1, but the emulator imported from {home} is "
                                f"{'the checkout' if home == checkout else 'an install'} ({build()}): "
                                "run `make test-compiled`")


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
    """Every chat, Responses and embeddings answer the server sent during the test validates against the
    contract's schemas: completions, responses, each stream chunk or event, stored-response bodies, embedding
    lists, and error envelopes (scripted chat faults and vLLM's envelope aside)."""
    for entry in server.requests:
        if entry.headers.get("x-emulator-profile"):
            continue
        if entry.path == "/v1/chat/completions":
            problems = _chat_problems(entry, server)
        elif entry.path.startswith("/v1/responses"):
            problems = _responses_problems(entry, server)
        elif entry.path == "/v1/embeddings" and entry.method == "POST":
            problems = _embedding_problems(entry, server)
        else:
            continue
        assert not problems, f"response to request {entry.id} breaks the contract: {problems[:3]}"


def _error_problems(entry, server: Emulator) -> list[str]:
    if server.settings.profile == "vllm":
        return []  # vLLM's own error envelope, on purpose (docs/profiles.md)
    return schema_errors("error", entry.response)


def _chat_problems(entry, server: Emulator) -> list[str]:
    if entry.status >= 400:
        return _error_problems(entry, server)
    if entry.matched != "builtin":
        return []  # scenarios may script faults (malformed chunks, cut streams) on purpose
    if entry.stream:
        chunks = [json.loads(e[6:]) for e in entry.events or () if e.startswith(b"data: {")]
        return [p for chunk in chunks for p in schema_errors("chat_completion_chunk", chunk)]
    return schema_errors("chat_completion", entry.response)


# The schema each stored-response operation answers with, by method and last path segment.
_STORED_RESPONSE_SCHEMAS = {("GET", "input_items"): "response_item_list", ("POST", "cancel"): "response",
                            ("DELETE", None): "response_deleted", ("GET", None): "response"}


def _responses_problems(entry, server: Emulator) -> list[str]:
    """Responses API answers: every event of a stream too (a scripted mid-stream error is still framed,
    numbered and shaped as the live API's)."""
    if entry.status >= 400:
        return _error_problems(entry, server)
    if entry.method == "POST" and entry.path == "/v1/responses":
        if not entry.stream:
            return schema_errors("response", entry.response)
        return _event_problems(entry.events or [])
    if entry.response is None:
        return []  # a re-streamed background response (its events are not journaled)
    tail = entry.path.rsplit("/", 1)[-1]
    schema = _STORED_RESPONSE_SCHEMAS[(entry.method, tail if tail in ("input_items", "cancel") else None)]
    return schema_errors(schema, entry.response)


def _event_problems(events: list[bytes]) -> list[str]:
    """Each event validates, is framed `event: <type>` + `data:`, and numbers follow 0, 1, 2, ..."""
    problems = []
    for number, raw in enumerate(e for e in events if e.startswith(b"event: ")):
        name, _, data = raw.decode("utf-8").partition("\ndata: ")
        event = json.loads(data)
        problems += schema_errors("response_stream_event", event)
        if name != "event: " + event["type"] or event["sequence_number"] != number:
            problems.append(f"event {number} is framed {name!r} with sequence_number {event['sequence_number']}")
    return problems


def _embedding_problems(entry, server: Emulator) -> list[str]:
    """The schema, plus what the live API always holds to: one vector per input in order, all of the
    asked length and unit length, `total_tokens == prompt_tokens`."""
    if entry.status >= 400:
        return _error_problems(entry, server)
    body = entry.response
    problems = schema_errors("embedding_list", body)
    if problems:
        return problems
    sent = entry.body["input"]
    count = 1 if isinstance(sent, str) or isinstance(sent[0], int) else len(sent)
    vectors = [_floats(item["embedding"]) for item in body["data"]]
    if [item["index"] for item in body["data"]] != list(range(count)):
        problems.append(f"{count} inputs, answered with indexes {[item['index'] for item in body['data']]}")
    lengths = {len(v) for v in vectors}
    if len(lengths) != 1 or (entry.body.get("dimensions") and lengths != {entry.body["dimensions"]}):
        problems.append(f"vector lengths {sorted(lengths)} for dimensions={entry.body.get('dimensions')}")
    problems += [f"data[{i}] has norm {n}" for i, v in enumerate(vectors) if abs(n := math.sqrt(sum(x * x for x in v)) - 1) > 1e-6]
    if body["usage"]["total_tokens"] != body["usage"]["prompt_tokens"]:
        problems.append(f"usage {body['usage']}: total_tokens differs from prompt_tokens")
    return problems


def _floats(embedding) -> list[float]:
    """A vector as sent: JSON numbers, or base64 of little-endian float32 (as the official SDK decodes it)."""
    if isinstance(embedding, list):
        return embedding
    values = array.array("f", base64.b64decode(embedding))
    if sys.byteorder == "big":
        values.byteswap()
    return values.tolist()


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
