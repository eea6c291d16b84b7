"""Pacing: how fast a stream's events leave, and which pacing a stream gets.

One `Pacing` value, set by (first wins) the reply itself (a scenario's `pacing`), the next-N
override (`Emulator.pace_next`, `POST /_emulator/pacing`), the request's `x-emulator-*` headers,
then the server's default (`--ttft-ms`, `--tokens-per-second`, `--chunk-tokens`). Everywhere the
setting is named `ttft_ms`; milliseconds become seconds in one place, `Pacing.delays`.

A pacing may give a spread (`ttft_jitter_ms`, `tokens_per_second_jitter`): each stream then draws its
own time to first token and rate from a normal distribution around the mean, from the server's seeded
generator (`--seed`), so the same seed and request order give the same delays.
"""
from __future__ import annotations

import math
import random
import threading
from dataclasses import dataclass, replace
from typing import Any, Mapping

from mypy_extensions import mypyc_attr

from .contract import errors

# Per-request pacing headers (documented in the README).
TTFT_HEADER = "x-emulator-ttft-ms"
TPS_HEADER = "x-emulator-tokens-per-second"
CHUNK_HEADER = "x-emulator-chunk-tokens"
TTFT_JITTER_HEADER = "x-emulator-ttft-jitter-ms"
TPS_JITTER_HEADER = "x-emulator-tokens-per-second-jitter"
HEADERS = {"ttft_ms": TTFT_HEADER, "tokens_per_second": TPS_HEADER, "chunk_tokens": CHUNK_HEADER,
           "ttft_jitter_ms": TTFT_JITTER_HEADER, "tokens_per_second_jitter": TPS_JITTER_HEADER}
# The longest pause pacing may ask for, before the first event or between two: the official SDKs'
# default timeout. Longer (or `inf`, `nan`, `1e309`) would hold a stream open for good.
MAX_WAIT_SECONDS = 600.0


@mypyc_attr(native_class=False)  # compiled, still a Python class: it pickles (the settings sent to --workers)
@dataclass(frozen=True)
class Pacing:
    """How a stream is paced. All zero means: as fast as the client reads."""

    ttft_ms: float = 0.0  # time to first token: before the first event
    tokens_per_second: float = 0.0  # 0: no pause between events
    chunk_tokens: int = 1  # tokens per content chunk
    ttft_jitter_ms: float = 0.0  # standard deviation of the time to first token, per stream
    tokens_per_second_jitter: float = 0.0  # standard deviation of the rate, per stream
    # A recorded stream's pauses between its content chunks, in ms (`--record-timing`); instead of the rate.
    gaps_ms: tuple[float, ...] = ()

    @property
    def is_paced(self) -> bool:
        return self.ttft_ms > 0 or self.tokens_per_second > 0 or any(self.gaps_ms)

    @property
    def has_jitter(self) -> bool:
        return self.ttft_jitter_ms > 0 or self.tokens_per_second_jitter > 0

    def drawn(self, rng: random.Random) -> Pacing:
        """One stream's pacing: time to first token and rate drawn around their means (a time never below 0
        nor over MAX_WAIT_SECONDS, a rate never below a tenth of its mean), the spread then spent."""
        if not self.has_jitter:
            return self
        ttft = self.ttft_ms
        if self.ttft_jitter_ms:
            ttft = min(max(rng.normalvariate(ttft, self.ttft_jitter_ms), 0.0), MAX_WAIT_SECONDS * 1000)
        tps = self.tokens_per_second
        if tps > 0 and self.tokens_per_second_jitter:
            tps = max(rng.normalvariate(tps, self.tokens_per_second_jitter), tps / 10)
        return replace(self, ttft_ms=ttft, tokens_per_second=tps, ttft_jitter_ms=0.0, tokens_per_second_jitter=0.0)

    def delays(self, count: int) -> list[float]:
        """Seconds to wait before each of `count` events: time to first token, then one chunk's tokens each
        (or, recorded, the role chunk and first content chunk together, then each recorded gap)."""
        if not count:
            return []
        if self.gaps_ms:
            recorded = [self.ttft_ms / 1000, 0.0] + [gap / 1000 for gap in self.gaps_ms]
            return (recorded + [0.0] * count)[:count]
        per_event = self.chunk_tokens / self.tokens_per_second if self.tokens_per_second > 0 else 0.0
        return [self.ttft_ms / 1000] + [per_event] * (count - 1)

    def problem(self) -> tuple[str, str] | None:
        """(setting, what is wrong) when a pause would be negative, not finite or over MAX_WAIT_SECONDS."""
        if not (math.isfinite(self.ttft_ms) and 0 <= self.ttft_ms <= MAX_WAIT_SECONDS * 1000):
            return "ttft_ms", f"takes milliseconds from 0 to {MAX_WAIT_SECONDS * 1000:g}"
        if not (math.isfinite(self.tokens_per_second) and self.tokens_per_second >= 0):
            return "tokens_per_second", "takes a number >= 0 (0: unpaced)"
        if self.tokens_per_second and self.chunk_tokens / self.tokens_per_second > MAX_WAIT_SECONDS:
            return "tokens_per_second", (f"is too low: a chunk of {self.chunk_tokens} tokens would wait more than "
                                         f"{MAX_WAIT_SECONDS:g} s")
        for spread in ("ttft_jitter_ms", "tokens_per_second_jitter"):
            value = getattr(self, spread)
            if not (math.isfinite(value) and 0 <= value <= MAX_WAIT_SECONDS * 1000):
                return spread, f"takes a spread from 0 to {MAX_WAIT_SECONDS * 1000:g}"
        return None

    def as_dict(self) -> dict[str, Any]:
        spread = {"ttft_jitter_ms": self.ttft_jitter_ms, "tokens_per_second_jitter": self.tokens_per_second_jitter}
        return {"ttft_ms": self.ttft_ms, "tokens_per_second": self.tokens_per_second,
                "chunk_tokens": self.chunk_tokens, **(spread if self.has_jitter else {})}


def from_headers(headers: Mapping[str, str], default: Pacing) -> Pacing:
    """The request's pacing headers over `default`; a value that is not a number is a 400."""
    if (TTFT_HEADER not in headers and TPS_HEADER not in headers and CHUNK_HEADER not in headers
            and TTFT_JITTER_HEADER not in headers and TPS_JITTER_HEADER not in headers):
        return default  # the usual case: five lookups, no loop
    try:
        pacing = Pacing(
            ttft_ms=float(headers.get(TTFT_HEADER, default.ttft_ms)),
            tokens_per_second=float(headers.get(TPS_HEADER, default.tokens_per_second)),
            chunk_tokens=max(int(headers.get(CHUNK_HEADER, default.chunk_tokens)), 1),
            ttft_jitter_ms=float(headers.get(TTFT_JITTER_HEADER, default.ttft_jitter_ms)),
            tokens_per_second_jitter=float(headers.get(TPS_JITTER_HEADER, default.tokens_per_second_jitter)),
        )
    except ValueError:
        raise errors.invalid_pacing_header(TTFT_HEADER, TPS_HEADER, CHUNK_HEADER, TTFT_JITTER_HEADER,
                                           TPS_JITTER_HEADER) from None
    problem = pacing.problem()
    if problem is not None:
        setting, what = problem
        raise errors.pacing_header_out_of_range(HEADERS[setting], headers.get(HEADERS[setting], ""), what)
    return pacing


class NextPacing:
    """A pacing and how many more streams it applies to (None: every stream until cleared)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pacing: Pacing | None = None
        self._remaining: int | None = None

    def set(self, pacing: Pacing | None, count: int | None = 1) -> None:
        with self._lock:
            self._pacing, self._remaining = pacing, count

    def clear(self) -> None:
        self.set(None, None)

    def take(self) -> Pacing | None:
        """The pacing for this stream, counting it against the remaining number."""
        if self._pacing is None:  # the usual case, without taking the lock
            return None
        with self._lock:
            pacing = self._pacing
            if pacing is None:
                return None
            if self._remaining is not None:
                self._remaining -= 1
                if self._remaining <= 0:
                    self._pacing, self._remaining = None, None
            return pacing

    def status(self) -> dict[str, Any] | None:
        with self._lock:
            if self._pacing is None:
                return None
            return {**self._pacing.as_dict(), "remaining": self._remaining}


def resolve(own: Pacing | None, next_pacing: NextPacing, headers: Mapping[str, str], default: Pacing,
            rng: random.Random | None = None) -> Pacing:
    """The pacing of one stream, by the precedence in the module docstring, its spread drawn from `rng`."""
    if own is not None:
        chosen = own
    else:
        chosen = next_pacing.take() or from_headers(headers, default)
    if rng is not None and (chosen.ttft_jitter_ms or chosen.tokens_per_second_jitter):
        return chosen.drawn(rng)
    return chosen
