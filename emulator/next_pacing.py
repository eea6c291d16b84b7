"""Pacing for the next N streamed requests, set live through the admin API or `Emulator.pace_next`."""
from __future__ import annotations

import threading
from typing import Any

from .reply import Pacing


class NextPacing:
    """A pacing and how many more streams it applies to (None: every stream until cleared)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pacing: Pacing | None = None
        self._remaining: int | None = None

    def set(self, pacing: Pacing, count: int | None = 1) -> None:
        with self._lock:
            self._pacing, self._remaining = pacing, count

    def clear(self) -> None:
        self.set(None, None)  # type: ignore[arg-type]

    def take(self) -> Pacing | None:
        """The pacing for this stream, counting it against the remaining number."""
        if self._pacing is None:  # the usual case, without taking the lock
            return None
        with self._lock:
            pacing = self._pacing
            if pacing is None:
                return None
            if self._remaining is not None:
                self._remaining -= 1
                if self._remaining <= 0:
                    self._pacing, self._remaining = None, None
            return pacing

    def status(self) -> dict[str, Any] | None:
        with self._lock:
            if self._pacing is None:
                return None
            return {"ttft_ms": self._pacing.time_to_first_token * 1000,
                    "tokens_per_second": self._pacing.tokens_per_second,
                    "chunk_tokens": self._pacing.chunk_tokens, "remaining": self._remaining}
