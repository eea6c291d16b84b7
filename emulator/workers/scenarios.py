"""Scenarios added at run time, shared by the workers as a log of operations.

Each change (add, replace, remove, reset, clearing `fail_next`) is applied locally and appended to
the log inside one write transaction, after catching up with the log: so every worker applies the
same operations in the same order. Before answering or listing, a worker replays what it has not
seen (one indexed read when nothing changed). Scenario files are each worker's own copy (the same
files); `--watch` reloads them in each worker.
"""
from __future__ import annotations

import json
from typing import Any, Callable, TypeVar

from ..contract.chat_request import ChatRequest
from ..contract.embedding_request import EmbeddingInput, EmbeddingRequest
from ..reply import Reply
from ..scenarios.engine import ScenarioEngine
from ..scenarios.near_miss import NearMiss
from ..scenarios.steps import ScriptedVector
from .db import SharedDB
from .positions import SharedPositions

T = TypeVar("T")


class SharedScenarios(ScenarioEngine):
    def __init__(self, shared: SharedDB) -> None:
        self.shared = shared
        self.shared_positions = SharedPositions(shared)
        super().__init__(self.shared_positions)
        self._seen = 0  # the last operation of the log applied here
        self._quiet = False  # applying an operation already logged (or being logged): log nothing more

    # --- the log ---------------------------------------------------------------------------------
    def sync(self) -> None:
        """Apply the operations other workers logged since the last look."""
        if self._quiet:
            return
        rows = self.shared.query("SELECT seq, op, args FROM scenario_ops WHERE seq > ? ORDER BY seq", (self._seen,))
        if rows:
            with self._lock:
                self._replay(rows)

    def _replay(self, rows: list[tuple[Any, ...]]) -> None:
        self._quiet = self.shared_positions.muted = True
        try:
            for seq, op, args in rows:
                if seq <= self._seen:
                    continue
                try:
                    getattr(ScenarioEngine, op)(self, **json.loads(args))
                except Exception:  # noqa: BLE001 - it failed where it was logged too: nothing changed there
                    pass
                self._seen = seq
        finally:
            self._quiet = self.shared_positions.muted = False

    def _logged(self, op: str, args: dict[str, Any], apply: Callable[[], T]) -> T:
        if self._quiet:
            return apply()
        with self._lock, self.shared.transaction() as db:
            self._replay(db.execute("SELECT seq, op, args FROM scenario_ops WHERE seq > ? ORDER BY seq",
                                    (self._seen,)).fetchall())
            self._quiet = True
            try:
                result = apply()  # may raise (a duplicate name, say): then nothing is logged
            finally:
                self._quiet = False
            self._seen = db.execute("INSERT INTO scenario_ops (op, args) VALUES (?, ?)",
                                    (op, json.dumps(args, default=str))).lastrowid or self._seen
            return result

    # --- changes, logged -------------------------------------------------------------------------
    def add(self, spec: dict[str, Any] | list[dict[str, Any]], *, source: str = "<inline>",
            fail_next: bool = False) -> list[str]:
        return self._logged("add", {"spec": spec, "source": source, "fail_next": fail_next},
                            lambda: super(SharedScenarios, self).add(spec, source=source, fail_next=fail_next))

    def replace_all(self, specs: dict[str, Any] | list[dict[str, Any]], *, source: str = "<inline>") -> list[str]:
        return self._logged("replace_all", {"specs": specs, "source": source},
                            lambda: super(SharedScenarios, self).replace_all(specs, source=source))

    def remove(self, name: str) -> None:
        self._logged("remove", {"name": name}, lambda: super(SharedScenarios, self).remove(name))

    def clear_fail_next(self) -> list[str]:
        return self._logged("clear_fail_next", {}, lambda: super(SharedScenarios, self).clear_fail_next())

    def reset(self) -> None:
        self._logged("reset", {}, lambda: super(SharedScenarios, self).reset())

    def _auto_name(self, prefix: str) -> str:
        return f"{prefix}-{self.shared.next_number('scenario_names')}"  # unique across the workers

    # --- reads, after catching up ----------------------------------------------------------------
    def respond(self, request: ChatRequest) -> Reply | None:
        self.sync()
        return super().respond(request)

    def respond_embeddings(self, request: EmbeddingRequest) -> list[ScriptedVector | None]:
        self.sync()
        return super().respond_embeddings(request)

    def near_misses(self, request: ChatRequest | EmbeddingInput) -> list[NearMiss]:
        self.sync()
        return super().near_misses(request)

    def describe(self) -> list[dict[str, Any]]:
        self.sync()
        return super().describe()

    def names(self) -> list[str]:
        self.sync()
        return super().names()
