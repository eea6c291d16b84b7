"""The conformance checker, run against the emulator itself: every check, 200 generated examples."""
from __future__ import annotations

import json

from emulator import Emulator
from emulator.conformance import cli as conformance_cli


def test_the_emulator_passes_every_check(tmp_path, capsys):
    report = tmp_path / "conformance.json"
    # A restricted key, so the wrong-key check runs instead of being skipped.
    with Emulator(api_keys=("sk-conformance",)) as emu:
        code = conformance_cli.main(["--base-url", emu.base_url, "--api-key", "sk-conformance",
                                     "--examples", "200", "--report", str(report)])
    output = capsys.readouterr().out
    assert code == 0, output
    summary = json.loads(report.read_text())["summary"]
    assert summary["passed"] == summary["total"] >= 60, (summary, output)
