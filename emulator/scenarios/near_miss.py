"""Near misses as data: which scenarios came closest to a request no scenario answered, and why each failed.

The strict-mode 404 message, the pytest plugin's report and the admin API's JSON are all formatted
from these objects (WireMock's near misses and pytest-httpserver's `difference()` do the same)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

NO_MATCH = "No scenario matched this request (strict mode)"
NEAREST_HEADING = "Nearest scenarios:"
NONE_LOADED = "No scenarios are loaded."


@dataclass(frozen=True)
class FailedCondition:
    """One match condition that did not hold: its key as written in the file, what it expected, what the request had."""

    key: str
    expected: str
    actual: str
    at: str | None = None  # where a recorded value first differs from the request (`messages[3].content`)

    def __str__(self) -> str:
        if self.at is not None:
            return f"{self.key} differs at {self.at}: recorded {self.expected}, the request has {self.actual}"
        return f"{self.key}: expected {self.expected}, got {self.actual}"


@dataclass(frozen=True)
class NearMiss:
    """A scenario that did not answer: the conditions that failed, or (all held) why it was passed over."""

    scenario: str
    where: str  # "file:line" or the source it was added from
    failed: tuple[FailedCondition, ...] = ()
    passed_over: str | None = None  # e.g. "its 'times: 1' are used up"

    def __str__(self) -> str:
        if not self.failed:
            return f"'{self.scenario}' ({self.where}) matched, but {self.passed_over or 'it matched'}"
        return f"'{self.scenario}' ({self.where}) failed " + "; ".join(str(f) for f in self.failed)

    def to_json(self) -> dict[str, Any]:
        return {"scenario": self.scenario, "where": self.where, "passed_over": self.passed_over,
                "failed": [{"condition": f.key, "expected": f.expected, "actual": f.actual,
                            **({"at": f.at} if f.at is not None else {})} for f in self.failed]}


def explain(near_misses: list[NearMiss]) -> str:
    """The sentence of the strict-mode 404: the nearest scenarios, or that none are loaded."""
    if not near_misses:
        return NONE_LOADED
    return f"{NEAREST_HEADING} " + " | ".join(str(m) for m in near_misses) + "."
