"""Streams: whether the client read each stream to its end, and what it did with a cut one.

How a stream ended comes from `delivery.py`: `complete`, `cut` (a `cut_after` or `error_event` fault
ended the answer early), `reset` (`connection_reset`) or `hung_up` (the client closed the connection
first; seen only while the server still writes: paced streams and faults; before the first byte it
is the client's timeout, not a stream left half-read). After a cut, a client
either **retried** (the same request again, retries.py), **accepted** the partial answer (its next
request in the conversation carries it as an assistant message: the first part of the full answer,
not all of it) or **reported** the failure (neither).
"""
from __future__ import annotations

import json
from typing import Any

from ..journal import JournalEntry
from .conversations import Conversation, Turn, text_of
from .findings import Finding, label, ms, plural
from .retries import RetryChain

CUT = ("cut", "reset")
# A client may well close these streams early: the fault itself spoils the answer.
SPOILING_FAULTS = ("stall", "malformed_chunk", "error_event", "cut_after", "connection_reset")


def events_sent(entry: JournalEntry) -> int:
    """How many of the stream's events went out (whole), from the bytes written."""
    total, count = 0, 0
    for event in entry.events or ():
        total += len(event)
        if total > entry.bytes_sent:
            break
        count += 1
    return count


def partial_text(entry: JournalEntry) -> str:
    """The content a cut stream delivered before the cut."""
    text = []
    for line in b"".join(entry.cut_body or ()).split(b"\n"):
        if not line.startswith(b"data: {"):
            continue
        try:
            chunk = json.loads(line[6:])
        except ValueError:
            continue
        for choice in chunk.get("choices") or ():
            if choice.get("index", 0) == 0:
                text.append((choice.get("delta") or {}).get("content") or "")
    return "".join(text)


def stream_report(entry: JournalEntry, after_cut: str | None) -> dict[str, Any]:
    return {"request": entry.id, "delivery": entry.delivery, "fault": entry.fault,
            "events_sent": events_sent(entry) if entry.fault is None else None,
            "events": len(entry.events or ()), "ended_ms": entry.ended_ms, "after_cut": after_cut}


def stream_findings(entries: list[JournalEntry], chains: list[RetryChain],
                    talks: list[Conversation]) -> tuple[list[dict[str, Any]], list[Finding]]:
    """A line per stream and the findings: streams abandoned early, cut answers accepted as whole."""
    retried = {chain.attempts[i].id for chain in chains for i in range(chain.retries)}
    turns = {entry.id: turn for talk in talks for turn in talk.turns for entry in turn.entries}
    reports, found = [], []
    for entry in entries:
        if not entry.stream or entry.delivery is None:
            continue
        after_cut = None
        if entry.delivery in CUT:
            accepted_by = _accepted_by(entry, turns.get(entry.id))
            after_cut = "retried" if entry.id in retried else "accepted" if accepted_by else "reported"
            if accepted_by is not None:
                found.append(Finding("cut_stream_accepted", [entry.id, accepted_by.id],
                                     f"the stream of {label(entry)} was cut ({entry.fault}) after "
                                     f"{_quoted(partial_text(entry))}; {label(accepted_by)} sent that partial answer "
                                     f"back as the assistant's whole message instead of retrying"))
        elif entry.delivery == "hung_up" and entry.fault not in SPOILING_FAULTS and entry.bytes_sent:
            # (a hang-up before the first byte is a client timeout, not a stream left half-read)
            found.append(Finding("stream_abandoned", [entry.id],
                                 f"the client hung up on the stream of {label(entry)} after "
                                 f"{events_sent(entry)} of {plural(len(entry.events or ()), 'event')} "
                                 f"({ms(entry.ended_ms or 0)} after it arrived); a stream is read to its end "
                                 f"(data: [DONE]) unless it fails"))
        reports.append(stream_report(entry, after_cut))
    return reports, found


def _accepted_by(entry: JournalEntry, turn: Turn | None) -> JournalEntry | None:
    """The later request that carries the cut answer's first part as the assistant's message, if any."""
    if turn is None or not isinstance(entry.response, dict):
        return None
    full = ((entry.response.get("choices") or [{}])[0].get("message") or {}).get("content") or ""
    for child in turn.children:
        message = child.first.messages[len(turn.messages)] if len(child.first.messages) > len(turn.messages) else {}
        content = text_of(message.get("content")) if isinstance(message, dict) else None
        if (isinstance(message, dict) and message.get("role") == "assistant" and isinstance(content, str)
                and content != full and full.startswith(content)):
            return child.first
    return None


def _quoted(text: str) -> str:
    return repr(text if len(text) <= 40 else text[:37] + "...")
