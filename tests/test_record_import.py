"""`chat-emulator import`: a cassette that pytest-recording (vcrpy) wrote becomes scenarios that replay."""
from __future__ import annotations

import gzip
import json
from pathlib import Path

import openai
import pytest
import yaml

from emulator import Emulator
from emulator.cli import main

pytest_plugins = ["pytester"]

KEY = "sk-cassette-secret-0123456789"

RECORDED_TEST = '''
import httpx
import openai
import pytest

URL = "{url}"

@pytest.mark.vcr
def test_calls():
    client = openai.OpenAI(base_url=URL, api_key="{key}", max_retries=0)
    plain = client.chat.completions.create(model="gpt-4o-mini", messages=[{{"role": "user", "content": "plain one"}}])
    assert plain.choices[0].message.content == "UPSTREAM: plain one"
    stream = client.chat.completions.create(model="gpt-4o-mini", stream=True,
                                            messages=[{{"role": "user", "content": "streamed one"}}])
    assert "".join(c.choices[0].delta.content or "" for c in stream if c.choices) == "UPSTREAM: streamed one"
    httpx.get(URL + "/models", headers={{"Authorization": "Bearer {key}"}})
    first = client.responses.create(model="gpt-4o-mini", input="responses one")
    follow = client.responses.create(model="gpt-4o-mini", previous_response_id=first.id, input="responses two")
    assert [first.output_text, follow.output_text] == ["UPSTREAM: responses one", "UPSTREAM turn 2: responses two"]
    events = client.responses.create(model="gpt-4o-mini", input="responses streamed", stream=True)
    assert "".join(e.delta for e in events if e.type == "response.output_text.delta") == "UPSTREAM: responses streamed"
    vector = client.embeddings.create(model="text-embedding-3-small", input="embed me").data[0].embedding
    assert len(vector) == 1536
'''
UPSTREAM_SCENARIOS = [
    {"name": "second-turn", "priority": 1, "match": {"turn": 2}, "reply": {"content": "UPSTREAM turn 2: {{last_user}}"}},
    {"name": "any", "reply": {"content": "UPSTREAM: {{last_user}}"}},
    {"name": "vector", "match": {"api": "embeddings"}, "reply": {"seed": 7}},  # not the built-in vector
]


@pytest.fixture
def cassette(pytester: pytest.Pytester) -> Path:
    """A cassette recorded by pytest-recording against an upstream emulator, which is then stopped."""
    with Emulator() as upstream:
        upstream.add_scenario(UPSTREAM_SCENARIOS)
        pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")
        pytester.makepyfile(test_vcr=RECORDED_TEST.format(url=upstream.base_url, key=KEY))
        pytester.runpytest("-p", "no:cacheprovider", "--record-mode=once").assert_outcomes(passed=1)
    path = pytester.path / "cassettes" / "test_vcr" / "test_calls.yaml"
    assert KEY in path.read_text()  # vcrpy keeps the Authorization header: the import must drop it
    return path


def test_a_cassette_imports_and_replays(cassette: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "recordings"
    assert main(["import", str(cassette.parent.parent), "--out", str(out)]) == 0
    summary = capsys.readouterr().out
    assert "6 interactions" in summary and "skipped 1 to other hosts or endpoints" in summary
    assert "GET /v1/models" in summary
    text = (out / "test_vcr" / "test_calls.yaml").read_text()
    assert KEY not in text
    with Emulator(scenario_paths=(out,), strict=True) as replay:
        client = openai.OpenAI(base_url=replay.base_url, api_key="sk-x", max_retries=0)
        plain = client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "plain one"}])
        stream = client.chat.completions.create(model="gpt-4o-mini", stream=True,
                                                messages=[{"role": "user", "content": "streamed one"}])
        streamed = "".join(c.choices[0].delta.content or "" for c in stream if c.choices)
        first = client.responses.create(model="gpt-4o-mini", input="responses one")
        follow = client.responses.create(model="gpt-4o-mini", previous_response_id=first.id, input="responses two")
        events = client.responses.create(model="gpt-4o-mini", input="responses streamed", stream=True)
        deltas = "".join(e.delta for e in events if e.type == "response.output_text.delta")
        vector = client.embeddings.create(model="text-embedding-3-small", input="embed me").data[0].embedding
    assert plain.choices[0].message.content == "UPSTREAM: plain one"
    assert streamed == "UPSTREAM: streamed one"
    assert [first.output_text, follow.output_text] == ["UPSTREAM: responses one", "UPSTREAM turn 2: responses two"]
    assert deltas == "UPSTREAM: responses streamed"
    with Emulator() as builtin:  # the recorded vector is the upstream's scenario's, not the built-in one
        own = openai.OpenAI(base_url=builtin.base_url, api_key="sk-x").embeddings.create(
            model="text-embedding-3-small", input="embed me").data[0].embedding
    assert len(vector) == 1536 and max(abs(a - b) for a, b in zip(vector, own, strict=True)) > 0.01


def test_gzip_bodies_and_json_cassettes(cassette: Path, tmp_path: Path) -> None:
    data = yaml.safe_load(cassette.read_text())
    (tmp_path / "as_json.json").write_text(json.dumps(data))  # vcrpy's JSON serializer: the same structure
    for interaction in data["interactions"]:  # a cassette of compressed answers holds gzip bytes (!!binary)
        response = interaction["response"]
        response["body"]["string"] = gzip.compress(response["body"]["string"].encode())
        response["headers"]["content-encoding"] = ["gzip"]
    (tmp_path / "gzipped.yaml").write_text(yaml.safe_dump(data))
    out = tmp_path / "out"
    assert main(["import", str(tmp_path / "as_json.json"), str(tmp_path / "gzipped.yaml"), "--out", str(out)]) == 0
    for name in ("as_json.yaml", "gzipped.yaml"):
        plain, streamed, *_ = yaml.safe_load((out / name).read_text())["scenarios"]
        assert plain["reply"]["content"] == "UPSTREAM: plain one"
        assert "".join(streamed["reply"]["chunks"]) == "UPSTREAM: streamed one"


def test_not_a_cassette_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "x.yaml"
    path.write_text("hello: world\n")
    assert main(["import", str(path), "--out", str(tmp_path / "out")]) == 1
    assert capsys.readouterr().err.strip() == f"{path}: not a cassette (no 'interactions' list)"
