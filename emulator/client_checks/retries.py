"""Retries: which requests repeat a failed one, and whether the client waited and stopped as asked.

A request is a **retry** when its method, path, API key (the `authorization` or Azure `api-key` header) and body equal
those of an earlier request that failed (an error status, or a stream or reply that a fault cut,
reset or the client hung up on) and that has not been repeated since. A chain of attempts goes on
while the attempts fail; a success ends it. The **wait** before a retry runs from the end of the
failed response (its last byte, or when the endpoint handed it over) to the retry's arrival.
"""
from __future__ import annotations

import email.utils
from itertools import pairwise
from dataclasses import dataclass, field
from typing import Any

from ..journal import JournalEntry
from .findings import Finding, canonical, credential, ids_text, label, ms, plural

# Statuses a correct client never retries unless the response says `x-should-retry: true`.
NON_RETRYABLE = (400, 401, 403, 404, 422)
FAILED_DELIVERIES = ("cut", "reset", "hung_up")
TOLERANCE_MS = 1.0  # timer granularity: a client that slept exactly as asked always passes
BACKOFF_MS = 100.0  # the least first back-off counted as backing off (the official SDK waits >= 375 ms)
BACKOFF_FLOOR_CAP_MS = 5000.0  # back-off floors double up to this (the SDK caps its own at 8 s minus jitter)


def failed(entry: JournalEntry) -> bool:
    return entry.status >= 400 or entry.delivery in FAILED_DELIVERIES


def asked_wait_ms(entry: JournalEntry) -> float | None:
    """The wait the response asked for, read as the official SDKs read it: `retry-after-ms` first, then
    `retry-after` in seconds or as an HTTP date. None when it asked for none."""
    headers = entry.retry_headers
    for name, scale in (("retry-after-ms", 1.0), ("retry-after", 1000.0)):
        try:
            value = float(headers[name]) * scale
        except (KeyError, ValueError):
            continue
        return value if value > 0 else None
    try:
        when = email.utils.parsedate_to_datetime(headers["retry-after"])
    except (KeyError, TypeError, ValueError):
        return None
    return max((when.timestamp() - entry.time) * 1000, 0.0) or None


@dataclass
class RetryChain:
    """A failed request and the client's repeats of it, in order."""

    attempts: list[JournalEntry] = field(default_factory=list)

    @property
    def retries(self) -> int:
        return len(self.attempts) - 1

    @property
    def gave_up(self) -> bool:
        return failed(self.attempts[-1])

    def waits_ms(self) -> list[float]:
        return [(after.arrived - before.finished) * 1000 for before, after in pairwise(self.attempts)]

    def as_dict(self) -> dict[str, Any]:
        return {"requests": [e.id for e in self.attempts], "statuses": [e.status for e in self.attempts],
                "deliveries": [e.delivery for e in self.attempts],
                "waits_ms": [round(w, 3) for w in self.waits_ms()],
                "asked_ms": [asked_wait_ms(e) for e in self.attempts[:-1]],
                "outcome": "gave_up" if self.gave_up else "succeeded"}


def retry_chains(entries: list[JournalEntry]) -> list[RetryChain]:
    """Every failed request with its retries (none, when the client did not repeat it), oldest first."""
    open_chains: dict[tuple[str, str, str, str], RetryChain] = {}
    chains: list[RetryChain] = []
    for entry in entries:
        key = (entry.method, entry.path, credential(entry), canonical(entry.body))
        chain = open_chains.get(key)
        if chain is not None:
            chain.attempts.append(entry)
        elif failed(entry):
            chain = RetryChain([entry])
            chains.append(chain)
        if chain is not None and not failed(entry):
            del open_chains[key]
        elif chain is not None:
            open_chains[key] = chain
    return chains


def retry_findings(chains: list[RetryChain], *, backoff_ms: float = BACKOFF_MS, max_retries: int | None = None,
                   non_retryable: tuple[int, ...] = NON_RETRYABLE) -> list[Finding]:
    """What each retry did wrong: too soon for what was asked, no back-off, against `x-should-retry:
    false`, of a status in `non_retryable`; and chains longer than `max_retries`."""
    found: list[Finding] = []
    for chain in chains:
        for n, ((before, after), wait) in enumerate(zip(pairwise(chain.attempts), chain.waits_ms(), strict=True)):
            found.extend(_retry_problems(before, after, wait, n, backoff_ms, non_retryable))
        if max_retries is not None and chain.retries > max_retries:
            ids = [e.id for e in chain.attempts]
            found.append(Finding("retry_budget_exceeded", ids,
                                 f"{label(chain.attempts[0])} was retried {plural(chain.retries, 'time')} "
                                 f"(requests {ids_text(ids[1:])}); the budget is {max_retries}"))
    return found


def _retry_problems(before: JournalEntry, after: JournalEntry, wait: float, n: int, backoff_ms: float,
                    non_retryable: tuple[int, ...]) -> list[Finding]:
    ids, what = [before.id, after.id], f"{label(after)} retried {label(before)} ({_failure(before)})"
    found = []
    asked = asked_wait_ms(before)
    if asked is not None and wait + TOLERANCE_MS < asked:
        found.append(Finding("retry_too_soon", ids, f"{what} after {ms(wait)}; the response asked for "
                                                    f"{ms(asked)} ({_asked_by(before)})"))
    floor = min(backoff_ms * 2 ** n, BACKOFF_FLOOR_CAP_MS)
    if asked is None and backoff_ms > 0 and wait + TOLERANCE_MS < floor:
        found.append(Finding("retry_without_backoff", ids, f"{what} after {ms(wait)}; exponential back-off "
                                                           f"waits at least {ms(floor)} before retry {n + 1}"))
    should_retry = before.retry_headers.get("x-should-retry")
    if should_retry == "false":
        found.append(Finding("retry_despite_should_retry_false", ids,
                             f"{what}; the response said x-should-retry: false"))
    if before.status in non_retryable and should_retry != "true":
        found.append(Finding("retry_of_non_retryable", ids,
                             f"{what}; a {before.status} fails the same way every time and is not retried"))
    return found


def _failure(entry: JournalEntry) -> str:
    if entry.status >= 400:
        code = (entry.error or {}).get("code") or (entry.error or {}).get("type")
        return f"{entry.status} {code}" if code else str(entry.status)
    return f"stream {entry.delivery}" if entry.stream else f"connection {entry.delivery}"


def _asked_by(entry: JournalEntry) -> str:
    return ", ".join(f"{name}: {value}" for name, value in entry.retry_headers.items() if name != "x-should-retry")
