"""Sequence positions: how many steps each scenario has taken, per namespace (`x-emulator-namespace`).

The engine asks `advance` for a scenario's next step: the step to run is decided from the steps
taken so far, and the count goes up in the same breath. In one process the counts live in a dict;
under `--workers` they live in the shared SQLite state (workers/positions.py), the same questions.
"""
from __future__ import annotations

from typing import Callable, Iterable

Key = tuple[str, str]  # (namespace, scenario name)
# Positions kept, least recently advanced dropped first: every distinct namespace header adds entries,
# and a client may send a new one with each request (docs/security.md).
MAX_POSITIONS = 10_000


class Positions:
    """Steps taken per (namespace, scenario name), in memory. The engine's lock guards it."""

    def __init__(self) -> None:
        self._taken: dict[Key, int] = {}

    def taken(self, namespace: str, name: str) -> int:
        return self._taken.get((namespace, name), 0)

    def advance(self, namespace: str, name: str, step_for: Callable[[int], int | None]) -> int | None:
        """The index `step_for(steps taken)` picks, counted as one more step taken; None takes none."""
        key = (namespace, name)
        taken = self._taken.get(key, 0)
        index = step_for(taken)
        if index is not None:
            self._taken.pop(key, None)  # re-inserted last: dicts keep insertion order, so the first
            self._taken[key] = taken + 1  # key is always the least recently advanced
            if len(self._taken) > MAX_POSITIONS:
                del self._taken[next(iter(self._taken))]
        return index

    def forget(self, names: Iterable[str]) -> None:
        gone = set(names)
        self._taken = {k: v for k, v in self._taken.items() if k[1] not in gone}

    def clear(self, namespace: str | None = None) -> None:
        if namespace is None:
            self._taken.clear()
        else:
            self._taken = {k: v for k, v in self._taken.items() if k[0] != namespace}
