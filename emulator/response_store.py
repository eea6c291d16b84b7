"""Stored responses (`store: true`, the Responses API's default): per API key, in memory or in SQLite.

A record keeps what the API can give back later: the response object, the request's own input items
(`GET /v1/responses/{id}/input_items`) and the chain's context (every item up to and including this
response's output, which `previous_response_id` continues from). With `--store PATH` they live in a
`responses` table of the same SQLite file as stored chat completions.

Background responses keep a `stage`: each retrieval moves a queued response to in progress and an
in-progress one to its final state, so a client polling `GET` sees `queued → in_progress → completed`
(docs/responses.md); `cancel` stops one that has not finished.
"""
from __future__ import annotations

import json
import sqlite3
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .store import key_digest
from .json_text import dumps

STAGES = ("queued", "in_progress", "done", "cancelled")


@dataclass
class StoredResponse:
    id: str
    key: str  # digest of the API key
    response: dict[str, Any]  # the final object (for a background response: what it becomes)
    items: list[dict[str, Any]]  # the request's own input items
    context: list[dict[str, Any]]  # the chain's items, this response's output included
    stage: str = "done"

    def current(self) -> dict[str, Any]:
        """The object as a retrieval sees it now."""
        if self.stage == "done":
            return self.response
        status = "cancelled" if self.stage == "cancelled" else self.stage
        return {**self.response, "status": status, "output": [], "usage": None, "completed_at": None,
                "incomplete_details": None}

    def advance(self) -> None:
        if self.stage == "queued":
            self.stage = "in_progress"
        elif self.stage == "in_progress":
            self.stage = "done"


class MemoryResponseStore:
    persistent = False

    def __init__(self, cap: int = 10000) -> None:
        self.cap = max(cap, 1)
        self._records: OrderedDict[tuple[str, str], StoredResponse] = OrderedDict()
        self._lock = threading.Lock()

    def save(self, record: StoredResponse) -> None:
        with self._lock:
            self._records[(record.key, record.id)] = record
            while len(self._records) > self.cap:
                self._records.popitem(last=False)

    def get(self, api_key: str, response_id: str) -> StoredResponse | None:
        return self._records.get((key_digest(api_key), response_id))

    def delete(self, api_key: str, response_id: str) -> bool:
        with self._lock:
            return self._records.pop((key_digest(api_key), response_id), None) is not None

    def clear(self) -> None:
        with self._lock:
            self._records.clear()

    def close(self) -> None:
        pass


_SCHEMA = """
CREATE TABLE IF NOT EXISTS responses (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    key TEXT NOT NULL,
    id TEXT NOT NULL,
    stage TEXT NOT NULL,
    response TEXT NOT NULL,
    items TEXT NOT NULL,
    context TEXT NOT NULL,
    UNIQUE (key, id)
);
"""


class SQLiteResponseStore:
    """The `responses` table of the `--store` file (its own connection; WAL lets both tables share it)."""

    persistent = True

    def __init__(self, path: str | Path, cap: int = 10000) -> None:
        self.cap = max(cap, 1)
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(str(path), timeout=10, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.executescript(_SCHEMA)

    def save(self, record: StoredResponse) -> None:
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO responses (key, id, stage, response, items, context) VALUES (?, ?, ?, ?, ?, ?)",
                (record.key, record.id, record.stage, dumps(record.response), dumps(record.items),
                 dumps(record.context)))
            self._db.execute("DELETE FROM responses WHERE seq <= (SELECT seq FROM responses ORDER BY seq DESC "
                             "LIMIT 1 OFFSET ?)", (self.cap,))

    def get(self, api_key: str, response_id: str) -> StoredResponse | None:
        with self._lock:
            row = self._db.execute("SELECT id, key, response, items, context, stage FROM responses "
                                   "WHERE key = ? AND id = ?", (key_digest(api_key), response_id)).fetchone()
        if row is None:
            return None
        rid, key, response, items, context, stage = row
        return StoredResponse(rid, key, json.loads(response), json.loads(items), json.loads(context), stage)

    def delete(self, api_key: str, response_id: str) -> bool:
        with self._lock:
            return self._db.execute("DELETE FROM responses WHERE key = ? AND id = ?",
                                    (key_digest(api_key), response_id)).rowcount > 0

    def clear(self) -> None:
        with self._lock:
            self._db.execute("DELETE FROM responses")

    def close(self) -> None:
        with self._lock:
            self._db.close()


ResponseStore = MemoryResponseStore | SQLiteResponseStore


def open_response_store(path: str | Path | None, cap: int) -> ResponseStore:
    return SQLiteResponseStore(path, cap) if path else MemoryResponseStore(cap)
