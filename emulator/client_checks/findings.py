"""A finding: one thing a client did wrong, naming the requests (journal ids and times) involved."""
from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

from ..journal import JournalEntry


@dataclass
class Finding:
    check: str  # e.g. "retry_too_soon": what kind of misbehaviour
    requests: list[int]  # the journal ids involved, oldest first
    message: str  # one sentence: the requests, what was expected and what happened

    def as_dict(self) -> dict[str, Any]:
        return {"check": self.check, "requests": self.requests, "message": self.message}


def label(entry: JournalEntry) -> str:
    """`#12 (14:03:07.215)`: the journal id and the local time the request arrived."""
    whole = int(entry.time)
    return f"#{entry.id} ({time.strftime('%H:%M:%S', time.localtime(whole))}.{int((entry.time - whole) * 1000):03d})"


def ms(value: float) -> str:
    return f"{value:.1f} ms"


def canonical(value: Any) -> str:
    """One spelling of a JSON value, so equal values compare equal whatever their key order."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def credential(entry: JournalEntry) -> str:
    """Who sent the request: its `authorization` header, or Azure's `api-key`."""
    return entry.headers.get("authorization") or entry.headers.get("api-key", "")


def is_chat(entry: JournalEntry) -> bool:
    return entry.method == "POST" and entry.path.endswith("/chat/completions") and isinstance(entry.body, dict)


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def ids_text(ids: list[int]) -> str:
    return ", ".join(f"#{i}" for i in ids)
