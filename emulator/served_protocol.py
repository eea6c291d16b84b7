"""uvicorn's httptools protocol, writing the emulator's ready response heads itself.

uvicorn's `RequestResponseCycle.send` checks, lower-cases and joins every response header; the
emulator's answers carry their header lines already written and checked (wire/head.py, under the
start message's `HEAD` key). This protocol's cycles write such a head in one piece: the status line,
uvicorn's default headers (`date`, `server`) and the lines, setting exactly the state uvicorn's `send`
sets. Every other message (bodies, heads without lines, and any head uvicorn's own access log would
log: the emulator's Config turns it off, but a handler on `uvicorn.access` at INFO turns it on) goes
to uvicorn's `send` unchanged.

It leans on uvicorn's insides (the cycle's attributes, `_start_asgi_task`), so it is used only with
the `httptools_impl.py` it was written against (`KNOWN_SOURCES`, the file's SHA-256: uvicorn 0.53.0
and 0.54.0). With another uvicorn, or without httptools (uvicorn then serves with h11), `http_protocol()`
answers "auto" and uvicorn writes every head as usual; the bytes on the wire are the same either way
(tests/test_served_protocol.py).
"""
from __future__ import annotations

import hashlib
import logging
from functools import lru_cache
from pathlib import Path
from typing import Any

from mypy_extensions import mypyc_attr
from uvicorn.protocols.http import httptools_impl  # the caller catches the ImportError (no httptools)
from uvicorn.protocols.http.httptools_impl import (HEADER_RE, HEADER_VALUE_RE, STATUS_LINE, HttpToolsProtocol,
                                                   RequestResponseCycle)

from .wire.head import HEAD

# uvicorn 0.53.0 and 0.54.0 ship the same httptools_impl.py.
KNOWN_SOURCES = frozenset({"1d4e1c579df4168433a61a01f10c628b31c1790e72dd9769d2b8633b22214033"})

# uvicorn's default headers, written: `(list, lines)` for the list the server last handed out (it
# makes a new one each second, with the new date), or `lines` None when they need uvicorn's checks.
_defaults: tuple[Any, bytes | None] = (None, None)


def _default_lines(defaults: list[tuple[bytes, bytes]]) -> bytes | None:
    global _defaults
    seen, lines = _defaults  # one read: servers in other threads may swap it
    if seen is defaults:
        return lines
    lines = b""
    for name, value in defaults:  # uvicorn's checks, once a second instead of once a response
        if (HEADER_RE.search(name) or HEADER_VALUE_RE.search(value) or name != name.lower()
                or name in (b"content-length", b"transfer-encoding", b"connection")):
            lines = None
            break
        lines += name + b": " + value + b"\r\n"
    _defaults = (defaults, lines)
    return lines


# Compiled, still Python classes (the compiled build): they extend uvicorn's, and a cycle's class is swapped.
@mypyc_attr(native_class=False)
class ReadyHeadCycle(RequestResponseCycle):
    """A request cycle whose `send` writes a start message's ready head itself. A head whose body
    length it knows waits for its body, so the two leave in one write (one system call, one TCP
    segment where uvicorn sends two) when the next message is the whole body."""

    pending: bytes | None = None  # a written head waiting for its body

    async def send(self, message: Any) -> None:
        if self.pending is not None:
            await self._send_after_head(message)
            return
        head = message.get(HEAD)
        if (head is None or self.response_started or message["type"] != "http.response.start"
                or head[0] != message.get("headers")  # edited since the lines were written
                or (self.access_log and self.access_logger.isEnabledFor(logging.INFO))):  # uvicorn logs it
            await super().send(message)
            return
        defaults = _default_lines(self.default_headers)
        if defaults is None:
            await super().send(message)
            return
        if self.flow.write_paused and not self.disconnected:
            await self.flow.drain()
        if self.disconnected:
            return
        # What uvicorn's `send` does for these headers, in its order.
        self.response_started = True
        self.waiting_for_100_continue = False
        status, length = message["status"], head[2]
        content = [STATUS_LINE[status], defaults, head[1]]
        if length is not None:
            self.expected_content_length = length
            self.chunked_encoding = False
        if not self.keep_alive:  # the lines never hold a `connection` header
            content.append(b"connection: close\r\n")
        if length is None and self.scope["method"] != "HEAD" and status not in (204, 304):
            self.chunked_encoding = True
            content.append(b"transfer-encoding: chunked\r\n")
        content.append(b"\r\n")
        if length is None:  # a stream: its head leaves now
            self.transport.write(b"".join(content))
        else:
            self.pending = b"".join(content)

    def write_answer(self, status: int, lines: bytes, body: bytes) -> bool:
        """A whole answer in one write, from its status, its ready lines (wire/head.py: they hold its
        `content-length`) and its body, as `send` writes a start and a body message; False, having done
        nothing, when uvicorn's `send` must see the messages (or wait: a paused or closed transport).
        `BytesResponse` calls it when its `send` is this method's own cycle's (nothing wraps it:
        nothing else could see the messages). Not a coroutine: it never waits."""
        if (self.response_started or self.disconnected or self.flow.write_paused or self.scope["method"] == "HEAD"
                or (self.access_log and self.access_logger.isEnabledFor(logging.INFO))):  # uvicorn logs it
            return False
        defaults = _default_lines(self.default_headers)
        if defaults is None:
            return False
        # The state uvicorn's `send` leaves after the start and the whole body (the body's length framing
        # it: `expected_content_length` and `chunked_encoding` are read by no one after the end).
        self.response_started = True
        self.waiting_for_100_continue = False
        if self.keep_alive:
            self.transport.write(b"".join((STATUS_LINE[status], defaults, lines, b"\r\n", body)))
        else:  # the lines never hold a `connection` header
            self.transport.write(b"".join((STATUS_LINE[status], defaults, lines, b"connection: close\r\n\r\n", body)))
        self._complete()
        return True

    async def _send_after_head(self, message: Any) -> None:
        """The message after a waiting head: the whole body goes with it in one write, as uvicorn's
        `send` ends a response; anything else goes to uvicorn's `send` once the head is out."""
        head, self.pending = self.pending, None
        if self.flow.write_paused and not self.disconnected:
            await self.flow.drain()
        if self.disconnected:
            return
        body = message.get("body", b"")
        if (message["type"] != "http.response.body" or message.get("more_body", False)
                or len(body) != self.expected_content_length or self.scope["method"] == "HEAD"):
            self.transport.write(head)  # type: ignore[arg-type]
            await super().send(message)
            return
        self.transport.writelines((head, body))  # type: ignore[arg-type]
        self.expected_content_length = 0
        self._complete()

    def _complete(self) -> None:
        """What uvicorn's `send` does once a response's last byte is written: the cycle ends, the next
        request may start, a `Connection: close` answer closes the transport."""
        self.response_complete = True
        self.message_event.set()
        if not self.keep_alive:
            self.transport.close()
        self.on_response()


@mypyc_attr(native_class=False)
class ReadyHeadProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol whose request cycles are `ReadyHeadCycle`s. The class is set just
    before the cycle's task is created: the task has not run, so its `self.send` is the new one
    (pipelined requests pass here too, when their turn comes)."""

    def _start_asgi_task(self, cycle: RequestResponseCycle, app: Any) -> None:
        if type(cycle) is RequestResponseCycle:
            cycle.__class__ = ReadyHeadCycle
        super()._start_asgi_task(cycle, app)


@lru_cache(maxsize=None)
def known_source(path: str) -> bool:
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest() in KNOWN_SOURCES
    except OSError:
        return False


def fast_protocol() -> type[ReadyHeadProtocol] | None:
    """`ReadyHeadProtocol` when the installed uvicorn is one it was written against."""
    source = getattr(httptools_impl, "__file__", None)
    return ReadyHeadProtocol if source is not None and known_source(source) else None
