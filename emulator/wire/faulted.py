"""A scripted fault (faults.py) applied to a rendered response: the events it sends instead, a wait
before the first byte, a dropped connection, or nothing at all until the client gives up."""
from __future__ import annotations

import asyncio
from typing import Any, Awaitable, Callable

from ..faults import Fault
from ..pacing import Pacing
from .head import Headers
from .stream_response import PacedEventStream, Receive, Send, reset_connection

ASGIApp = Callable[[dict[str, Any], Receive, Send], Awaitable[None]]


def faulted_stream(fault: Fault, events: list[bytes], headers: Headers, pacing: Pacing,
                   on_sent: Callable[[], None] | None = None) -> ASGIApp:
    """A stream's events as the fault sends them (paced as `pacing` asks). `on_sent` is told of each of
    the answer's own events written (the journal's send times: the inspector's TTFT and chunk timings)."""
    withheld = fault.withheld_seconds(stream=True)
    if withheld is not None:
        return _withheld(withheld)
    sent, delays = fault.stream_events(list(events), pacing.delays(len(events)))
    return _delayed(fault.delay, PacedEventStream(sent, headers, pacing, delays, reset=fault.resets,
                                                  on_sent=_answer_events_sent(on_sent, events, sent)))


def _answer_events_sent(on_sent: Callable[[], None] | None, events: list[bytes],
                        sent: list[bytes]) -> Callable[[], None] | None:
    """`on_sent`, called only for the answer's own events: the journal keeps a send time per event of
    the answer, so the pings, the malformed chunk or the error event a fault adds are not counted (they
    are other objects than the answer's events, even when their bytes match)."""
    if on_sent is None:
        return None
    own = {id(event) for event in events}
    counted = iter([id(event) in own for event in sent])

    def answer_event_sent() -> None:
        if next(counted, False):
            on_sent()

    return answer_event_sent


def faulted_body(fault: Fault, response: ASGIApp) -> ASGIApp:
    """A non-streamed response with the fault applied (the stream-only faults leave it as it is)."""
    withheld = fault.withheld_seconds(stream=False)
    return _delayed(fault.delay, response) if withheld is None else _withheld(withheld)


async def _disconnected(receive: Receive) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass


async def _wait(receive: Receive, seconds: float) -> bool:
    """Sleep, but stop early when the client goes away; True if it did."""
    if seconds <= 0:
        return False
    try:
        await asyncio.wait_for(_disconnected(receive), seconds)
    except asyncio.TimeoutError:
        return False
    return True


def _delayed(seconds: float, response: ASGIApp) -> ASGIApp:
    if seconds <= 0:
        return response

    async def delayed(scope: dict[str, Any], receive: Receive, send: Send) -> None:
        if not await _wait(receive, seconds):
            await response(scope, receive, send)

    return delayed


def _withheld(seconds: float) -> ASGIApp:
    async def withheld(scope: dict[str, Any], receive: Receive, send: Send) -> None:
        if not await _wait(receive, seconds):
            await reset_connection(receive, send)

    return withheld
