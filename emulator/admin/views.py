"""Journal entries as the admin API shows them: a summary for lists, every detail for one entry."""
from __future__ import annotations

from typing import Any

from ..journal import JournalEntry


def summary(entry: JournalEntry) -> dict[str, Any]:
    error = entry.error
    return {
        "id": entry.id, "time": entry.time, "method": entry.method, "path": entry.path,
        "model": entry.model, "matched": entry.matched, "status": entry.status,
        "duration_ms": round(entry.duration_ms, 3), "stream": entry.stream, "usage": entry.usage,
        "error": error.get("message") if error else None, "truncated": entry.truncated,
        "fault": entry.fault, "chaos": entry.chaos,
        **({"worker": entry.extra["worker"]} if "worker" in entry.extra else {}),  # --workers: the pid that served it
    }


def detail(entry: JournalEntry) -> dict[str, Any]:
    events = [e.decode("utf-8", "replace") for e in entry.events] if entry.events is not None else None
    offsets = entry.event_offsets_ms or []
    return {
        **summary(entry),
        "headers": _redact(entry.headers), "request": entry.body, "response": entry.response,
        "events": None if events is None else [
            {"data": text, "offset_ms": offsets[i] if i < len(offsets) else None} for i, text in enumerate(events)],
        "size": entry.size, "delivery": entry.delivery, "ended_ms": entry.ended_ms,
        "retry_headers": entry.retry_headers,
        "near_misses": None if entry.near_misses is None else [m.to_json() for m in entry.near_misses],
        **({"pacing": entry.extra["pacing"]} if "pacing" in entry.extra else {}),  # what a paced stream drew
    }


# Headers that carry a key by themselves (Azure's `api-key`, gateways' `x-api-key`).
KEY_HEADERS = ("api-key", "x-api-key")


def _redact(headers: dict[str, str]) -> dict[str, str]:
    """Keys stay out of the inspector: only the last four characters of a key are shown."""
    out = dict(headers)
    auth = out.get("authorization")
    if auth:
        scheme, _, key = auth.partition(" ")
        out["authorization"] = f"{scheme} {_masked(key)}"
    for name in KEY_HEADERS:
        if name in out:
            out[name] = _masked(out[name])
    return out


def _masked(key: str) -> str:
    return f"...{key[-4:]}" if len(key) > 8 else "***"
