"""The request journal: what each request asked and what it got, newest last, bounded."""
from __future__ import annotations

import itertools
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Iterator


@dataclass
class JournalEntry:
    id: int
    time: float  # unix seconds when the request arrived
    method: str
    path: str
    headers: dict[str, str]
    body: Any  # the parsed JSON body (or None)
    status: int = 0
    response: Any = None  # the JSON body sent; for streams, the assembled completion
    matched: str | None = None  # "builtin", a scenario name, or None when the request failed before
    duration_ms: float = 0.0
    stream: bool = False
    events: list[bytes] | None = None  # the SSE events, for streams
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def model(self) -> str | None:
        return self.body.get("model") if isinstance(self.body, dict) else None

    @property
    def messages(self) -> list[dict[str, Any]]:
        return (self.body.get("messages") or []) if isinstance(self.body, dict) else []


class Journal:
    """A bounded log: past `max_entries` the oldest entries are dropped."""

    def __init__(self, max_entries: int = 1000) -> None:
        self._entries: deque[JournalEntry] = deque(maxlen=max_entries)
        self._ids = itertools.count(1)
        self.listeners: list[Any] = []  # callables told of each finished entry (the live inspector)

    def start(self, method: str, path: str, headers: dict[str, str]) -> JournalEntry:
        return JournalEntry(next(self._ids), time.time(), method, path, headers, None)

    def add(self, entry: JournalEntry) -> None:
        self._entries.append(entry)
        for listener in self.listeners:
            listener(entry)

    def clear(self) -> None:
        self._entries.clear()

    def __iter__(self) -> Iterator[JournalEntry]:
        return iter(list(self._entries))

    def __len__(self) -> int:
        return len(self._entries)

    def entries(self) -> list[JournalEntry]:
        return list(self._entries)
