"""The check command: exit statuses 0/1/2, the catalogue, selection, and the report files."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Iterator

import pytest
from conformance_server import Reference, serve

from emulator.conformance.catalogue import UnknownName, catalogue, groups, select
from emulator.conformance.cli import add_arguments, main, run

ROOT = Path(__file__).parent.parent
GOLDEN = ROOT / "fixtures" / "transcripts"


@pytest.fixture(scope="module")
def url() -> Iterator[str]:
    with serve(Reference(frozenset({"missing_done"})).app) as base_url:
        yield base_url


def test_catalogue_names_are_unique_and_grouped() -> None:
    checks = catalogue()
    assert len({c.name for c in checks}) == len(checks)
    assert {c.group for c in checks} == set(groups())
    assert set(groups()) >= {"validation", "responses", "streaming", "n", "logprobs", "tools", "structured", "auth",
                             "models", "stored", "headers", "generated"}
    assert all(c.description and "\n" not in c.description for c in checks)


def test_select_and_skip_by_name_or_group() -> None:
    checks = catalogue()
    chosen = select(checks, ["streaming", "tool_call"], ["stream_done"])
    names = {c.name for c in chosen}
    assert "tool_call" in names and "stream_framing" in names and "stream_done" not in names
    assert all(c.group in ("streaming", "tools") for c in chosen)
    with pytest.raises(UnknownName):
        select(checks, ["no_such_check"], [])


def test_list_prints_the_catalogue(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--list"]) == 0
    out = capsys.readouterr().out
    assert all(c.name in out for c in catalogue())


@pytest.mark.parametrize("argv", [
    [],
    ["--base-url", "http://127.0.0.1:1/v1", "--transcript", str(GOLDEN)],
    ["--base-url", "http://127.0.0.1:1/v1", "--select", "no_such_check"],
    ["--base-url", "http://127.0.0.1:1/v1", "--select", "streaming", "--skip", "streaming"],
    ["--base-url", "http://127.0.0.1:1/v1", "--report", "out.html"],
    ["--base-url", "http://127.0.0.1:1/v1", "--examples", "0"],
    ["--base-url", "http://127.0.0.1:1/v1"],  # nothing listens there
    ["--transcript", "no/such/file.json"],
])
def test_usage_errors_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 2
    assert "error:" in capsys.readouterr().err


def test_argparse_errors_exit_2() -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--profile", "lenient"])
    assert exit_info.value.code == 2


def test_exit_0_when_selected_checks_pass_and_1_when_one_fails(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--base-url", url, "--select", "responses,models"]) == 0
    assert main(["--base-url", url, "--select", "stream_done,completion_schema"]) == 1
    out = capsys.readouterr().out
    assert "streaming/stream_done" in out and "fail" in out and "missing [DONE]" in out
    assert "1 passed, 1 failed, 0 skipped of 2 checks" in out


def test_reports_junit_and_json(url: str, tmp_path: Path) -> None:
    junit, report = tmp_path / "junit.xml", tmp_path / "report.json"
    status = main(["--base-url", url, "--select", "streaming", "--profile", "compatible",
                   "--report", str(junit), "--report", str(report)])
    assert status == 1
    data = json.loads(report.read_text())
    assert data["profile"] == "compatible" and data["base_url"] == url
    by_name = {r["name"]: r for r in data["results"]}
    assert by_name["stream_done"]["result"] == "fail" and "missing [DONE]" in by_name["stream_done"]["detail"]
    assert by_name["stream_done"]["reproduce"] is None or by_name["stream_done"]["reproduce"].startswith("curl")
    assert by_name["stream_matches_nonstream"]["result"] == "skip"
    assert data["summary"]["failed"] == sum(r["result"] == "fail" for r in data["results"])
    suite = ET.parse(junit).getroot().find("testsuite")
    assert suite is not None
    assert int(suite.get("tests", "0")) == len(data["results"])
    assert int(suite.get("failures", "0")) == data["summary"]["failed"]
    assert int(suite.get("skipped", "0")) == data["summary"]["skipped"]
    case = next(c for c in suite.iter("testcase") if c.get("name") == "stream_done")
    assert case.get("classname") == "streaming"
    failure = case.find("failure")
    assert failure is not None and "missing [DONE]" in failure.get("message", "")


def test_entry_points_for_the_main_cli() -> None:
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    args = parser.parse_args(["--list"])
    assert args.strictness == "openai" and args.model == "gpt-4o-mini" and args.examples == 50
    assert run(args) == 0


def test_python_dash_m_runs_the_checker() -> None:
    done = subprocess.run([sys.executable, "-m", "emulator.conformance", "--transcript", str(GOLDEN / "text.json")],
                          cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "transcript/text:body_schema" in done.stdout


def test_docs_list_every_check() -> None:
    docs = (ROOT / "docs" / "conformance.md").read_text()
    assert [c.name for c in catalogue() if f"| `{c.name}` |" not in docs] == []
