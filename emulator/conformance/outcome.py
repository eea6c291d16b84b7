"""How a check ends: passing by returning, failing or skipping by raising; and the words for a difference."""

from __future__ import annotations

import json
from typing import Any


class CheckFailed(AssertionError):
    """The server broke the contract; the message says where, expected versus got.

    ``reproduce`` is a command (usually curl) that repeats the offending request.
    """

    def __init__(self, message: str, reproduce: str | None = None) -> None:
        super().__init__(message)
        self.reproduce = reproduce


class CheckSkipped(Exception):
    """The check does not apply to this server or profile; the message says why."""


def show(value: Any) -> str:
    """A short JSON rendering of a value for a failure message."""
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, bytes) else repr(value)
    return text if len(text) <= 160 else text[:157] + "..."


def fail(path: str, expected: str, got: Any) -> CheckFailed:
    """A failure worded as ``<path>: expected <expected>, got <got>``."""
    return CheckFailed(f"{path}: expected {expected}, got {show(got)}")


def expect_equal(path: str, expected: Any, got: Any) -> None:
    """Fail unless ``got == expected`` (and the same JSON type: ``1`` is not ``true``)."""
    if got != expected or type(got) is not type(expected):
        raise fail(path, show(expected), got)


def first_difference(expected: Any, got: Any, path: str = "$") -> str | None:
    """The first place two JSON values differ, in words; None when they are equal."""
    if isinstance(expected, dict) and isinstance(got, dict):
        for key in expected:
            if key not in got:
                return f"{path}.{key}: expected {show(expected[key])}, got nothing (key missing)"
            found = first_difference(expected[key], got[key], f"{path}.{key}")
            if found:
                return found
        for key in got:
            if key not in expected:
                return f"{path}.{key}: expected no such key, got {show(got[key])}"
        return None
    if isinstance(expected, list) and isinstance(got, list):
        for i, (a, b) in enumerate(zip(expected, got)):
            found = first_difference(a, b, f"{path}[{i}]")
            if found:
                return found
        if len(expected) != len(got):
            return f"{path}: expected {len(expected)} items, got {len(got)}"
        return None
    if expected != got or type(expected) is not type(got):
        return f"{path}: expected {show(expected)}, got {show(got)}"
    return None
