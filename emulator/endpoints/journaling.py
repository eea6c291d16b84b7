"""Endpoints that journal themselves (chat, embeddings): with the matched scenario, near misses, and
stream events, which the generic `JournalMiddleware` cannot see."""
from __future__ import annotations

import time
from typing import Any

from ..contract.errors import ApiError
from ..journal import JOURNAL_ENTRY, RETRY_HEADERS
from ..respond import NoScenarioMatched
from .shell import Exchange


def begin_journal(ex: Exchange) -> None:
    """Open the journal entry first (the access log reads it), and close it with the answer."""
    # ASGI header names are already lower-case; one pass here (Starlette's Headers looks each key up again).
    headers = {name.decode("latin-1"): value.decode("latin-1") for name, value in ex.request.scope["headers"]}
    entry = ex.request.scope[JOURNAL_ENTRY] = ex.state.journal.start(
        "POST", ex.request.scope["path"], headers, ex.request.scope.get("query_string", b"").decode("latin-1"))

    def record(response: Any, error: ApiError | None) -> None:
        if error is not None:
            entry.status, entry.response = error.status, ex.profile.error_payload(error)
            entry.matched = error.scenario  # a scripted error names its scenario
            entry.retry_headers = {name: error.headers[name] for name in RETRY_HEADERS if name in error.headers}
            if isinstance(error, NoScenarioMatched):
                entry.near_misses = error.near_misses
        entry.duration_ms = (time.perf_counter() - ex.started) * 1000
        ex.state.journal.add(entry, len(getattr(response, "body", b"")))  # streams: their events give the size

    ex.after = record
