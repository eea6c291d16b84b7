"""`chat-emulator init` gives a pip-installed user the example library and a starter test that passes."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import emulator
from emulator.cli import main

pytest_plugins = ["pytester"]
EXAMPLES = Path(__file__).resolve().parent.parent / "scenarios"


def test_init_writes_the_examples_and_a_starter_test_that_passes(pytester: pytest.Pytester,
                                                                   monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    root = str(Path(emulator.__file__).resolve().parents[1])
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")])))
    assert main(["init", str(pytester.path)]) == 0
    assert f"wrote {len(list(EXAMPLES.glob('*.yaml')))} example scenario files" in capsys.readouterr().out
    shipped = sorted(p.name for p in (pytester.path / "scenarios").iterdir())
    assert shipped == sorted(p.name for p in EXAMPLES.glob("*.yaml"))
    assert (pytester.path / "scenarios" / "agent-loop.yaml").read_text() == (EXAMPLES / "agent-loop.yaml").read_text()
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")
    result = pytester.runpytest_subprocess("tests")
    result.assert_outcomes(passed=3)


def test_init_never_overwrites(tmp_path, capsys) -> None:
    (tmp_path / "scenarios").mkdir()
    (tmp_path / "scenarios" / "retry-429.yaml").write_text("mine")
    assert main(["init", str(tmp_path)]) == 1
    assert "not overwriting what is there" in capsys.readouterr().err
    assert (tmp_path / "scenarios" / "retry-429.yaml").read_text() == "mine"
    assert not (tmp_path / "tests").exists()


def test_the_wheel_ships_the_examples_and_transcripts(tmp_path) -> None:
    """What `pip install` gets (built the way `make wheel` builds it)."""
    import zipfile

    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path),
                    str(Path(root_of_repo()))], check=True, capture_output=True)
    names = zipfile.ZipFile(next(tmp_path.glob("*.whl"))).namelist()
    assert {f"emulator/examples/scenarios/{p.name}" for p in EXAMPLES.glob("*.yaml")} <= set(names)
    assert "emulator/examples/transcripts/text_stream.json" in names
    assert "emulator/examples/test_with_chat_emulator.py" in names


def root_of_repo() -> Path:
    return Path(__file__).resolve().parent.parent
