"""The journal in the shared state, so the admin API and the inspector of any worker show every request.

Entries are pickled when journaled (a stream's per-event timings, noted later while it is sent,
stay in the worker that sent it) and carry the pid of the worker that served them
(`extra["worker"]`, shown by the admin API). Ids come from the shared table: unique across workers.
The live inspector's push of new entries is per worker; listing reads them all.
"""
from __future__ import annotations

import os
import pickle

from ..journal import Journal, JournalEntry
from .db import SharedDB

TRIM_EVERY = 32  # entries between trims to the bounds (the byte bound sums over the table)


class SharedJournal(Journal):
    defers = False  # its readers are other processes: an entry is in the table before its answer leaves
    def __init__(self, shared: SharedDB, max_entries: int, max_bytes: int) -> None:
        super().__init__(max_entries, max_bytes)
        self.shared = shared
        self._added = 0

    def _keep(self, entry: JournalEntry) -> None:
        entry.extra["worker"] = os.getpid()
        entry.id = self.shared.insert("INSERT INTO journal (size, entry) VALUES (?, ?)", (entry.size, pickle.dumps(entry)))
        self._added += 1
        if self._added % TRIM_EVERY == 0:  # the bounds, now and then (reads never show more than the count bound)
            with self.shared.transaction() as db:
                db.execute("DELETE FROM journal WHERE id <= ?", (entry.id - self.max_entries,))
                db.execute("DELETE FROM journal WHERE id <= (SELECT id FROM (SELECT id, SUM(size) OVER "
                           "(ORDER BY id DESC) AS kept FROM journal) WHERE kept > ? ORDER BY id DESC LIMIT 1)",
                           (self.max_bytes,))

    def clear(self) -> None:
        with self.shared.transaction() as db:
            db.execute("DELETE FROM journal")
        self._notify("cleared", None)

    def get(self, entry_id: int) -> JournalEntry | None:
        rows = self.shared.query(f"SELECT id, entry FROM ({NEWEST}) WHERE id = ?", (self.max_entries, entry_id))
        return _loaded(rows[0]) if rows else None

    def entries(self) -> list[JournalEntry]:
        return [_loaded(row) for row in self.shared.query(f"SELECT id, entry FROM ({NEWEST}) ORDER BY id",
                                                          (self.max_entries,))]

    def stats(self) -> dict[str, int]:
        count, size = self.shared.query(f"SELECT count(*), coalesce(sum(size), 0) FROM ({NEWEST})",
                                        (self.max_entries,))[0]
        return {"entries": count, "bytes": size, "dropped": 0, "max_entries": self.max_entries,
                "max_bytes": self.max_bytes}

    def __len__(self) -> int:
        return self.stats()["entries"]


NEWEST = "SELECT id, size, entry FROM journal ORDER BY id DESC LIMIT ?"  # within the count bound


def _loaded(row: tuple) -> JournalEntry:
    entry: JournalEntry = pickle.loads(row[1])
    entry.id = row[0]  # assigned by the insert, after the entry was pickled
    return entry
