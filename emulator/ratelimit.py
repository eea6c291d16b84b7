"""Per-key request and token budgets behind the `x-ratelimit-*` headers.

Each API key has a one-minute window; remaining counts go down with each request and reset when
the window ends. With `enforce`, a request over budget gets the live 429.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

from .contract import errors

WINDOW = 60.0


def go_duration(seconds: float) -> str:
    """Go's `time.Duration` text, as the live headers use it: `120ms`, `17.22s`, `6m0s`."""
    if seconds < 1:
        return f"{max(int(seconds * 1000), 0)}ms"
    if seconds < 60:
        return f"{round(seconds, 3):g}s"
    minutes, rest = divmod(seconds, 60)
    return f"{int(minutes)}m{round(rest, 3):g}s"


@dataclass
class Budget:
    window_start: float
    requests: int = 0
    tokens: int = 0


class RateLimiter:
    def __init__(self, requests_per_minute: int = 10000, tokens_per_minute: int = 30000000,
                 enforce: bool = False) -> None:
        self.requests_per_minute = requests_per_minute
        self.tokens_per_minute = tokens_per_minute
        self.enforce = enforce
        self._limit_requests, self._limit_tokens = str(requests_per_minute), str(tokens_per_minute)
        self._budgets: dict[str, Budget] = {}

    def reset(self) -> None:
        self._budgets.clear()

    def admit(self, key: str, tokens: int, model: str) -> None:
        """Before any work: the live 429 (when enforcing) for a request that cannot fit, `tokens`
        being what it will take at least (its prompt). A limited client costs no generation."""
        if self.enforce:
            self._check(self._budget(key), tokens, model)

    def consume(self, key: str, tokens: int, model: str) -> dict[str, str]:
        """Count one request of `tokens` tokens; the headers to send (or the live 429 when enforcing)."""
        budget = self._budget(key)
        if self.enforce:
            self._check(budget, tokens, model)
        budget.requests += 1
        budget.tokens += tokens
        return self.headers(budget)

    def _budget(self, key: str) -> Budget:
        now = time.monotonic()
        budget = self._budgets.get(key)
        if budget is None or now - budget.window_start >= WINDOW:
            if len(self._budgets) > 10000:  # keys are client-chosen: keep the table bounded
                self._budgets.clear()
            budget = self._budgets[key] = Budget(now)
        return budget

    def _check(self, budget: Budget, tokens: int, model: str) -> None:
        reset = budget.window_start + WINDOW - time.monotonic()
        if budget.requests + 1 > self.requests_per_minute:
            raise self._limited(model, "requests", self.requests_per_minute, budget.requests, 1, reset)
        if budget.tokens + tokens > self.tokens_per_minute:
            raise self._limited(model, "tokens", self.tokens_per_minute, budget.tokens, tokens, reset)

    def _limited(self, model: str, kind: str, limit: int, used: int, requested: int, reset: float) -> errors.ApiError:
        error = errors.rate_limited(model, kind, limit, used, requested, go_duration(reset))
        error.headers["retry-after"] = str(max(int(reset + 0.999), 1))
        error.headers["retry-after-ms"] = str(int(reset * 1000))
        return error

    def headers(self, budget: Budget) -> dict[str, str]:
        return {
            "x-ratelimit-limit-requests": self._limit_requests,
            "x-ratelimit-limit-tokens": self._limit_tokens,
            "x-ratelimit-remaining-requests": str(max(self.requests_per_minute - budget.requests, 0)),
            "x-ratelimit-remaining-tokens": str(max(self.tokens_per_minute - budget.tokens, 0)),
            # Budgets refill continuously: the reset is the time to win back what was used.
            "x-ratelimit-reset-requests": go_duration(WINDOW * budget.requests / max(self.requests_per_minute, 1)),
            "x-ratelimit-reset-tokens": go_duration(WINDOW * budget.tokens / max(self.tokens_per_minute, 1)),
        }
