"""The shared state file: one SQLite connection per worker process, WAL mode, nested transactions."""
from __future__ import annotations

import contextlib
import sqlite3
import threading
from pathlib import Path
from typing import Any, Iterator

STATE_FILE = "state.sqlite"
SCHEMA = """
CREATE TABLE IF NOT EXISTS positions (namespace TEXT, name TEXT, taken INTEGER, PRIMARY KEY (namespace, name));
CREATE TABLE IF NOT EXISTS budgets (key TEXT PRIMARY KEY, window_start REAL, requests INTEGER, tokens INTEGER);
CREATE TABLE IF NOT EXISTS scenario_ops (seq INTEGER PRIMARY KEY AUTOINCREMENT, op TEXT, args TEXT);
CREATE TABLE IF NOT EXISTS journal (id INTEGER PRIMARY KEY AUTOINCREMENT, size INTEGER, entry BLOB);
CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER);
"""
RUN_TABLES = ("positions", "budgets", "scenario_ops", "journal", "counters")


class SharedDB:
    """`transaction()` takes SQLite's write lock (BEGIN IMMEDIATE) for read-decide-write steps that
    must not interleave across workers; nested uses join the outer one."""

    def __init__(self, directory: Path) -> None:
        self.path = Path(directory) / STATE_FILE
        self._lock = threading.RLock()
        self._depth = 0
        self.db = sqlite3.connect(str(self.path), timeout=30, check_same_thread=False, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")  # a crash may lose the last writes, never corrupt
        self.db.executescript(SCHEMA)

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._depth += 1
            if self._depth == 1:
                self.db.execute("BEGIN IMMEDIATE")
            try:
                yield self.db
            except BaseException:
                if self._depth == 1:
                    self.db.execute("ROLLBACK")
                raise
            else:
                if self._depth == 1:
                    self.db.execute("COMMIT")
            finally:
                self._depth -= 1

    def query(self, sql: str, params: tuple[Any, ...] | dict[str, Any] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            return self.db.execute(sql, params).fetchall()

    def insert(self, sql: str, params: tuple[Any, ...]) -> int:
        """One statement, committed on its own (no BEGIN/COMMIT round trips); the new row's id."""
        with self._lock:
            return self.db.execute(sql, params).lastrowid or 0

    def next_number(self, name: str) -> int:
        """A counter shared by the workers (auto-named scenarios)."""
        with self.transaction() as db:
            db.execute("INSERT INTO counters VALUES (?, 1) ON CONFLICT(name) DO UPDATE SET value = value + 1", (name,))
            return int(db.execute("SELECT value FROM counters WHERE name = ?", (name,)).fetchone()[0])


def start_run(directory: Path) -> None:
    """A new run in `directory`: the last run's journal, positions, budgets and scenarios forgotten."""
    directory.mkdir(parents=True, exist_ok=True)
    shared = SharedDB(directory)
    with shared.transaction() as db:
        for table in RUN_TABLES:
            db.execute(f"DELETE FROM {table}")
    shared.db.close()
