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

TRIM_EVERY = 64  # entries between checks of the byte bound (a sum over the table)


class SharedJournal(Journal):
    def __init__(self, shared: SharedDB, max_entries: int, max_bytes: int) -> None:
        super().__init__(max_entries, max_bytes)
        self.shared = shared
        self._added = 0

    def _keep(self, entry: JournalEntry) -> None:
        entry.extra["worker"] = os.getpid()
        with self.shared.transaction() as db:
            entry.id = db.execute("INSERT INTO journal (size, entry) VALUES (?, x'')", (entry.size,)).lastrowid or 0
            db.execute("UPDATE journal SET entry = ? WHERE id = ?", (pickle.dumps(entry), entry.id))
            db.execute("DELETE FROM journal WHERE id <= ?", (entry.id - self.max_entries,))
            self._added += 1
            if self._added % TRIM_EVERY == 0:
                db.execute("DELETE FROM journal WHERE id <= (SELECT id FROM (SELECT id, SUM(size) OVER "
                           "(ORDER BY id DESC) AS kept FROM journal) WHERE kept > ? ORDER BY id DESC LIMIT 1)",
                           (self.max_bytes,))

    def clear(self) -> None:
        with self.shared.transaction() as db:
            db.execute("DELETE FROM journal")
        self._notify("cleared", None)

    def get(self, entry_id: int) -> JournalEntry | None:
        rows = self.shared.query("SELECT entry FROM journal WHERE id = ?", (entry_id,))
        return pickle.loads(rows[0][0]) if rows else None

    def entries(self) -> list[JournalEntry]:
        return [pickle.loads(row[0]) for row in self.shared.query("SELECT entry FROM journal ORDER BY id")]

    def stats(self) -> dict[str, int]:
        count, size, last = self.shared.query("SELECT count(*), coalesce(sum(size), 0), coalesce(max(id), 0) "
                                              "FROM journal")[0]
        return {"entries": count, "bytes": size, "dropped": max(last - count, 0),
                "max_entries": self.max_entries, "max_bytes": self.max_bytes}

    def __len__(self) -> int:
        return int(self.shared.query("SELECT count(*) FROM journal")[0][0])
