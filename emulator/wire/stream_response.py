"""ASGI responses for SSE: all events in one write when unpaced, paced chunk by chunk otherwise.

A client that hangs up mid-stream ends the stream at once: the disconnect is watched while
pausing, a failed write is taken as the client leaving, and nothing is left running.
"""
from __future__ import annotations

import asyncio
import socket
import struct
from time import perf_counter
from typing import Any, Awaitable, Callable, overload

from starlette.responses import Response

from ..pacing import Pacing
from .head import Headers, encode_any, start_message
from .responses import BytesResponse

SSE_MEDIA_TYPE = "text/event-stream; charset=utf-8"
_SSE_TYPE = SSE_MEDIA_TYPE.encode()
Send = Callable[[dict[str, Any]], Awaitable[None]]
Receive = Callable[[], Awaitable[dict[str, Any]]]


_SSE_LINES = b"cache-control: no-cache\r\nx-accel-buffering: no\r\n"


@overload
def sse_headers(headers: dict[str, str]) -> dict[str, str]: ...
@overload
def sse_headers(headers: bytes) -> bytes: ...


def sse_headers(headers: Headers) -> Headers:
    if isinstance(headers, dict):
        return {**headers, "cache-control": "no-cache", "x-accel-buffering": "no"}
    return headers + _SSE_LINES  # ready lines (wire/head.py) name neither


def unpaced_stream(events: list[bytes], headers: Headers) -> Response:
    return BytesResponse(b"".join(events), 200, sse_headers(headers), SSE_MEDIA_TYPE)


class PacedEventStream:
    """Writes `events` with the pauses `pacing` asks for; `delays` overrides them per event.
    `on_sent` is called after each event is written (the journal notes the timing)."""

    def __init__(self, events: list[bytes], headers: Headers, pacing: Pacing,
                 delays: list[float] | None = None, *, reset: bool = False,
                 on_sent: Callable[[], None] | None = None) -> None:
        self.events = events
        self.on_sent = on_sent
        self.headers = sse_headers(headers)
        self.delays = delays if delays is not None else pacing.delays(len(events))
        self.reset = reset  # drop the connection after the events instead of ending the body

    async def __call__(self, scope: dict[str, Any], receive: Receive, send: Send) -> None:
        gone = asyncio.Event()

        async def watch_disconnect() -> None:
            while (await receive())["type"] != "http.disconnect":
                pass
            gone.set()

        watcher = asyncio.ensure_future(watch_disconnect())
        try:
            await send(start_message(200, *encode_any(self.headers, [(b"content-type", _SSE_TYPE)],
                                                          b"content-type: " + _SSE_TYPE + b"\r\n"), None))
            for event, delay in zip(self.events, self.delays, strict=False):  # a cut stream sends fewer
                if delay > 0:
                    await _pause(gone, delay)
                if gone.is_set():
                    return
                await send({"type": "http.response.body", "body": event, "more_body": True})
                if self.on_sent is not None:
                    self.on_sent()
            if self.reset:
                await reset_connection(receive, send)
                return
            await send({"type": "http.response.body", "body": b"", "more_body": False})
        except OSError:
            return  # the client went away between our check and the write
        finally:
            watcher.cancel()


async def _pause(gone: asyncio.Event, seconds: float) -> None:
    """Wait `seconds` by the clock the journal times events with, or until the client hangs up. The
    loop's timers may fire a fraction of a millisecond early (uvloop keeps time in whole milliseconds,
    cached per iteration), and a paced event must never leave before its time."""
    deadline = perf_counter() + seconds
    while (left := deadline - perf_counter()) > 0 and not gone.is_set():
        try:
            await asyncio.wait_for(gone.wait(), left)
        except asyncio.TimeoutError:
            pass


def server_transport(*callables: Any) -> Any:
    """The asyncio transport behind uvicorn's `receive`/`send` (bound to its request cycle), if any.

    ASGI has no message for "drop the connection", so this looks through middleware wrappers
    (closures, partials, and the methods of an object that answers for its own `transport`, as
    delivery.py's watcher does) for the server's own callable; it is used only for the reset fault.
    """
    seen: set[int] = set()
    todo = list(callables)
    while todo:
        item = todo.pop()
        if item is None or id(item) in seen:
            continue
        seen.add(id(item))
        transport = getattr(getattr(item, "__self__", None), "transport", None)
        if transport is not None and hasattr(transport, "abort"):
            return transport
        todo.extend(getattr(item, "args", ()))
        todo.append(getattr(item, "func", None))
        for cell in getattr(item, "__closure__", None) or ():
            try:
                todo.append(cell.cell_contents)
            except ValueError:
                pass
    return None


async def reset_connection(receive: Receive, send: Send) -> None:
    """Drop the TCP connection with a reset (RST), as a crashed upstream or proxy would."""
    transport = server_transport(receive, send)
    if transport is None:  # not served by uvicorn (e.g. in-process transport): fail the exchange instead
        raise ConnectionResetError("connection reset by the emulator (fault)")
    sock = transport.get_extra_info("socket")
    if sock is not None:
        try:  # linger 0: close() sends RST instead of FIN
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except (OSError, AttributeError):
            pass
    transport.abort()
    await asyncio.sleep(0)  # let the server see the connection gone before the app returns
