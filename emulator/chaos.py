"""Chaos at rates: named faults and errors injected into a share of requests, deterministically.

`Chaos({"rate_limit_exceeded": 0.05, "cut_after": 0.02}, seed=7)` draws once per request from a
generator seeded with `seed`: the same seed and the same request order give the same faults. The
names are the scenario files' own: the error shortcuts of `scenarios/errors.py` and the faults of
`faults.py`. Whatever answers the request (a scenario or the built-in model) is then delivered with
the drawn fault, or replaced by the drawn error.

    chaos = Chaos(rates, seed)           # ChaosError (a ValueError) naming the problem
    name = chaos.draw()                  # per request, in arrival order: a name or None
    reply = inject(name, reply, request) # the reply with the fault; raises the ApiError for an error name
"""
from __future__ import annotations

import random
import threading
from dataclasses import replace
from typing import Any, Mapping

from .contract.chat_request import ChatRequest
from .reply import Reply
from .scenarios.errors import SHORTCUTS, build_error
from .scenarios.reply_template import content_filter_reply
from .scenarios.steps import build_fault

# Each fault as chaos injects it (the scenario-file form): a cut or reset stream still carries the
# start of the answer, so a client that accepts half an answer shows it in its next request.
FAULTS: dict[str, dict[str, Any]] = {
    "cut_after": {"cut_after": 3},
    "connection_reset": {"connection_reset": True, "after": 2},
    "error_event": {"error_event": "server_error", "after": 2},
    "malformed_chunk": {"malformed_chunk": True},
    "keepalive": {"keepalive": 3},
    "stall": {"stall": True},
    "delay": {"delay_ms": 250},
}
ERRORS: tuple[str, ...] = SHORTCUTS
NAMES: tuple[str, ...] = (*ERRORS, *FAULTS)


class ChaosError(ValueError):
    """Rates or a seed that cannot be used; `param` says which ("rates" or "seed")."""

    def __init__(self, message: str, param: str = "rates") -> None:
        super().__init__(message)
        self.param = param


class Chaos:
    """Rates by fault or error name, drawn per request from a seeded generator (thread-safe)."""

    def __init__(self, rates: Mapping[str, float], seed: int = 0) -> None:
        self.rates = check_rates(rates)
        if not isinstance(seed, int) or isinstance(seed, bool):
            raise ChaosError(f"the chaos seed must be an integer, not {seed!r}", "seed")
        self.seed = seed
        self.draws = 0
        self.counts: dict[str, int] = {name: 0 for name in self.rates}
        self._random = random.Random(seed)
        self._lock = threading.Lock()

    def draw(self) -> str | None:
        """The next request's fault or error name, or None. One number per request, so the n-th
        request gets the same answer in every run with this seed."""
        with self._lock:
            self.draws += 1
            point = self._random.random()
            for name, rate in self.rates.items():
                if point < rate:
                    self.counts[name] += 1
                    return name
                point -= rate
            return None

    def status(self) -> dict[str, Any]:
        with self._lock:
            return {"rates": dict(self.rates), "seed": self.seed, "requests": self.draws,
                    "injected": dict(self.counts)}


def check_rates(rates: Mapping[str, float]) -> dict[str, float]:
    """The rates as a dict, or a ChaosError that names the bad entry and the known names."""
    if not isinstance(rates, Mapping) or not rates:
        raise ChaosError("chaos rates must be a non-empty object of fault or error name to rate")
    checked: dict[str, float] = {}
    for name, rate in rates.items():
        if name not in NAMES:
            raise ChaosError(f"unknown chaos name {name!r}; known: {', '.join(NAMES)}")
        if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not 0 <= rate <= 1:
            raise ChaosError(f"the rate of {name!r} must be a number from 0 to 1, not {rate!r}")
        checked[name] = float(rate)
    if sum(checked.values()) > 1 + 1e-9:
        raise ChaosError(f"chaos rates add up to {sum(checked.values()):g}; at most 1 is possible")
    return checked


def parse_rates(text: str) -> dict[str, float]:
    """`rate_limit_exceeded=0.02,cut_after=0.01` (the `--chaos` flag, the `x-emulator-chaos` header) as
    checked rates; a ChaosError names what is wrong."""
    rates: dict[str, float] = {}
    for item in text.split(","):
        name, sep, rate = item.strip().partition("=")
        try:
            if not sep:
                raise ValueError(item)
            rates[name.strip()] = float(rate)
        except ValueError:
            raise ChaosError(f"chaos takes NAME=RATE pairs separated by commas, not {item.strip()!r}") from None
    return check_rates(rates)


def inject(name: str, reply: Reply, request: ChatRequest) -> Reply:
    """`reply` delivered with the fault `name` (in place of a scripted one), or the `ApiError` of the
    error `name` raised."""
    if name in FAULTS:
        return replace(reply, fault=build_fault(FAULTS[name], request))  # replies may be shared: copy
    if name == "content_filter":
        return content_filter_reply(request, reply.source)
    raise build_error(name, request)
