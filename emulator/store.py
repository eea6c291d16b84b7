"""Stored chat completions (`store: true`): kept per API key, in memory or in a SQLite file.

Both stores keep the same record: the completion as JSON text (so a later metadata update never
touches the dict the journal holds), the request's messages, metadata and the models it may be
listed under. API keys are kept as SHA-256 digests, never in clear. Both stores are bounded:
past `cap` completions (and, in memory, past `max_bytes` of JSON) the oldest are evicted.
"""
from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, Protocol

from .bounded_records import BoundedRecords
from .json_text import json_text

if TYPE_CHECKING:
    import sqlite3

# Request fields the live API echoes on a stored completion (the spec's examples), with the value
# it shows when the request left them out.
ECHOED_FIELDS: dict[str, Any] = {
    "tool_choice": None, "seed": None, "top_p": 1.0, "temperature": 1.0, "presence_penalty": 0.0,
    "frequency_penalty": 0.0, "tools": None, "response_format": None,
}
DEFAULT_MAX_BYTES = 256 * 1024 * 1024


def key_digest(api_key: str) -> str:
    return hashlib.sha256(api_key.encode("utf-8")).hexdigest()


@dataclass
class Record:
    """One stored completion as both stores keep it (JSON texts, ready to send)."""

    id: str
    key: str  # digest of the API key
    models: tuple[str, ...]  # the snapshot the response reports and the id the request named
    metadata: dict[str, str]
    completion: str  # JSON of the completion object, without `metadata`
    messages: str  # JSON of the request's messages

    @property
    def size(self) -> int:
        return len(self.completion) + len(self.messages)

    def completion_dict(self) -> dict[str, Any]:
        body = json.loads(self.completion)
        body["metadata"] = self.metadata
        return body


@dataclass
class Page:
    data: list[Any]
    has_more: bool

    def as_list(self) -> dict[str, Any]:
        """The `ChatCompletionList` / `ChatCompletionMessageList` shape (docs/live-api.md#objects)."""
        return {
            "object": "list",
            "data": self.data,
            "first_id": self.data[0]["id"] if self.data else None,
            "last_id": self.data[-1]["id"] if self.data else None,
            "has_more": self.has_more,
        }


def make_record(api_key: str, completion: dict[str, Any], body: dict[str, Any], request_id: str) -> Record:
    """A record for a completion just created with `store: true`."""
    stored = {k: v for k, v in completion.items() if k != "metadata"}
    stored["request_id"] = request_id
    for name, default in ECHOED_FIELDS.items():
        value = body.get(name)
        stored[name] = default if value is None else value
    stored["input_user"] = body.get("user")
    return Record(
        id=completion["id"],
        key=key_digest(api_key),
        models=(completion["model"], body.get("model", completion["model"])),
        metadata=dict(body.get("metadata") or {}),
        completion=json_text(stored),
        messages=json_text(body.get("messages") or []),
    )


def paginate(items: Iterable[Any], after: str | None, limit: int,
             id_of: Callable[[Any], Any] = lambda item: item["id"]) -> Page:
    """Items following the one with id `after` (all when None), at most `limit` of them."""
    iterator = iter(items)
    if after is not None:
        for item in iterator:
            if id_of(item) == after:
                break
        else:
            return Page([], False)
    data: list[Any] = []
    for item in iterator:
        if len(data) == limit:
            return Page(data, True)
        data.append(item)
    return Page(data, False)


def stored_messages(completion_id: str, messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The request's messages as `ChatCompletionStoreMessage`s, ids `<completion id>-<n>`."""
    result = []
    for index, message in enumerate(messages):
        content = message.get("content")
        parts = None
        if isinstance(content, list):
            parts = [p for p in content if isinstance(p, dict) and p.get("type") in ("text", "image_url")]
            text = "".join(p.get("text", "") for p in parts if p.get("type") == "text")
            content = text or None
        item = {"id": f"{completion_id}-{index}", "role": message.get("role"), "content": content,
                "name": message.get("name"), "content_parts": parts}
        for key in ("tool_calls", "tool_call_id", "refusal", "function_call"):
            if message.get(key) is not None:
                item[key] = message[key]
        result.append(item)
    return result


class CompletionStore(Protocol):
    persistent: bool

    def save(self, record: Record) -> None: ...

    def get(self, api_key: str, completion_id: str) -> Record | None: ...

    def records(self, api_key: str, order: str) -> Iterable[Record]:
        """This key's records, oldest first (`asc`) or newest first (`desc`); `messages` may be left
        unloaded (empty), `get` has them."""

    def update_metadata(self, api_key: str, completion_id: str, metadata: dict[str, str]) -> Record | None: ...

    def delete(self, api_key: str, completion_id: str) -> bool: ...

    def clear(self) -> None: ...

    def close(self) -> None: ...

    def __len__(self) -> int:
        """How many completions are stored (a query on SQLite, so it also shows the store is open)."""
        ...


def list_completions(store: CompletionStore, api_key: str, *, model: str | None, metadata: dict[str, str],
                     after: str | None, limit: int, order: str) -> Page:
    """`GET /v1/chat/completions`: filter by model and metadata pairs, then paginate."""
    def matches(record: Record) -> bool:
        if model is not None and model not in record.models:
            return False
        return all(record.metadata.get(k) == v for k, v in metadata.items())

    page = paginate((r for r in store.records(api_key, order) if matches(r)), after, limit, lambda r: r.id)
    return Page([r.completion_dict() for r in page.data], page.has_more)


class MemoryStore:
    """Completions in an insertion-ordered dict, the oldest evicted past `cap` or `max_bytes`."""

    persistent = False

    def __init__(self, cap: int = 10000, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.kept: BoundedRecords[Record] = BoundedRecords(cap, max_bytes)

    def save(self, record: Record) -> None:
        self.kept.put(record)

    def get(self, api_key: str, completion_id: str) -> Record | None:
        return self.kept.get(key_digest(api_key), completion_id)

    def records(self, api_key: str, order: str) -> list[Record]:
        mine = self.kept.of_key(key_digest(api_key))
        return mine if order == "asc" else mine[::-1]

    def update_metadata(self, api_key: str, completion_id: str, metadata: dict[str, str]) -> Record | None:
        record = self.get(api_key, completion_id)
        if record is not None:
            record.metadata = dict(metadata)
        return record

    def delete(self, api_key: str, completion_id: str) -> bool:
        return self.kept.pop(key_digest(api_key), completion_id) is not None

    def clear(self) -> None:
        self.kept.clear()

    def close(self) -> None:
        pass

    def __len__(self) -> int:
        return len(self.kept)


_SCHEMA = """
CREATE TABLE IF NOT EXISTS completions (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    key TEXT NOT NULL,
    id TEXT NOT NULL,
    models TEXT NOT NULL,
    metadata TEXT NOT NULL,
    completion TEXT NOT NULL,
    messages TEXT NOT NULL,
    UNIQUE (key, id)
);
CREATE INDEX IF NOT EXISTS completions_by_key ON completions (key, seq);
"""


def open_sqlite(path: str | Path) -> sqlite3.Connection:
    """A connection to the `--store` file in WAL mode (both stores' tables live in it), shared by
    every thread. `sqlite3` is imported here, not at start-up: 1.3 MiB of the served process that
    a server without a `--store` file never needs."""
    import sqlite3

    db = sqlite3.connect(str(path), timeout=10, check_same_thread=False, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    return db


class SQLiteStore:
    """Completions in a SQLite file (WAL mode), so a standalone server keeps them across restarts.

    One connection guarded by a lock serves every thread; SQLite's own file locking (with a busy
    timeout) keeps several processes sharing the file consistent. Past `cap` rows the oldest go.
    """

    persistent = True

    def __init__(self, path: str | Path, cap: int = 10000) -> None:
        self.path, self.cap = Path(path), max(cap, 1)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = open_sqlite(self.path)
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)

    @staticmethod
    def _record(row: tuple) -> Record:
        key, cid, models, metadata, completion, messages = row
        return Record(cid, key, tuple(json.loads(models)), json.loads(metadata), completion, messages)

    def save(self, record: Record) -> None:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                self._db.execute(
                    "INSERT OR REPLACE INTO completions (key, id, models, metadata, completion, messages) "
                    "VALUES (?, ?, ?, ?, ?, ?)",
                    (record.key, record.id, json_text(list(record.models)), json_text(record.metadata), record.completion,
                     record.messages))
                self._db.execute(
                    "DELETE FROM completions WHERE seq <= (SELECT seq FROM completions ORDER BY seq DESC "
                    "LIMIT 1 OFFSET ?)", (self.cap,))
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise

    def get(self, api_key: str, completion_id: str) -> Record | None:
        with self._lock:
            row = self._db.execute(
                "SELECT key, id, models, metadata, completion, messages FROM completions WHERE key = ? AND id = ?",
                (key_digest(api_key), completion_id)).fetchone()
        return None if row is None else self._record(row)

    def records(self, api_key: str, order: str) -> list[Record]:
        direction = "ASC" if order == "asc" else "DESC"
        with self._lock:
            rows = self._db.execute(  # messages stay on disk: listing never shows them
                "SELECT key, id, models, metadata, completion, '' FROM completions WHERE key = ? "
                f"ORDER BY seq {direction}", (key_digest(api_key),)).fetchall()
        return [self._record(row) for row in rows]

    def update_metadata(self, api_key: str, completion_id: str, metadata: dict[str, str]) -> Record | None:
        with self._lock:
            changed = self._db.execute("UPDATE completions SET metadata = ? WHERE key = ? AND id = ?",
                                       (json_text(metadata), key_digest(api_key), completion_id)).rowcount
        return self.get(api_key, completion_id) if changed else None

    def delete(self, api_key: str, completion_id: str) -> bool:
        with self._lock:
            return self._db.execute("DELETE FROM completions WHERE key = ? AND id = ?",
                                    (key_digest(api_key), completion_id)).rowcount > 0

    def clear(self) -> None:
        with self._lock:
            self._db.execute("DELETE FROM completions")

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __len__(self) -> int:
        with self._lock:
            return self._db.execute("SELECT count(*) FROM completions").fetchone()[0]


def open_store(path: str | Path | None, cap: int) -> MemoryStore | SQLiteStore:
    return SQLiteStore(path, cap) if path else MemoryStore(cap)
