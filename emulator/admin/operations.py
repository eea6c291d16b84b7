"""The admin operations, one implementation behind two front doors: the `Emulator` object
(`emu.admin`) and the HTTP admin API (`routes.py`). Arguments are plain Python values; errors are
`ApiError`s, so both doors report them the same way."""
from __future__ import annotations

import json
import time
from typing import Any

from .. import __version__, http
from ..contract.errors import ApiError
from ..journal import JournalEntry
from ..reply import Pacing
from ..state import EmulatorState


class AdminOperations:
    def __init__(self, state: EmulatorState) -> None:
        self.state = state

    # --- health and version ----------------------------------------------------------------------
    def health(self) -> dict[str, Any]:
        return {"status": "ok", "uptime_seconds": round(time.time() - self.state.started_at, 3),
                "journal": self.state.journal.stats()}

    def version(self) -> dict[str, Any]:
        return {"version": __version__, "openai_version": http.OPENAI_VERSION,
                "profile": self.state.settings.profile}

    # --- the request journal -----------------------------------------------------------------------
    def requests(self, *, path: str | None = None, status: int | str | None = None, model: str | None = None,
                 matched: str | None = None, text: str | None = None, after: int | None = None,
                 limit: int | None = None) -> list[JournalEntry]:
        """Journal entries, oldest first. `path` is a substring; `status` an exact code or a class
        like `4xx`; `text` a case-insensitive substring of the request or response body;
        `after` keeps entries with a larger id; `limit` keeps the newest ones."""
        status_test = _status_test(status)
        needle = text.lower() if text else None
        found = []
        for entry in self.state.journal.entries():
            if after is not None and entry.id <= after:
                continue
            if path and path not in entry.path:
                continue
            if status_test and not status_test(entry.status):
                continue
            if model and entry.model != model:
                continue
            if matched and entry.matched != matched:
                continue
            if needle and needle not in _searchable(entry):
                continue
            found.append(entry)
        if limit is not None:
            if limit < 0:
                raise ApiError(400, "'limit' must be a non-negative integer.", param="limit", code="invalid_value")
            found = found[-limit:] if limit else []
        return found

    def request(self, entry_id: int) -> JournalEntry:
        entry = self.state.journal.get(entry_id)
        if entry is None:
            raise ApiError(404, f"No request with id {entry_id} in the journal (it may have been dropped or cleared).",
                           param="id", code="request_not_found")
        return entry

    def clear_requests(self) -> None:
        self.state.journal.clear()

    # --- pacing for the next streams -------------------------------------------------------------
    def pace_next(self, count: int | None = 1, *, ttft_ms: float = 0.0, tokens_per_second: float = 0.0,
                  chunk_tokens: int = 1) -> dict[str, Any]:
        """Pace the next `count` streamed responses (None: every one until cleared)."""
        if count is not None and (not isinstance(count, int) or isinstance(count, bool) or count < 1):
            raise ApiError(400, "'count' must be a positive integer (or null for every stream until cleared).",
                           param="count", code="invalid_value")
        for name, value in (("ttft_ms", ttft_ms), ("tokens_per_second", tokens_per_second)):
            if not isinstance(value, (int, float)) or isinstance(value, bool) or value < 0:
                raise ApiError(400, f"'{name}' must be a number >= 0.", param=name, code="invalid_value")
        if not isinstance(chunk_tokens, int) or isinstance(chunk_tokens, bool) or chunk_tokens < 1:
            raise ApiError(400, "'chunk_tokens' must be an integer >= 1.", param="chunk_tokens", code="invalid_value")
        self.state.next_pacing.set(Pacing(ttft_ms / 1000, float(tokens_per_second), chunk_tokens), count)
        return self.pacing()

    def pacing(self) -> dict[str, Any]:
        return {"next": self.state.next_pacing.status()}

    def clear_pacing(self) -> None:
        self.state.next_pacing.clear()

    # --- everything --------------------------------------------------------------------------------
    def reset(self) -> None:
        """Journal, rate-limit windows and pacing overrides."""
        self.state.reset()


def _status_test(status: int | str | None):
    if status is None or status == "":
        return None
    text = str(status).strip().lower()
    if len(text) == 3 and text[0].isdigit() and text[1:] == "xx":
        return lambda code: code // 100 == int(text[0])
    if text.isdigit():
        return lambda code: code == int(text)
    raise ApiError(400, f"'status' must be a status code like 200 or a class like 4xx, not {status!r}.",
                   param="status", code="invalid_value")


def _searchable(entry: JournalEntry) -> str:
    return json.dumps([entry.body, entry.response, entry.matched], ensure_ascii=False, default=str).lower()
