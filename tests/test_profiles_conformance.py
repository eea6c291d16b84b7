"""The conformance checker's `compatible` profile passes against the /v1 paths of every emulator profile,
vLLM's own error envelope (integer `code`, docs/profiles.md) included."""
from __future__ import annotations

import pytest

from emulator.conformance.cli import main as check


@pytest.mark.parametrize("profile", ["openai", "azure", "lenient", "vllm"])
def test_compatible_checks_pass(profile, capsys, make_emulator):
    emu = make_emulator(profile=profile)
    status = check(["--base-url", emu.base_url, "--profile", "compatible",
                    "--examples", "10"])
    assert status == 0, capsys.readouterr().out
