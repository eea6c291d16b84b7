"""Stored responses (`store: true`, the Responses API's default): per API key, in memory or in SQLite.

A record keeps what the API can give back later, as JSON: the response object, the request's own input
items (`GET /v1/responses/{id}/input_items`) and the chain's items before them; the chain's context
(every item up to and including this response's output, which `previous_response_id` continues from)
is those three. In memory the store keeps at most `--store-cap` records and `MAX_MEMORY_BYTES` of JSON,
the oldest dropped first; with `--store PATH` they live in a `responses` table of the same SQLite file
as stored chat completions.

Background responses keep a `stage`: each retrieval moves a queued response to in progress and an
in-progress one to its final state, so a client polling `GET` sees `queued → in_progress → completed`
(docs/responses.md); `cancel` stops one that has not finished.
"""
from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from .bounded_records import BoundedRecords
from .json_text import json_bytes, json_text
from .store import key_digest, open_sqlite

STAGES = ("queued", "in_progress", "done", "cancelled")
MAX_MEMORY_BYTES = 4 * 1024 * 1024  # of JSON kept in memory, besides the `--store-cap` count
RECORD_OVERHEAD = 600  # bytes a record costs beyond its JSON (the record, its id, the index; measured)


@lru_cache(maxsize=256)
def owner_digest(api_key: str) -> str:
    """The digest records are filed under: one string per key, shared by all of its records."""
    return key_digest(api_key)


@dataclass(slots=True, init=False)
class StoredResponse:
    """A stored response as the JSON it is sent and read back as: compact, and nothing for the garbage
    collector to walk (a store of rich objects made every collection slower). Parsed only when read."""

    id: str
    key: str  # digest of the API key
    body: bytes  # the final object (for a background response: what it becomes), as a retrieval sends it
    items_json: bytes  # the request's own input items
    prior_json: bytes  # the chain's items before them (what `previous_response_id` continued)
    stage: str
    size: int  # what keeping it costs: its JSON and RECORD_OVERHEAD

    # Written out: the compiled build compiles it, where a dataclass's generated `__init__` stays interpreted.
    def __init__(self, id: str, key: str, body: bytes, items_json: bytes, prior_json: bytes = b"[]",
                 stage: str = "done") -> None:
        self.id, self.key, self.body, self.items_json, self.prior_json, self.stage = (
            id, key, body, items_json, prior_json, stage)
        self.size = len(body) + len(items_json) + len(prior_json) + RECORD_OVERHEAD

    @classmethod
    def of(cls, response: dict[str, Any], key: str, items: list[dict[str, Any]],
           prior: list[dict[str, Any]] | None = None, stage: str = "done") -> StoredResponse:
        return cls(response["id"], key, json_bytes(response), json_bytes(items), json_bytes(prior or []), stage)

    @property
    def response(self) -> dict[str, Any]:
        return json.loads(self.body)

    @property
    def items(self) -> list[dict[str, Any]]:
        return json.loads(self.items_json)

    @property
    def context(self) -> list[dict[str, Any]]:
        """The chain's items, this response's output included."""
        return [*json.loads(self.prior_json), *self.items, *self.response["output"]]

    @property
    def is_final(self) -> bool:
        """A retrieval sends `body` as it is."""
        return self.stage == "done"

    def current(self) -> dict[str, Any]:
        """The object as a retrieval sees it now."""
        response = self.response
        if self.stage == "done":
            return response
        status = "cancelled" if self.stage == "cancelled" else self.stage
        return {**response, "status": status, "output": [], "usage": None, "completed_at": None,
                "incomplete_details": None}

    def advance(self) -> None:
        if self.stage == "queued":
            self.stage = "in_progress"
        elif self.stage == "in_progress":
            self.stage = "done"


class MemoryResponseStore:
    """At most `cap` records and `max_bytes` of their JSON, the oldest dropped first."""

    persistent = False

    def __init__(self, cap: int = 10000, max_bytes: int = MAX_MEMORY_BYTES) -> None:
        self.kept: BoundedRecords[StoredResponse] = BoundedRecords(cap, max_bytes)

    def save(self, record: StoredResponse) -> None:
        self.kept.put(record)

    def get(self, api_key: str, response_id: str) -> StoredResponse | None:
        return self.kept.get(owner_digest(api_key), response_id)

    def delete(self, api_key: str, response_id: str) -> bool:
        return self.kept.pop(owner_digest(api_key), response_id) is not None

    def clear(self) -> None:
        self.kept.clear()

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
        self._db = open_sqlite(path)
        self._db.executescript(_SCHEMA)

    def save(self, record: StoredResponse) -> None:
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO responses (key, id, stage, response, items, context) VALUES (?, ?, ?, ?, ?, ?)",
                (record.key, record.id, record.stage, record.body.decode(), record.items_json.decode(),
                 json_text(record.context)))
            self._db.execute("DELETE FROM responses WHERE seq <= (SELECT seq FROM responses ORDER BY seq DESC "
                             "LIMIT 1 OFFSET ?)", (self.cap,))

    def get(self, api_key: str, response_id: str) -> StoredResponse | None:
        with self._lock:
            row = self._db.execute("SELECT id, key, response, items, context, stage FROM responses "
                                   "WHERE key = ? AND id = ?", (owner_digest(api_key), response_id)).fetchone()
        if row is None:
            return None
        rid, key, response, items, context, stage = row
        # The file keeps the whole chain (its format predates the record's): the items before this request's.
        chain = json.loads(context)
        prior = chain[:len(chain) - len(json.loads(items)) - len(json.loads(response)["output"])]
        return StoredResponse(rid, key, response.encode(), items.encode(), json_bytes(prior), stage=stage)

    def delete(self, api_key: str, response_id: str) -> bool:
        with self._lock:
            return self._db.execute("DELETE FROM responses WHERE key = ? AND id = ?",
                                    (owner_digest(api_key), response_id)).rowcount > 0

    def clear(self) -> None:
        with self._lock:
            self._db.execute("DELETE FROM responses")

    def close(self) -> None:
        with self._lock:
            self._db.close()


ResponseStore = MemoryResponseStore | SQLiteResponseStore


def open_response_store(path: str | Path | None, cap: int) -> ResponseStore:
    return SQLiteResponseStore(path, cap) if path else MemoryResponseStore(cap)
