"""All the client checks over a journal, as JSON (the admin API, the inspector); `fail_on` for the assertions."""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from ..delivery import SENDING
from ..journal import Journal, JournalEntry
from .agents import tool_call_findings, turn_findings
from .conversations import conversations
from .findings import Finding, plural
from .hygiene import hygiene_findings
from .retries import BACKOFF_MS, NON_RETRYABLE, retry_chains, retry_findings
from .streams import stream_findings

SETTLE_SECONDS = 2.0  # how long the checks wait for streams still going out to end


@dataclass
class CheckOptions:
    backoff_ms: float = BACKOFF_MS  # the least first wait before retrying a failure that asked for none
    max_retries: int | None = None  # the retry budget per failed request (None: not checked)
    max_turns: int | None = None  # model turns per conversation (None: not checked)
    non_retryable: tuple[int, ...] = NON_RETRYABLE


def settled(journal: Journal, timeout: float = SETTLE_SECONDS) -> list[JournalEntry]:
    """The journal's entries once no stream is still going out (or after `timeout`): a client may have
    read a stream's last byte a moment before the server noted it."""
    deadline = time.monotonic() + timeout
    while True:
        entries = journal.entries()
        if time.monotonic() >= deadline or not any(e.delivery == SENDING for e in entries):
            return entries
        time.sleep(0.005)


def client_checks(entries: list[JournalEntry], options: CheckOptions | None = None) -> dict[str, Any]:
    """Every check, as the admin API's `GET /_emulator/client-checks` answers."""
    options = options or CheckOptions()
    chains = retry_chains(entries)
    talks = conversations(entries)
    streams, stream_problems = stream_findings(entries, chains, talks)
    sections = {
        "retries": ({"chains": [c.as_dict() for c in chains]},
                    retry_findings(chains, backoff_ms=options.backoff_ms, max_retries=options.max_retries,
                                   non_retryable=options.non_retryable)),
        "streams": ({"streams": streams}, stream_problems),
        "agents": ({"conversations": [t.as_dict() for t in talks]},
                   [f for t in talks for f in turn_findings(t, options.max_turns) + tool_call_findings(t)]),
        "hygiene": ({}, hygiene_findings(entries)),
    }
    report: dict[str, Any] = {name: {**data, "findings": [f.as_dict() for f in found]}
                              for name, (data, found) in sections.items()}
    report["ok"] = not any(found for _, found in sections.values())
    report["requests"] = len(entries)
    return report


def fail_on(findings: list[Finding], what: str) -> None:
    """Raise an AssertionError listing `findings` (one line each), if any."""
    if findings:
        lines = [f"chat-emulator: {plural(len(findings), 'problem')}: {what}"]
        lines.extend(f"  - [{f.check}] {f.message}" for f in findings)
        raise AssertionError("\n".join(lines))
