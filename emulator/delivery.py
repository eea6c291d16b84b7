"""What reached the client: notes on a journal entry how a stream (or a faulted reply) ended.

The endpoint journals a request when it hands over its response, before a stream's bytes go out. The
client checks (client_checks/) need more: whether the client read the stream to its end or hung up
(and when), and when the last byte left, to measure the wait before a retry. `watch_delivery` wraps
the ASGI response and records that on the entry when the response is over.

A hang-up is seen when the server is still writing: a paced stream (any `tokens_per_second` or time to
first token) or a fault's stream. An unpaced stream goes out in one write, so the emulator cannot tell
whether the client read it.
"""
from __future__ import annotations

import time
from typing import Any, Awaitable, Callable

from .journal import JournalEntry
from .wire.stream_response import Receive, Send, server_transport

ASGIApp = Callable[[dict[str, Any], Receive, Send], Awaitable[None]]
SENDING = "sending"


def watch_delivery(response: ASGIApp, entry: JournalEntry, fault: Any = None,
                   on_end: Callable[[JournalEntry], None] | None = None) -> ASGIApp:
    """`response`, recording on `entry` how it ended. `fault` is the `faults.Fault` it carries, if any;
    `on_end` is told once the entry's `ended_ms` and `delivery` are final."""
    entry.delivery = SENDING
    entry.fault = fault.name if fault is not None else None
    if fault is not None and fault.incomplete:
        entry.cut_body = []
    return _Watched(response, entry, fault, on_end)


# Classes rather than closures: the compiled build compiles them (a compiled closure has no `__closure__`
# for the reset fault to look through; `_Delivery` answers for its `transport` instead).
class _Watched:
    """An ASGI response whose delivery is recorded on its journal entry."""

    def __init__(self, response: ASGIApp, entry: JournalEntry, fault: Any,
                 on_end: Callable[[JournalEntry], None] | None) -> None:
        self.response, self.entry, self.fault, self.on_end = response, entry, fault, on_end

    async def __call__(self, scope: dict[str, Any], receive: Receive, send: Send) -> None:
        entry, fault = self.entry, self.fault
        delivery = _Delivery(entry, fault, receive, send)
        try:
            await self.response(scope, delivery.receive, delivery.send)
        finally:
            if not delivery.ended:
                entry.ended_ms = round((time.perf_counter() - entry.started) * 1000, 3)
                entry.delivery = _outcome(False, delivery.hung_up, fault)
            if self.on_end is not None:
                self.on_end(entry)


class _Delivery:
    """The `receive` and `send` one response is served with: they note a hang-up and what was sent."""

    def __init__(self, entry: JournalEntry, fault: Any, receive: Receive, send: Send) -> None:
        self.entry, self.fault, self.server_receive, self.server_send = entry, fault, receive, send
        self.hung_up = self.ended = False

    @property
    def transport(self) -> Any:
        """The server's transport behind the callables this wraps (the reset fault drops it)."""
        return server_transport(self.server_receive, self.server_send)

    async def receive(self) -> dict[str, Any]:
        message = await self.server_receive()
        if message["type"] == "http.disconnect":
            self.hung_up = True
        return message

    def _count(self, body: bytes) -> None:
        entry = self.entry
        entry.bytes_sent += len(body)
        if entry.cut_body is not None and body:
            entry.cut_body.append(body)

    async def send(self, message: dict[str, Any]) -> None:
        if message["type"] != "http.response.body":
            await self.server_send(message)
        elif message.get("more_body", False):
            await self.server_send(message)
            self._count(message.get("body", b""))
        else:
            # A client may read the entry the moment its last byte arrives, so the entry is
            # final before that byte leaves; a write that fails below makes it a hang-up.
            entry = self.entry
            self._count(message.get("body", b""))
            entry.ended_ms = round((time.perf_counter() - entry.started) * 1000, 3)
            entry.delivery = _outcome(True, self.hung_up, self.fault)
            await self.server_send(message)
            self.ended = True


def _outcome(ended: bool, hung_up: bool, fault: Any) -> str:
    if ended:
        return "cut" if fault is not None and fault.incomplete else "complete"
    if fault is not None and (fault.resets or not hung_up):
        return "reset"  # a reset fault (or a stall that gave up waiting) dropped the connection
    return "hung_up"  # the client left: seen as a disconnect, or as a write that failed
