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
        # One statement: count the request in the key's window (a new window when the last has ended).
        window_start, requests, used = self.shared.query(COUNT, {"key": key, "now": now, "tokens": tokens,
                                                                 "window": WINDOW})[0]
        budget = Budget(window_start, requests, used)
        if self.enforce and (requests > self.requests_per_minute or used > self.tokens_per_minute):
            self.shared.query(UNCOUNT, {"key": key, "tokens": tokens})  # a refused request uses no budget
            reset = window_start + WINDOW - now
            if requests > self.requests_per_minute:
                raise self._limited(model, "requests", self.requests_per_minute, requests - 1, 1, reset)
            raise self._limited(model, "tokens", self.tokens_per_minute, used - tokens, tokens, reset)
        return self.headers(budget)


COUNT = """
INSERT INTO budgets VALUES (:key, :now, 1, :tokens) ON CONFLICT(key) DO UPDATE SET
    requests = CASE WHEN :now - window_start >= :window THEN 1 ELSE requests + 1 END,
    tokens = CASE WHEN :now - window_start >= :window THEN :tokens ELSE tokens + :tokens END,
    window_start = CASE WHEN :now - window_start >= :window THEN :now ELSE window_start END
RETURNING window_start, requests, tokens
"""
UNCOUNT = "UPDATE budgets SET requests = requests - 1, tokens = tokens - :tokens WHERE key = :key"
