"""The conformance checker's `compatible` profile passes against the /v1 paths of every emulator profile.

vLLM is checked apart: its errors are vLLM's envelope (integer `code`), see docs/profiles.md.
"""
from __future__ import annotations

import pytest

from emulator import Emulator
from emulator.conformance.cli import main as check


@pytest.mark.parametrize("profile", ["openai", "azure", "lenient"])
def test_compatible_checks_pass(profile, capsys):
    with Emulator(profile=profile) as emu:
        status = check(["--base-url", emu.base_url, "--profile", "compatible",
                        "--examples", "10"])
    assert status == 0, capsys.readouterr().out


def test_vllm_fails_compatible_checks_only_on_its_error_envelope(capsys):
    with Emulator(profile="vllm") as emu:
        check(["--base-url", emu.base_url, "--profile", "compatible", "--examples", "10"])
    failures = [line for line in capsys.readouterr().out.splitlines() if "  fail  " in line]
    for line in failures:
        assert ("$.error.code: 4" in line and "is not of type 'string'" in line) or "'Unauthorized'" in line, line
