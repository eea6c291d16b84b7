"""Sequence positions in the shared state: every worker advances the same count."""
from __future__ import annotations

from typing import Callable, Iterable

from ..scenarios.positions import Positions
from .db import SharedDB


class SharedPositions(Positions):
    """`muted`: forgetting and clearing are skipped while a worker replays another's scenario
    operation (that worker already did them, and the counts may have moved on since)."""

    def __init__(self, shared: SharedDB) -> None:
        super().__init__()
        self.shared = shared
        self.muted = False

    def taken(self, namespace: str, name: str) -> int:
        rows = self.shared.query("SELECT taken FROM positions WHERE namespace = ? AND name = ?", (namespace, name))
        return int(rows[0][0]) if rows else 0

    def advance(self, namespace: str, name: str, step_for: Callable[[int], int | None]) -> int | None:
        with self.shared.transaction() as db:
            row = db.execute("SELECT taken FROM positions WHERE namespace = ? AND name = ?", (namespace, name)).fetchone()
            taken = int(row[0]) if row else 0
            index = step_for(taken)
            if index is not None:
                db.execute("INSERT OR REPLACE INTO positions VALUES (?, ?, ?)", (namespace, name, taken + 1))
            return index

    def forget(self, names: Iterable[str]) -> None:
        if self.muted:
            return
        with self.shared.transaction() as db:
            db.executemany("DELETE FROM positions WHERE name = ?", [(name,) for name in names])

    def clear(self, namespace: str | None = None) -> None:
        if self.muted:
            return
        with self.shared.transaction() as db:
            if namespace is None:
                db.execute("DELETE FROM positions")
            else:
                db.execute("DELETE FROM positions WHERE namespace = ?", (namespace,))
