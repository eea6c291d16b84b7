"""Journal entries as the admin API shows them: a summary for lists, every detail for one entry."""
from __future__ import annotations

from typing import Any

from ..journal import JournalEntry
from ..key_masking import header_key, masked_headers, masked_query


def summary(entry: JournalEntry) -> dict[str, Any]:
    error = entry.error
    return {
        "id": entry.id, "time": entry.time, "method": entry.method, "path": entry.path, "query": masked_query(entry.query, header_key(entry.headers)),
        "model": entry.model, "matched": entry.matched, "status": entry.status,
        "duration_ms": round(_duration_ms(entry), 3), "ttft_ms": _ttft_ms(entry), "delivery": entry.delivery,
        "stream": entry.stream, "usage": entry.usage,
        "error": error.get("message") if error else None, "truncated": entry.truncated,
        "fault": entry.fault, "chaos": entry.chaos,
        **({"worker": entry.extra["worker"]} if "worker" in entry.extra else {}),  # --workers: the pid that served it
    }


def _duration_ms(entry: JournalEntry) -> float:
    """Until the last byte went out (or the client left), as the access log measures: a paced stream's
    time. While a stream is still sending (`delivery` "sending"), until the endpoint handed it over."""
    return entry.ended_ms if entry.ended_ms is not None else entry.duration_ms


def _ttft_ms(entry: JournalEntry) -> float | None:
    """A stream's time to its first chunk, when the send times were recorded."""
    return entry.event_offsets_ms[0] if entry.stream and entry.event_offsets_ms else None


def detail(entry: JournalEntry) -> dict[str, Any]:
    events = [e.decode("utf-8", "replace") for e in entry.events] if entry.events is not None else None
    offsets = entry.event_offsets_ms or []
    return {
        **summary(entry),
        "headers": masked_headers(entry.headers), "request": entry.body, "response": entry.response,
        "events": None if events is None else [
            {"data": text, "offset_ms": offsets[i] if i < len(offsets) else None} for i, text in enumerate(events)],
        "size": entry.size, "delivery": entry.delivery, "ended_ms": entry.ended_ms,
        "retry_headers": entry.retry_headers,
        "near_misses": None if entry.near_misses is None else [m.to_json() for m in entry.near_misses],
        **({"pacing": entry.extra["pacing"]} if "pacing" in entry.extra else {}),  # what a paced stream drew
    }
