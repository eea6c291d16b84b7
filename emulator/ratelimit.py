"""Per-key request and token budgets behind the `x-ratelimit-*` headers.

Each API key has a fixed one-minute window, opened by its first request: remaining counts go down
with each request and come back whole when the window ends, so every reset header says when that
is. With `enforce`, a request over budget gets the live 429, with the same headers and the retry ones.

Keys are client-chosen, so the table is bounded (`max_keys`, ordered by when each window opened):
a key whose window has ended is idle and is dropped first; a key inside its window is never
dropped, so a flood of new keys cannot give anyone their budget back. While the table is full of
active keys, a new key's request is counted on its own (it gets a fresh window's headers).
"""
from __future__ import annotations

import time
from collections import OrderedDict
from dataclasses import dataclass

from mypy_extensions import mypyc_attr

from .contract import errors

WINDOW = 60.0
MAX_KEYS = 10000


def go_duration(seconds: float) -> str:
    """Go's `time.Duration` text, as the live headers use it: `120ms`, `17.22s`, `6m0s`."""
    if seconds < 1:
        return f"{max(int(seconds * 1000), 0)}ms"
    if seconds < 60:
        return _seconds_text(_milliseconds(seconds))
    minutes, rest = divmod(seconds, 60)
    return f"{int(minutes)}m{round(rest, 3):g}s"


def _milliseconds(seconds: float) -> int:
    """`seconds` rounded to the millisecond as `round(seconds, 3)` rounds it (correctly, from the exact
    binary value): by scaling, cheap, except within a float's error of a tie, where `round` decides."""
    scaled = seconds * 1000
    milliseconds = round(scaled)
    if abs(scaled - milliseconds) > 0.49999:
        return round(round(seconds, 3) * 1000)
    return milliseconds


def _seconds_text(milliseconds: int) -> str:
    """`17.22s` for 17220 ms: the seconds with the millisecond digits up to the last nonzero one, as
    `f"{round(seconds, 3):g}s"` writes them below a minute, from integers (no float-to-text conversion)."""
    whole, part = divmod(milliseconds, 1000)
    if part == 0:
        return f"{whole}s"
    return f"{whole}.{str(1000 + part)[1:].rstrip('0')}s"


@dataclass(slots=True)
class Budget:
    window_start: float
    requests: int = 0
    tokens: int = 0
    counted_at: float = 0.0  # when the last request was counted (the headers' clock)


@mypyc_attr(allow_interpreted_subclasses=True)  # --workers subclasses it (emulator/workers/)
class RateLimiter:
    def __init__(self, requests_per_minute: int = 10000, tokens_per_minute: int = 30000000,
                 enforce: bool = False, max_keys: int = MAX_KEYS) -> None:
        self.requests_per_minute = requests_per_minute
        self.tokens_per_minute = tokens_per_minute
        self.enforce = enforce
        self.max_keys = max(max_keys, 1)
        self._limit_requests, self._limit_tokens = str(requests_per_minute), str(tokens_per_minute)
        # `_headers_at`'s six headers as lines: the limits written in, the rest left to fill.
        self._lines = (b"x-ratelimit-limit-requests: %d\r\nx-ratelimit-limit-tokens: %d\r\n"
                       % (requests_per_minute, tokens_per_minute)
                       + b"x-ratelimit-remaining-requests: %d\r\nx-ratelimit-remaining-tokens: %d\r\n"
                       b"x-ratelimit-reset-requests: %b\r\nx-ratelimit-reset-tokens: %b\r\n")
        self._budgets: OrderedDict[str, Budget] = OrderedDict()  # oldest window first
        # The last reset text and the milliseconds it was written from: under load many requests in
        # a row fall in the same millisecond, so the text is reused.
        self._reset_ms, self._reset_text, self._reset_bytes = -1, "", b""

    def reset(self) -> None:
        self._budgets.clear()

    def admit(self, key: str, tokens: int, model: str) -> None:
        """Before any work: the live 429 (when enforcing) for a request that cannot fit, `tokens`
        being what it will take at least (its prompt). A limited client costs no generation."""
        if self.enforce:
            self._check(self._budget(key), tokens, model)

    def consume(self, key: str, tokens: int, model: str) -> dict[str, str]:
        """Count one request of `tokens` tokens; the headers to send (or the live 429 when enforcing)."""
        budget = self.count(key, tokens, model)
        return self._headers_at(budget, budget.counted_at)

    def consume_lines(self, key: str, tokens: int, model: str) -> bytes:
        """`consume`, its headers as ready lines (wire/head.py): the same names, order and values."""
        budget = self.count(key, tokens, model)
        return self._lines_at(budget, budget.counted_at)

    def count(self, key: str, tokens: int, model: str) -> Budget:
        """Count one request of `tokens` tokens (or raise the live 429 when enforcing): its key's budget."""
        now = time.monotonic()
        budget = self._budgets.get(key)
        if budget is None or now - budget.window_start >= WINDOW:
            budget = self._budget(key)
        if self.enforce:
            self._check(budget, tokens, model)
        budget.requests += 1
        budget.tokens += tokens
        budget.counted_at = now
        return budget

    def _budget(self, key: str) -> Budget:
        """The key's budget in its current window, opening a new window when there is none."""
        now = time.monotonic()
        budget = self._budgets.get(key)
        if budget is not None:
            if now - budget.window_start < WINDOW:
                return budget
            del self._budgets[key]  # its window ended: the new one goes to the end of the order
        self._drop_idle(now)
        budget = Budget(now)
        if len(self._budgets) < self.max_keys:
            self._budgets[key] = budget
        return budget

    def _check(self, budget: Budget, tokens: int, model: str) -> None:
        if budget.requests + 1 > self.requests_per_minute:
            raise self._limited(budget, model, "requests", self.requests_per_minute, budget.requests, 1)
        if budget.tokens + tokens > self.tokens_per_minute:
            raise self._limited(budget, model, "tokens", self.tokens_per_minute, budget.tokens, tokens)

    def _drop_idle(self, now: float) -> None:
        """Forget keys whose window has ended (the oldest windows come first, so the scan stops at
        the first active one)."""
        while self._budgets:
            key, budget = next(iter(self._budgets.items()))
            if now - budget.window_start < WINDOW:
                return
            del self._budgets[key]

    def _limited(self, budget: Budget, model: str, kind: str, limit: int, used: int, requested: int) -> errors.ApiError:
        reset = _until_reset(budget)
        error = errors.rate_limited(model, kind, limit, used, requested, go_duration(reset))
        error.headers.update(self.headers(budget))
        error.headers["retry-after"] = str(max(int(reset + 0.999), 1))
        error.headers["retry-after-ms"] = str(int(reset * 1000))
        error.headers["x-should-retry"] = "true"
        return error

    def headers(self, budget: Budget) -> dict[str, str]:
        """The `x-ratelimit-*` headers: both resets say when the window ends and the budgets come back."""
        return self._headers_at(budget, time.monotonic())

    def _headers_at(self, budget: Budget, now: float) -> dict[str, str]:
        requests, tokens = budget.requests, budget.tokens
        reset = self._reset_at(budget.window_start + WINDOW - now) if requests or tokens else "0s"
        left_requests, left_tokens = self.requests_per_minute - requests, self.tokens_per_minute - tokens
        return {
            "x-ratelimit-limit-requests": self._limit_requests,
            "x-ratelimit-limit-tokens": self._limit_tokens,
            "x-ratelimit-remaining-requests": str(left_requests) if left_requests > 0 else "0",
            "x-ratelimit-remaining-tokens": str(left_tokens) if left_tokens > 0 else "0",
            "x-ratelimit-reset-requests": reset if requests else "0s",
            "x-ratelimit-reset-tokens": reset if tokens else "0s",
        }

    def _lines_at(self, budget: Budget, now: float) -> bytes:
        """`_headers_at`'s headers as ready lines (digits and durations: nothing to check)."""
        requests, tokens = budget.requests, budget.tokens
        reset = b"0s"
        if requests or tokens:
            text = self._reset_at(budget.window_start + WINDOW - now)
            reset = self._reset_bytes if text is self._reset_text else text.encode()  # the remembered text's bytes
        left_requests, left_tokens = self.requests_per_minute - requests, self.tokens_per_minute - tokens
        return self._lines % (left_requests if left_requests > 0 else 0, left_tokens if left_tokens > 0 else 0,
                              reset if requests else b"0s", reset if tokens else b"0s")

    def _reset_at(self, seconds: float) -> str:
        """`go_duration(seconds)`, reused while the seconds round to the same millisecond (between 1 s
        and a minute the text depends on nothing else)."""
        if not 1 <= seconds < 60:
            return go_duration(max(seconds, 0.0))
        milliseconds = _milliseconds(seconds)
        if milliseconds != self._reset_ms:
            text = _seconds_text(milliseconds)
            self._reset_ms, self._reset_text, self._reset_bytes = milliseconds, text, text.encode()
        return self._reset_text


def _until_reset(budget: Budget) -> float:
    """Seconds until `budget`'s window ends."""
    return max(budget.window_start + WINDOW - time.monotonic(), 0.0)
