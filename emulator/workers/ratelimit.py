"""Rate-limit budgets in the shared state: every worker counts against the same per-key window."""
from __future__ import annotations

import time

from ..ratelimit import WINDOW, Budget, RateLimiter
from ..store import key_digest
from .db import SharedDB


class SharedRateLimiter(RateLimiter):
    """The windows start on the wall clock (the workers' monotonic clocks need not agree)."""

    def __init__(self, shared: SharedDB, requests_per_minute: int, tokens_per_minute: int, enforce: bool) -> None:
        super().__init__(requests_per_minute, tokens_per_minute, enforce)
        self.shared = shared

    def reset(self) -> None:
        with self.shared.transaction() as db:
            db.execute("DELETE FROM budgets")

    def consume(self, key: str, tokens: int, model: str) -> dict[str, str]:
        now, key = time.time(), key_digest(key)  # keys never in clear on disk
        with self.shared.transaction() as db:
            row = db.execute("SELECT window_start, requests, tokens FROM budgets WHERE key = ?", (key,)).fetchone()
            budget = Budget(now) if row is None or now - row[0] >= WINDOW else Budget(row[0], row[1], row[2])
            reset = budget.window_start + WINDOW - now
            if self.enforce:
                if budget.requests + 1 > self.requests_per_minute:
                    raise self._limited(model, "requests", self.requests_per_minute, budget.requests, 1, reset)
                if budget.tokens + tokens > self.tokens_per_minute:
                    raise self._limited(model, "tokens", self.tokens_per_minute, budget.tokens, tokens, reset)
            budget.requests += 1
            budget.tokens += tokens
            db.execute("INSERT OR REPLACE INTO budgets VALUES (?, ?, ?, ?)",
                       (key, budget.window_start, budget.requests, budget.tokens))
        return self.headers(budget)
