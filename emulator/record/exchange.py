"""`Exchange`: one request and the answer the client saw, as the recorder needs it (no headers a secret hides in)."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from ..scenarios.conversation import api_of_path
from ..scenarios.engine import DEFAULT_NAMESPACE

_EVENT_END = re.compile(rb"\r\n\r\n|\n\n|\r\r")
_LINE = re.compile(r"\r\n|\r|\n")


@dataclass
class Exchange:
    path: str  # the API path, e.g. /v1/chat/completions
    request: dict[str, Any]  # the request body
    status: int
    headers: dict[str, str]  # response headers, lower-case names
    body: Any = None  # the JSON body of an answer that is not a stream (or an error)
    # A stream: each event's data payload (parsed JSON) with its time in seconds since the request was sent.
    events: list[tuple[float, Any]] = field(default_factory=list)
    elapsed: float = 0.0  # seconds until the whole answer had arrived
    namespace: str = DEFAULT_NAMESPACE
    secrets: tuple[str, ...] = ()  # texts that must never reach a file (the keys used)
    # What the recording's match reads when it is not `request`: a Responses request as a conversation.
    match_request: dict[str, Any] | None = None

    @property
    def match_body(self) -> dict[str, Any]:
        return self.request if self.match_request is None else self.match_request

    @property
    def api(self) -> str:
        return api_of_path(self.path)

    @property
    def streamed(self) -> bool:
        return bool(self.events)


class EventReader:
    """Server-sent events from bytes as they arrive: the JSON `data` of each complete event."""

    def __init__(self) -> None:
        self._buffer = b""

    def feed(self, data: bytes) -> list[Any]:
        self._buffer += data
        payloads = []
        while (found := _EVENT_END.search(self._buffer)) is not None:
            block, self._buffer = self._buffer[:found.start()], self._buffer[found.end():]
            payload = data_of(block.decode("utf-8", "replace"))
            if payload is not None:
                payloads.append(payload)
        return payloads


def data_of(block: str) -> Any:
    """The parsed `data:` of one event block; None for comments, `[DONE]` and text that is not JSON."""
    lines = [line[5:].removeprefix(" ") for line in _LINE.split(block) if line.startswith("data:")]
    if not lines or lines == ["[DONE]"]:
        return None
    try:
        return json.loads("\n".join(lines))
    except ValueError:
        return None


def events_of(body: str) -> list[Any]:
    """Every event payload of a whole SSE body (a cassette's recorded stream)."""
    reader = EventReader()
    return reader.feed(body.encode("utf-8") + b"\n\n")
