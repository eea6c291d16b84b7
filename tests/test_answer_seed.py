"""The built-in model's draws (`emulator/model/draws.py`): the same request gets the same answer in every
process, whatever its hash seed, and the draws still spread answers as sampling would.

Two `chat-emulator serve` processes with different `PYTHONHASHSEED`s and this test process (its own hash
seed) answer the same requests of every kind that draws: the closing sentence, `n` choices, a tool
call's id and arguments, logprobs, a `json_schema` document, a scripted tool call and vLLM's
`guided_choice`. A salted `hash()`, a `Random()` seeded from the OS or process state anywhere in an
answer makes them differ. Each request goes to each server twice: the second answer is made anew (the
reply memo keeps a reply from its second sighting on), so a process that drew differently each time
fails too.
"""
from __future__ import annotations

import json
import re
from typing import Any, Iterator

import httpx
import pytest

from serve_process import ServeProcess

PARAMS = {"type": "object", "properties": {"city": {"type": "string"}, "days": {"type": "integer", "minimum": 1}},
          "required": ["city", "days"], "additionalProperties": False}
TOOL = {"type": "function", "function": {"name": "forecast", "parameters": PARAMS}}
SCENARIO = {"scenarios": [{"name": "scripted call", "match": {"last_user": {"contains": "scripted"}},
                           "reply": {"tool_calls": [{"name": "forecast"}]}}]}
PERSON = {"name": "person", "strict": True, "schema": {
    "type": "object", "additionalProperties": False, "required": ["name", "age"],
    "properties": {"name": {"type": "string"}, "age": {"type": "integer"}}}}

BODIES: list[dict[str, Any]] = [
    {"messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hello there"}]},
    {"messages": [{"role": "user", "content": "Three ways to say it"}], "n": 3, "seed": 11},
    {"messages": [{"role": "user", "content": "Forecast for Oslo"}], "tools": [TOOL], "tool_choice": "required"},
    {"messages": [{"role": "user", "content": "Forecasts"}], "tools": [TOOL], "tool_choice": "required", "n": 2},
    {"messages": [{"role": "user", "content": "With logprobs"}], "logprobs": True, "top_logprobs": 3},
    {"messages": [{"role": "user", "content": "A person"}], "response_format": {"type": "json_schema",
                                                                              "json_schema": PERSON}},
    {"messages": [{"role": "user", "content": "a scripted call"}], "tools": [TOOL]},
    {"messages": [{"role": "user", "content": "Pick one"}], "guided_choice": ["red", "green", "blue", "cyan"]},
]
VLLM = {"x-emulator-profile": "vllm"}  # guided_choice is vLLM's


def answers(base_url: str, bodies: list[dict[str, Any]]) -> list[Any]:
    """Each body's choices (ids and timestamps of the completion left out), asked twice in a row."""
    out = []
    with httpx.Client(base_url=base_url, headers={"Authorization": "Bearer sk-seed"}) as http:
        for body in bodies:
            headers = VLLM if "guided_choice" in body else None
            for _ in range(2):
                response = http.post("/chat/completions", json={"model": "gpt-4o-mini", **body}, headers=headers)
                assert response.status_code == 200, response.text
                out.append(response.json()["choices"])
    return out


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[ServeProcess]]:
    scenarios = tmp_path_factory.mktemp("seed") / "scenarios.json"
    scenarios.write_text(json.dumps(SCENARIO))
    started: list[ServeProcess] = []
    with pytest.MonkeyPatch.context() as patch:
        try:
            for hash_seed in ("1", "2"):
                patch.setenv("PYTHONHASHSEED", hash_seed)
                started.append(ServeProcess(["serve", "--port", "0", "--scenarios", str(scenarios)]))
            yield started
        finally:
            for server in started:
                server.stop()


def test_every_process_gives_the_same_answers(servers: list[ServeProcess], emu) -> None:
    emu.add_scenario(SCENARIO["scenarios"][0])
    first, second = (answers(s.base_url or "", BODIES) for s in servers)
    here = answers(emu.base_url, BODIES)
    assert first == second == here
    assert first[0::2] == first[1::2]  # made anew the second time, the same


def test_draws_spread_the_answers_as_sampling_would(servers: list[ServeProcess]) -> None:
    closings, ids, picked = set(), set(), set()
    with httpx.Client(base_url=servers[0].base_url or "", headers={"Authorization": "Bearer sk-seed"}) as http:
        for i in range(120):
            body = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": f"Question {i}"}]}
            closings.add(http.post("/chat/completions", json=body).json()["choices"][0]["message"]["content"]
                         .rsplit('". ', 1)[1])
            call = http.post("/chat/completions", json={**body, "tools": [TOOL], "tool_choice": "required"}).json()
            ids.add(call["choices"][0]["message"]["tool_calls"][0]["id"])
            if i < 24:
                guided = http.post("/chat/completions", json={**body, **BODIES[-1], "messages": body["messages"]},
                                   headers=VLLM).json()
                picked.add(guided["choices"][0]["message"]["content"])
    assert len(closings) == 12  # every closing sentence comes up
    assert picked == {"red", "green", "blue", "cyan"}  # every option comes up
    assert len(ids) == 120 and all(re.fullmatch(r"call_[A-Za-z0-9]{24}", i) for i in ids)
