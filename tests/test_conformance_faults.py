"""The checker passes a correct server and names each deliberately broken one's fault."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterator

import pytest
from conformance_server import Reference, serve

from emulator.conformance.cli import main


@pytest.fixture(scope="module")
def correct() -> Iterator[str]:
    with serve(Reference().app) as url:
        yield url


def run(url: str, tmp_path: Path, *options: str) -> tuple[int, dict[str, Any]]:
    """Run the checker; return its exit status and its results by check name."""
    report = tmp_path / "report.json"
    status = main(["--base-url", url, "--report", str(report), *options])
    results = {r["name"]: r for r in json.loads(report.read_text())["results"]}
    return status, results


def failures(results: dict[str, Any]) -> dict[str, str]:
    return {name: r["detail"] for name, r in results.items() if r["result"] == "fail"}


def test_correct_server_passes_every_check(correct: str, tmp_path: Path) -> None:
    status, results = run(correct, tmp_path, "--examples", "25")
    assert failures(results) == {}
    assert status == 0
    # The reference server has no /embeddings: that group skips, every other check passes.
    assert all(r["result"] == ("skip" if r["group"] == "embeddings" else "pass") for r in results.values())


def test_correct_server_passes_compatible_profile(correct: str, tmp_path: Path) -> None:
    status, results = run(correct, tmp_path, "--profile", "compatible", "--examples", "10")
    assert status == 0, failures(results)
    assert results["unknown_parameter"]["result"] == "skip"


# (fault, the checks it must fail, words the first failure must contain, checks to run)
FAULTS = [
    ("wrong_field_type", ["completion_schema", "n_choices"], "$.created: '1727346168' is not of type 'integer'",
     "responses,n"),
    ("missing_done", ["stream_done", "n_stream", "tool_stream"], "missing [DONE]", "streaming,n,tools"),
    ("id_changes", ["stream_same_id", "n_stream"], "$.id: expected", "streaming,n"),
    ("tool_name_repeated", ["tool_stream"], "function.name: expected only index and arguments after the first delta",
     "streaming,tools"),
    ("server_error_for_bad_request", ["temperature_type", "missing_messages", "generated_invalid"],
     "got a server error 500", "validation,generated"),
    ("wrong_error_envelope", ["temperature_type", "missing_key", "chat_unknown_model"],
     "error schema: $.error: 'param' is a required property", "validation,auth,models"),
]


@pytest.mark.parametrize(("fault", "named", "words", "groups"), FAULTS, ids=[f[0] for f in FAULTS])
def test_each_fault_is_named(fault: str, named: list[str], words: str, groups: str, tmp_path: Path) -> None:
    with serve(Reference(frozenset({fault})).app) as url:
        status, results = run(url, tmp_path, "--select", groups, "--examples", "10")
    failed = failures(results)
    assert status == 1
    for name in named:
        assert name in failed, f"{name} should fail for {fault}"
        assert words in failed[name]
    # Only the broken rule fails: checks untouched by the fault still pass.
    assert len(failed) < len(results)


def test_fault_free_checks_still_pass_beside_a_fault(tmp_path: Path) -> None:
    with serve(Reference(frozenset({"tool_name_repeated"})).app) as url:
        _, results = run(url, tmp_path, "--select", "streaming,tools")
    assert set(failures(results)) == {"tool_stream"}


def test_a_failure_that_does_not_reproduce_is_reported_as_such(tmp_path: Path) -> None:
    with serve(Reference(frozenset({"fails_once"})).app) as url:
        status, results = run(url, tmp_path, "--select", "generated_valid", "--examples", "20")
    assert status == 1
    detail = results["generated_valid"]["detail"]
    assert "expected 200, got 500" in detail and "not reproducible" in detail
    assert results["generated_valid"]["reproduce"].startswith("curl ")


def test_generated_failure_is_shrunk_to_a_curl_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with serve(Reference(frozenset({"server_error_for_bad_request"})).app) as url:
        status, results = run(url, tmp_path, "--select", "generated_invalid", "--examples", "20", "--seed", "3")
    assert status == 1
    reproduce = results["generated_invalid"]["reproduce"]
    assert reproduce.startswith("curl -sS -X POST http://127.0.0.1:") and "/v1/chat/completions" in reproduce
    body = json.loads(reproduce.split(" -d ", 1)[1].strip("'"))
    # Shrinking leaves one short message, and no optional fields beyond the one broken.
    assert len(body["messages"]) <= 1 and len(body) <= 3
    assert "reproduce generated/generated_invalid:\n  curl " in capsys.readouterr().out
