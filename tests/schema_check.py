"""Assertions that bodies and chunks validate against the contract's response schemas."""
from __future__ import annotations

from typing import Any

from emulator.contract.json_schemas import schema_errors


def assert_valid(name: str, instance: Any) -> None:
    problems = schema_errors(name, instance)
    assert not problems, f"{name} does not match the contract: {problems[:5]}"
