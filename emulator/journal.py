"""The request journal: what each request asked and what it got, newest last, bounded.

Bounded twice, so a server left running for days under a busy front end stays small: at most
`max_entries` entries and about `max_bytes` of bodies, headers and stream events (oldest dropped).
Strings longer than `string_limit` inside bodies (a base64 image, say) are stored as a marker that
keeps the JSON shape and notes the original size.
"""
from __future__ import annotations

import itertools
import json
import threading
import zlib
from array import array
from collections import deque
from dataclasses import dataclass, field
from time import perf_counter, time as unix_time
from typing import TYPE_CHECKING, Any, Callable, Iterator

from mypy_extensions import mypyc_attr

from .config import JOURNAL_MAX_BYTES, JOURNAL_SIZE

if TYPE_CHECKING:
    from .scenarios.near_miss import NearMiss

from .contract.responses_input import responses_conversation
from .contract.strict_json import loads_body

STRING_LIMIT = 16 * 1024
JOURNAL_ENTRY = "emulator.journal_entry"  # the ASGI scope key under which an endpoint leaves its entry
# Set in the ASGI scope by a server layer that calls `Journal.settle()` once the answer is sent.
SETTLED_AFTER_SEND = "emulator.journal_settled_after_send"
ENTRY_OVERHEAD = 512  # bytes the bookkeeping of one entry costs beyond its bodies
# Response headers that ask a client to wait, or say whether to retry at all (as the official SDKs read them).
RETRY_HEADERS = ("retry-after", "retry-after-ms", "x-should-retry")


@mypyc_attr(native_class=False)  # compiled, still a Python class: `response` and `events` live in its __dict__
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
    events: list[bytes] | None = None  # the SSE events, for streams (kept compressed once sent: `pack_events`)
    extra: dict[str, Any] = field(default_factory=dict)
    # For streams: when each event was written, in ms since the request arrived (filled while sending).
    event_offsets_ms: list[float] | None = None
    started: float = field(default_factory=perf_counter, repr=False)
    size: int = 0  # approximate bytes this entry holds, set when journaled
    request_bytes: int = 0  # the raw body's length, when the endpoint knows it (spares a walk of the body)
    truncated: bool = False  # a body string was cut to a marker
    near_misses: list[NearMiss] | None = None  # strict mode's misses: the scenarios that came closest
    query: str = ""  # the URL's query string
    retry_headers: dict[str, str] = field(default_factory=dict)  # those of RETRY_HEADERS the response sent
    fault: str | None = None  # the named fault (faults.py) the reply was delivered with
    chaos: str | None = None  # the fault or error that chaos injected (chaos.py)
    # What reached the client, for streams and faulted replies (delivery.py): "sending" while in flight, then
    # "complete", "cut" (a fault ended the answer early), "reset" (the server dropped the connection) or
    # "hung_up" (the client closed the connection before the end).
    delivery: str | None = None
    bytes_sent: int = 0  # body bytes written, for the replies `delivery` follows
    cut_body: list[bytes] | None = None  # what went out of a stream a fault cut short (its partial answer)
    ended_ms: float | None = None  # when the last byte went out or the client hung up, in ms after arrival

    @property
    def model(self) -> str | None:
        return self.body.get("model") if isinstance(self.body, dict) else None

    @property
    def messages(self) -> list[dict[str, Any]]:
        """The conversation sent: chat `messages`, or a Responses request's `instructions` and `input`
        items read as chat messages (contract/responses_input.py)."""
        if not isinstance(self.body, dict):
            return []
        if "input" in self.body and "messages" not in self.body:
            return responses_conversation(self.body)
        return self.body.get("messages") or []

    @property
    def usage(self) -> dict[str, Any] | None:
        usage = self.response.get("usage") if isinstance(self.response, dict) else None
        return usage if isinstance(usage, dict) else None

    @property
    def error(self) -> dict[str, Any] | None:
        error = self.response.get("error") if isinstance(self.response, dict) else None
        return error if isinstance(error, dict) else None

    @property
    def arrived(self) -> float:
        """When the request arrived, in monotonic seconds (`time.perf_counter`): for measuring waits."""
        return self.started

    @property
    def finished(self) -> float:
        """When the response was done, in monotonic seconds: its last byte or the hang-up when known,
        else when the endpoint handed it over (a plain JSON body goes out at once)."""
        ms = self.ended_ms if self.ended_ms is not None else self.duration_ms
        return self.started + ms / 1000

    def set_response_json(self, payload: bytes) -> None:
        """The JSON body sent, kept as its bytes and parsed when `response` is first read: most entries
        are never read, and bytes weigh less than the parsed objects and cost the garbage collector
        nothing (entries pickle as they are: the bytes, or the parsed body once read)."""
        self.__dict__["_response_json"] = payload

    def pack_events(self) -> None:
        """Keep a sent stream's events compressed: a chat stream's ~16 KB of chunks repeat the same
        envelope, and zlib keeps them in about a twentieth. `events` reads them back as they were
        (a new list each read); the journal's size bound still counts them uncompressed, so it keeps
        the same entries as before, in less memory."""
        state = self.__dict__
        events = state.get("_events")
        if events:
            packer = zlib.compressobj(1, zlib.DEFLATED, -15, 9)  # raw deflate, fastest level: ~20% under zlib.compress
            state["_packed_events"] = packer.compress(b"".join(events)) + packer.flush(), array("I", map(len, events))
            state.pop("_events", None)  # after the packed form is in place: a reader always finds one

    def event_sent(self) -> None:
        """Note that one more stream event was written (paced streams call this per event)."""
        if self.event_offsets_ms is None:
            self.event_offsets_ms = []
        self.event_offsets_ms.append(round((perf_counter() - self.started) * 1000, 3))

    def all_events_sent(self) -> None:
        """An unpaced stream goes out in one write: every event at the same offset."""
        offset = round((perf_counter() - self.started) * 1000, 3)
        self.event_offsets_ms = [offset] * len(self.events or ())


def _read_response(entry: JournalEntry) -> Any:
    state = entry.__dict__
    payload = state.get("_response_json")
    if payload is None:
        return state.get("_response")
    value = state["_response"] = _parse(payload)  # two threads reading at once both parse: the same value
    state.pop("_response_json", None)
    return value


def _parse(payload: bytes) -> Any:
    """The JSON the emulator wrote, read as `json` reads it: through orjson where that gives the same
    values (`--metrics` reads every entry's usage), else (`NaN`, a lone surrogate's escape) `json`."""
    try:
        return loads_body(payload)
    except ValueError:
        return json.loads(payload)


def _write_response(entry: JournalEntry, value: Any) -> None:
    entry.__dict__.pop("_response_json", None)
    entry.__dict__["_response"] = value


def _read_events(entry: JournalEntry) -> list[bytes] | None:
    state = entry.__dict__
    packed = state.get("_packed_events")
    if packed is None:
        return state.get("_events")
    data, lengths = zlib.decompress(packed[0], -15), packed[1]
    events, at = [], 0
    for length in lengths:
        events.append(data[at:at + length])
        at += length
    return events


def _write_events(entry: JournalEntry, value: list[bytes] | None) -> None:
    entry.__dict__.pop("_packed_events", None)
    entry.__dict__["_events"] = value


# `response` and `events` read and write through these (the dataclass's `__init__` included): see
# `set_response_json` and `pack_events`.
# (Set with `setattr`: mypyc compiles no assignment to a class's attribute.)
setattr(JournalEntry, "response", property(_read_response, _write_response))  # noqa: B010
setattr(JournalEntry, "events", property(_read_events, _write_events))  # noqa: B010

_blank = object.__new__

# The least a chunk's envelope takes (`data: {"id":"chatcmpl-…","object":"chat.completion.chunk",…}`).
CHUNK_OVERHEAD = 150

Listener = Callable[[str, JournalEntry | None], None]


@mypyc_attr(allow_interpreted_subclasses=True)  # --workers subclasses it (emulator/workers/)
class Journal:
    """A bounded log of requests. Thread-safe: the server thread adds, test code reads and clears."""

    def __init__(self, max_entries: int = JOURNAL_SIZE, max_bytes: int = JOURNAL_MAX_BYTES,
                 string_limit: int = STRING_LIMIT) -> None:
        self.max_entries = max(max_entries, 1)
        self.max_bytes = max_bytes
        self.string_limit = string_limit
        self._entries: deque[JournalEntry] = deque()
        self._bytes = 0
        self._dropped = 0
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        # Entries handed over before their answer was sent, journaled right after it (`add(..., later=True)`).
        self._pending: deque[tuple[JournalEntry, int]] = deque()
        self._settling = threading.RLock()  # one settler at a time (entries keep their order); a listener may read
        # Told of each change: ("added", entry), ("delivered", entry) when a stream's last byte went out
        # (or the client left), or ("cleared", None). The live inspector listens.
        self.listeners: list[Listener] = []

    def start(self, method: str, path: str, headers: dict[str, str], query: str = "") -> JournalEntry:
        """A new entry, its arrival noted. Built without the dataclass's `__init__`: the fields with
        plain defaults are read from the class until set, so only these ten are written per request
        (the same values `__init__` gives; pickling carries the instance's dict as before)."""
        entry = _blank(JournalEntry)
        entry.__dict__ = {"id": next(self._ids), "time": unix_time(), "method": method, "path": path,
                          "headers": headers, "body": None, "query": query, "started": perf_counter(),
                          "extra": {}, "retry_headers": {}}  # its dict in one step (the blank one is empty)
        return entry

    # Whether `add(..., later=True)` may wait for `settle()`: only where every reader settles first.
    defers = True

    def add(self, entry: JournalEntry, response_bytes: int = 0, later: bool = False) -> None:
        """Journal a finished entry. `entry.request_bytes` and `response_bytes` (the raw sizes, when
        the endpoint knows them) spare walking bodies that cannot hold an over-long string.

        `later`: the caller calls `settle()` once the answer is sent (the served fast path), so the
        sizing, the bounds and the listeners run after the response left instead of before it. Every
        reader (`entries`, `get`, `stats`, `len`, `delivered`) settles first, so none ever misses an
        entry whose answer a client has, nor sees one half journaled."""
        if later and self.defers:
            self._pending.append((entry, response_bytes))
            return
        if self._pending:  # entries handed over before this one (another connection's) stay ahead of it
            self.settle()
        self._journal(entry, response_bytes)

    def settle(self) -> None:
        """Journal the entries handed over with `later=True`, in their order. A reader waits here for
        a settle under way in another thread: it returns with every entry handed over before it."""
        with self._settling:
            while self._pending:
                entry, response_bytes = self._pending.popleft()
                self._journal(entry, response_bytes)

    def _journal(self, entry: JournalEntry, response_bytes: int) -> None:
        # Each field read once: an entry is a Python class's instance (its fields in its `__dict__`).
        limit = self.string_limit
        events = entry.events
        events_size = 0
        if events:  # an unpaced stream's body is its events joined: its size is known
            events_size = response_bytes or sum(map(len, events))
        body_size = entry.request_bytes
        if not body_size or body_size > limit:
            entry.body, body_size, cut = shrink(entry.body, limit)
            entry.truncated = cut
        if events and events_size:  # a stream: the assembled completion is a fraction of its chunks' size
            # Every character of the completion went out in some chunk, so short streams need no look.
            response_size = events_size // 4
            # Each chunk spends at least CHUNK_OVERHEAD bytes on its envelope, so only that much less
            # could be one long string.
            walk = events_size - CHUNK_OVERHEAD * len(events) > limit and has_long_string(entry.response, limit)
        elif response_bytes:
            response_size, walk = response_bytes, response_bytes > limit
        else:
            response_size, walk = 0, True
        if walk:
            entry.response, response_size, cut = shrink(entry.response, limit)
            entry.truncated = entry.truncated or cut
        size = ENTRY_OVERHEAD + body_size + response_size + events_size
        for name, value in entry.headers.items():
            size += len(name) + len(value)
        entry.size = size
        self._keep(entry)
        if self.listeners:
            self._notify("added", entry)

    def _keep(self, entry: JournalEntry) -> None:
        """Hold a sized entry, dropping the oldest past the bounds."""
        with self._lock:
            self._entries.append(entry)
            self._bytes += entry.size
            while len(self._entries) > 1 and (len(self._entries) > self.max_entries or self._bytes > self.max_bytes):
                self._bytes -= self._entries.popleft().size
                self._dropped += 1

    def delivered(self, entry: JournalEntry) -> None:
        """A journaled stream (or faulted reply) is over: its `ended_ms` and `delivery` are final,
        and its events are packed (after the last byte went out, so packing never delays it)."""
        self.settle()  # listeners hear of an entry's delivery after its addition
        entry.pack_events()
        if self.listeners:
            self._notify("delivered", entry)

    def clear(self) -> None:
        self.settle()  # what was handed over before the clear goes with it (and its listeners hear it first)
        with self._lock:
            self._entries.clear()
            self._bytes = 0
        self._notify("cleared", None)

    def get(self, entry_id: int) -> JournalEntry | None:
        self.settle()
        with self._lock:
            return next((e for e in self._entries if e.id == entry_id), None)

    def stats(self) -> dict[str, int]:
        self.settle()
        with self._lock:
            return {"entries": len(self._entries), "bytes": self._bytes, "dropped": self._dropped,
                    "max_entries": self.max_entries, "max_bytes": self.max_bytes}

    def _notify(self, kind: str, entry: JournalEntry | None) -> None:
        for listener in list(self.listeners):
            listener(kind, entry)

    def __iter__(self) -> Iterator[JournalEntry]:
        return iter(self.entries())

    def __len__(self) -> int:
        self.settle()
        return len(self._entries)

    def entries(self) -> list[JournalEntry]:
        self.settle()
        with self._lock:
            return list(self._entries)


def shrink(value: Any, limit: int) -> tuple[Any, int, bool]:
    """`value` with strings over `limit` characters replaced by a size marker; its approximate JSON
    size in bytes; whether anything was cut. One walk, so journaling costs little."""
    if isinstance(value, str):
        if len(value) <= limit:
            return value, len(value) + 2, False
        marker = truncation_marker(value)
        return marker, len(marker) + 2, True
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        size, cut = 2, False
        for key, item in value.items():
            out[key], item_size, item_cut = shrink(item, limit)
            size += len(key) + 4 + item_size
            cut = cut or item_cut
        return (out if cut else value), size, cut
    if isinstance(value, list):
        items = [shrink(item, limit) for item in value]
        cut = any(c for _, _, c in items)
        return ([v for v, _, _ in items] if cut else value), 2 + sum(s + 1 for _, s, _ in items), cut
    return value, 8, False


def has_long_string(value: Any, limit: int) -> bool:
    """Whether any string inside `value` is longer than `limit` (a quick check before `shrink`)."""
    stack = [value]
    while stack:
        item = stack.pop()
        kind = type(item)
        if kind is str:
            if len(item) > limit:
                return True
        elif kind is dict:
            stack.extend(item.values())
        elif kind is list:
            stack.extend(item)
    return False


def truncation_marker(text: str) -> str:
    """`data:image/png;base64,<truncated: 1.2 MB base64>` or `<truncated: 40.0 KB text>`."""
    prefix, kind = "", "text"
    if text.startswith("data:") and ";base64," in text[:200]:
        prefix, kind = text[: text.index(";base64,") + 8], "base64"
    return f"{prefix}<truncated: {human_size(len(text.encode('utf-8', 'replace')))} {kind}>"


def human_size(size: int) -> str:
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


# --- the middleware that journals every route but chat creation ----------------------------------
Scope = dict[str, Any]
MAX_CAPTURE = 1024 * 1024  # larger bodies are noted as None: these endpoints never send that much
SELF_JOURNALED = ("/v1/chat/completions", "/v1/responses", "/v1/embeddings")  # POSTs whose endpoints journal themselves


class JournalMiddleware:
    """Journals the API's other requests (`/v1/models`, stored completions, unknown `/v1` URLs) the way
    the chat and embeddings endpoints journal their own, so the inspector shows everything a front end sent.

    A pure ASGI middleware: it keeps a copy of the request body and of a JSON response body (both small
    for these endpoints) and adds one entry when the response is complete. Chat completion,
    Responses and embeddings creation journal themselves (with the matched scenario and stream events) and are skipped here.
    """

    def __init__(self, app: Any, journal: Journal) -> None:
        self.app = app
        self.journal = journal

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        path, method = scope.get("path", ""), scope.get("method", "")
        if (scope["type"] != "http" or not path.startswith("/v1/") or method == "OPTIONS"
                or (method == "POST" and path in SELF_JOURNALED)):
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        entry = self.journal.start(method, path, headers, scope.get("query_string", b"").decode("latin-1"))
        request_body: list[bytes] = []
        response_body: list[bytes] = []
        is_json = [False]

        async def receive_and_keep() -> dict[str, Any]:
            message = await receive()
            if message["type"] == "http.request":
                request_body.append(message.get("body", b""))
            return message

        async def send_and_keep(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                entry.status = message["status"]
                is_json[0] = any(k == b"content-type" and v.startswith(b"application/json")
                                 for k, v in message.get("headers", ()))
            elif message["type"] == "http.response.body" and is_json[0]:
                response_body.append(message.get("body", b""))
                if not message.get("more_body"):
                    entry.duration_ms = (perf_counter() - entry.started) * 1000
            await send(message)

        try:
            await self.app(scope, receive_and_keep, send_and_keep)
        finally:
            if not entry.duration_ms:
                entry.duration_ms = (perf_counter() - entry.started) * 1000
            entry.body, entry.request_bytes = _parsed(request_body), sum(map(len, request_body))
            entry.response = _parsed(response_body)
            self.journal.add(entry, sum(map(len, response_body)))


def _parsed(chunks: list[bytes]) -> Any:
    raw = b"".join(chunks)
    if not raw.strip() or len(raw) > MAX_CAPTURE:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return None
