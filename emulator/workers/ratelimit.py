"""Rate-limit budgets in the shared state: every worker counts against the same per-key window.

The same fixed one-minute windows as `ratelimit.RateLimiter`, kept in one table: counting is one
upsert (a new window when the last has ended), so two workers never lose a count. The table holds
window starts on the wall clock (the workers' monotonic clocks need not agree); a budget read back
is moved onto this worker's monotonic clock for the headers. Keys are stored as SHA-256 digests.
"""
from __future__ import annotations

import time

from ..contract.errors import ApiError
from ..ratelimit import WINDOW, Budget, RateLimiter
from ..store import key_digest
from .db import SharedDB

COUNT = """
INSERT INTO budgets VALUES (:key, :now, 1, :tokens) ON CONFLICT(key) DO UPDATE SET
    requests = CASE WHEN :now - window_start >= :window THEN 1 ELSE requests + 1 END,
    tokens = CASE WHEN :now - window_start >= :window THEN :tokens ELSE tokens + :tokens END,
    window_start = CASE WHEN :now - window_start >= :window THEN :now ELSE window_start END
RETURNING window_start, requests, tokens
"""
UNCOUNT = "UPDATE budgets SET requests = requests - 1, tokens = tokens - :tokens WHERE key = :key"
FORGET_IDLE_EVERY = 256  # new windows between sweeps of the keys whose window has ended


class SharedRateLimiter(RateLimiter):
    def __init__(self, shared: SharedDB, requests_per_minute: int, tokens_per_minute: int, enforce: bool) -> None:
        super().__init__(requests_per_minute, tokens_per_minute, enforce)
        self.shared = shared
        self._windows = 0

    def reset(self) -> None:
        with self.shared.transaction() as db:
            db.execute("DELETE FROM budgets")

    def admit(self, key: str, tokens: int, model: str) -> None:
        if self.enforce:
            rows = self.shared.query("SELECT window_start, requests, tokens FROM budgets WHERE key = ?",
                                     (key_digest(key),))
            if rows and time.time() - rows[0][0] < WINDOW:
                self._check(_local(rows[0]), tokens, model)

    def count(self, key: str, tokens: int, model: str) -> Budget:
        digest, now = key_digest(key), time.time()
        row = self.shared.query(COUNT, {"key": digest, "now": now, "tokens": tokens, "window": WINDOW})[0]
        budget = _local(row)
        if budget.requests == 1:
            self._forget_idle(now)
        if self.enforce:
            try:
                self._check(Budget(budget.window_start, budget.requests - 1, budget.tokens - tokens), tokens, model)
            except ApiError:
                self.shared.query(UNCOUNT, {"key": digest, "tokens": tokens})  # a refused request uses no budget
                raise
        budget.counted_at = time.monotonic()
        return budget

    def _forget_idle(self, now: float) -> None:
        self._windows += 1
        if self._windows % FORGET_IDLE_EVERY == 0:  # keys are client-chosen: keep the table bounded
            self.shared.query("DELETE FROM budgets WHERE window_start <= ?", (now - WINDOW,))


def _local(row: tuple) -> Budget:
    """A budget read from the table, its window start moved onto this process's monotonic clock."""
    window_start, requests, tokens = row
    return Budget(window_start - time.time() + time.monotonic(), requests, tokens)
