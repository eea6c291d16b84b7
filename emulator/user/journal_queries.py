"""The journal read as a test reads it: every request, the last one, those to a path, the messages sent."""
from __future__ import annotations

from typing import Any

from ..journal import JournalEntry
from ..state import EmulatorState


class JournalQueries:
    state: EmulatorState

    @property
    def requests(self) -> list[JournalEntry]:
        """Every request since the last reset, oldest first: method, path, headers, body, matched,
        status, response (for streams, the assembled completion), stream, events, near_misses."""
        return self.state.journal.entries()

    @property
    def last_request(self) -> JournalEntry:
        """The newest request; `AssertionError` when none has arrived."""
        entries = self.requests
        if not entries:
            raise AssertionError("no request has reached the emulator")
        return entries[-1]

    def requests_to(self, path: str | None = None, *, model: str | None = None,
                    method: str | None = None) -> list[JournalEntry]:
        """The requests to `path` (with or without the `/v1` prefix), for `model`, with `method`."""
        return [entry for entry in self.requests
                if (path is None or entry.path in (path, "/v1" + path))
                and (model is None or entry.model == model)
                and (method is None or entry.method == method.upper())]

    def messages_sent(self, index: int = -1) -> list[dict[str, Any]]:
        """The `messages` of one chat completion request: the last by default, `0` for the first."""
        chats = [entry for entry in self.requests
                 if entry.method == "POST" and entry.path.endswith("/chat/completions")]
        if not chats:
            raise AssertionError("no chat completion request has reached the emulator")
        return chats[index].messages

    def unmatched_requests(self) -> list[JournalEntry]:
        """Requests that strict mode refused because no scenario matched them (each has `near_misses`)."""
        return [entry for entry in self.requests if entry.near_misses is not None]


def describe(entry: JournalEntry) -> str:
    """One line about a request: method, path, model and the last message (or the embeddings input)."""
    text = f"{entry.method} {entry.path}"
    if entry.model is not None:
        text += f" model={entry.model!r}"
    sent = entry.body.get("input") if isinstance(entry.body, dict) and entry.path.endswith("/embeddings") else None
    if isinstance(sent, (str, list)):
        shown = repr(sent)
        text += f" input: {shown if len(shown) <= 60 else shown[:57] + '...'}"
    if entry.messages:
        last = entry.messages[-1]
        content = last.get("content") if isinstance(last, dict) else None
        if isinstance(content, str):
            shown = content if len(content) <= 60 else content[:57] + "..."
            text += f" last message ({last.get('role')}): {shown!r}"
    return text
