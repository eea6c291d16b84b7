"""How a check ends: passing by returning, failing or skipping by raising."""

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
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 160 else text[:157] + "..."
