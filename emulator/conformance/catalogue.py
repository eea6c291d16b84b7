"""The catalogue of named checks, in run order, and selection by check or group name."""

from __future__ import annotations

from emulator.conformance.checks import (
    auth,
    choices,
    embeddings,
    generated,
    headers,
    logprobs,
    models,
    responses,
    stored,
    streaming,
    structured,
    tools,
    validation,
)
from emulator.conformance.context import Check

MODULES = (validation, responses, streaming, choices, logprobs, tools, structured, auth, models, embeddings, stored, headers,
           generated)


class UnknownName(ValueError):
    """A --select/--skip name that is neither a check nor a group."""


def catalogue() -> list[Check]:
    """Every check, grouped in a stable order; names are unique."""
    checks = [check for module in MODULES for check in module.CHECKS]
    names = [check.name for check in checks]
    duplicated = {name for name in names if names.count(name) > 1}
    assert not duplicated, f"duplicate check names: {duplicated}"
    return checks


def groups() -> list[str]:
    return [module.GROUP for module in MODULES]


def split_names(values: list[str] | None) -> list[str]:
    """Names from repeatable, comma-separated options."""
    return [name.strip() for value in values or [] for name in value.split(",") if name.strip()]


def select(checks: list[Check], selected: list[str], skipped: list[str]) -> list[Check]:
    """Checks named (or in a group named) by ``selected`` (all when empty), minus those in ``skipped``."""
    known = {check.name for check in checks} | {check.group for check in checks}
    unknown = [name for name in selected + skipped if name not in known]
    if unknown:
        raise UnknownName(f"unknown check or group: {', '.join(unknown)} (see --list)")

    def named(check: Check, names: list[str]) -> bool:
        return check.name in names or check.group in names

    return [c for c in checks if (not selected or named(c, selected)) and not named(c, skipped)]
