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
from .wire.stream_response import Receive, Send

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

    async def watched(scope: dict[str, Any], receive: Receive, send: Send) -> None:
        seen = {"hung_up": False, "ended": False}

        async def receive_watched() -> dict[str, Any]:
            message = await receive()
            if message["type"] == "http.disconnect":
                seen["hung_up"] = True
            return message

        def count(body: bytes) -> None:
            entry.bytes_sent += len(body)
            if entry.cut_body is not None and body:
                entry.cut_body.append(body)

        async def send_watched(message: dict[str, Any]) -> None:
            if message["type"] != "http.response.body":
                await send(message)
            elif message.get("more_body", False):
                await send(message)
                count(message.get("body", b""))
            else:
                # A client may read the entry the moment its last byte arrives, so the entry is
                # final before that byte leaves; a write that fails below makes it a hang-up.
                count(message.get("body", b""))
                entry.ended_ms = round((time.perf_counter() - entry.started) * 1000, 3)
                entry.delivery = _outcome(True, seen["hung_up"], fault)
                await send(message)
                seen["ended"] = True

        try:
            await response(scope, receive_watched, send_watched)
        finally:
            if not seen["ended"]:
                entry.ended_ms = round((time.perf_counter() - entry.started) * 1000, 3)
                entry.delivery = _outcome(False, seen["hung_up"], fault)
            if on_end is not None:
                on_end(entry)

    return watched


def _outcome(ended: bool, hung_up: bool, fault: Any) -> str:
    if ended:
        return "cut" if fault is not None and fault.incomplete else "complete"
    if fault is not None and (fault.resets or not hung_up):
        return "reset"  # a reset fault (or a stall that gave up waiting) dropped the connection
    return "hung_up"  # the client left: seen as a disconnect, or as a write that failed
