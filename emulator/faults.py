"""Named faults (as WireMock names them): what can go wrong on the wire, as data.

A `Reply.fault` holds one; `wire/faulted.py` applies it while rendering. A fault says which events a
stream sends instead (`stream_events`), whether the connection drops after them (`resets`), and
whether the response is withheld altogether (`withheld_seconds`). Every fault can also wait `delay`
seconds before the response starts (status line and headers included). The stream-only faults
(cut, error event, malformed chunk, keep-alive) leave a non-streamed reply as it is.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, ClassVar

from .json_text import dumps

KEEPALIVE = b": ping\n\n"
# The opening of a real chunk, cut short: not JSON, so a client's parser fails on it.
MALFORMED = b'data: {"id":"chatcmpl-malformed","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"cont\n\n'


@dataclass
class Fault:
    delay: float = 0.0  # seconds before anything is sent
    name: ClassVar[str] = "delay"  # its name in scenario files and the catalogue below (`fault: cut_after`)
    resets: ClassVar[bool] = False  # drop the connection once the stream's events are sent
    # The client never gets the whole answer: it should retry or report the failure.
    incomplete: ClassVar[bool] = False

    def stream_events(self, events: list[bytes], delays: list[float]) -> tuple[list[bytes], list[float]]:
        """The events (and pauses before each) this fault sends instead of the normal stream."""
        return events, delays

    def withheld_seconds(self, stream: bool) -> float | None:
        """None: send the (faulted) response. A number: send nothing, wait that long (or until the
        client leaves), then drop the connection."""
        return None


@dataclass
class Delay(Fault):
    """Wait `delay` seconds before the response starts; then send it as usual."""


@dataclass
class Stall(Fault):
    """Send nothing at all until the client gives up; then stop (after `max_seconds` at most, reset)."""

    name: ClassVar[str] = "stall"
    incomplete: ClassVar[bool] = True

    max_seconds: float = 300.0

    def withheld_seconds(self, stream: bool) -> float | None:
        return self.max_seconds


@dataclass
class CutAfter(Fault):
    """Send `chunks` events, then end the body without `[DONE]`."""

    name: ClassVar[str] = "cut_after"
    incomplete: ClassVar[bool] = True

    chunks: int = 1

    def stream_events(self, events: list[bytes], delays: list[float]) -> tuple[list[bytes], list[float]]:
        n = min(self.chunks, len(events) - 1)
        return events[:n], delays[:n]


@dataclass
class ErrorEvent(Fault):
    """After `after` chunks, a `data: {"error": {...}}` event, then the end (docs/live-api.md#streaming)."""

    name: ClassVar[str] = "error_event"
    incomplete: ClassVar[bool] = True

    error: dict[str, Any] = field(default_factory=dict)  # the envelope, {"error": {...}}
    after: int = 2

    def stream_events(self, events: list[bytes], delays: list[float]) -> tuple[list[bytes], list[float]]:
        n = min(self.after, len(events) - 1)
        payload = b"data: " + dumps(self.error).encode("utf-8") + b"\n\n"
        return events[:n] + [payload], delays[:n] + [delays[n] if n < len(delays) else 0.0]


@dataclass
class MalformedChunk(Fault):
    """After `after` chunks, one event whose data is not JSON; the stream then goes on."""

    name: ClassVar[str] = "malformed_chunk"

    after: int = 2

    def stream_events(self, events: list[bytes], delays: list[float]) -> tuple[list[bytes], list[float]]:
        n = min(self.after, len(events) - 1)
        return events[:n] + [MALFORMED] + events[n:], delays[:n] + [0.0] + delays[n:]


@dataclass
class ConnectionReset(Fault):
    """Drop the TCP connection: before any byte (`after` 0), or after `after` chunks of a stream."""

    name: ClassVar[str] = "connection_reset"
    incomplete: ClassVar[bool] = True

    after: int = 0
    resets: ClassVar[bool] = True

    def stream_events(self, events: list[bytes], delays: list[float]) -> tuple[list[bytes], list[float]]:
        n = min(self.after, len(events) - 1)
        return events[:n], delays[:n]

    def withheld_seconds(self, stream: bool) -> float | None:
        """Before any byte: a non-streamed reply, or a stream with `after` 0 (after the fault's delay)."""
        return self.delay if not stream or self.after <= 0 else None


@dataclass
class Keepalive(Fault):
    """`count` SSE comment lines (`: ping`), `interval` seconds apart, before the first chunk."""

    name: ClassVar[str] = "keepalive"

    count: int = 3
    interval: float = 0.02

    def stream_events(self, events: list[bytes], delays: list[float]) -> tuple[list[bytes], list[float]]:
        first = delays[0] if delays else 0.0
        pings = [KEEPALIVE] * self.count
        ping_delays = [first] + [self.interval] * (self.count - 1)
        return pings + events, ping_delays + [self.interval] + delays[1:]


# --- the catalogue: every fault's name and how a scenario spells it --------------------------------
@dataclass(frozen=True)
class FaultKind:
    """One named fault as a scenario writes it: `fault: {<name>: <value>, ...}`.

    `shorthand`: what `fault: <name>` means in the object form (None: no shorthand); `after`: takes
    `after` (chunks sent first); `options`: its own keys; `build(spec, delay)` makes the `Fault`
    (an `error_event` arrives as its envelope, already built)."""

    name: str
    build: Callable[[dict[str, Any], float], Fault]
    shorthand: dict[str, Any] | None = None
    after: bool = False
    options: tuple[str, ...] = ()
    written: str = ""  # how the fault is switched on, for messages ("stall: true")


CATALOGUE: dict[str, FaultKind] = {kind.name: kind for kind in (
    FaultKind(Stall.name, lambda spec, delay: Stall(delay, spec.get("stall_max_seconds", 300.0)),
              shorthand={"stall": True}, options=("stall_max_seconds",), written="stall: true"),
    FaultKind(CutAfter.name, lambda spec, delay: CutAfter(delay, spec["cut_after"])),
    FaultKind(ErrorEvent.name, lambda spec, delay: ErrorEvent(delay, spec["error_event"], spec.get("after", 2)),
              shorthand={"error_event": "server_error"}, after=True),
    FaultKind(MalformedChunk.name, lambda spec, delay: MalformedChunk(delay, spec.get("after", 2)),
              shorthand={"malformed_chunk": True}, after=True),
    FaultKind(ConnectionReset.name, lambda spec, delay: ConnectionReset(delay, spec.get("after", 0)),
              shorthand={"connection_reset": True}, after=True),
    FaultKind(Keepalive.name, lambda spec, delay: Keepalive(delay, spec["keepalive"],
                                                         spec.get("keepalive_interval_ms", 20) / 1000),
              shorthand={"keepalive": 3}, options=("keepalive_interval_ms",), written="keepalive"),
)}
SHORTHANDS: dict[str, dict[str, Any]] = {k.name: k.shorthand for k in CATALOGUE.values() if k.shorthand is not None}
COMMON_KEYS = ("delay_ms", "after")  # any fault may wait first; `after` for the kinds that take it


def kinds_in(spec: dict[str, Any]) -> list[str]:
    """The faults switched on in a fault object (a key set to `false` is off)."""
    return [name for name in CATALOGUE if name in spec and spec[name] is not False]


def build(spec: dict[str, Any]) -> Fault:
    """The fault of an object-form spec (a shorthand expanded, an error event's envelope built)."""
    delay = spec.get("delay_ms", 0) / 1000
    kinds = kinds_in(spec)
    return CATALOGUE[kinds[0]].build(spec, delay) if kinds else Delay(delay)
