"""Run selected checks one after another and collect what happened to each."""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass
from typing import Callable, TextIO

import httpx

from emulator.conformance.context import Check, Context
from emulator.conformance.outcome import CheckFailed, CheckSkipped

PASS, FAIL, SKIP = "pass", "fail", "skip"


@dataclass
class Result:
    """The outcome of one check: ``detail`` is the first difference for a failure, the reason for a skip."""

    name: str
    group: str
    description: str
    outcome: str
    detail: str = ""
    reproduce: str | None = None
    seconds: float = 0.0


def run_check(check: Check, ctx: Context) -> Result:
    if ctx.strictness.name not in check.profiles:
        return Result(check.name, check.group, check.description, SKIP, f"not part of the {ctx.strictness.name} level")
    started = time.monotonic()
    outcome, detail, reproduce = PASS, "", None
    try:
        check.run(ctx)
    except CheckFailed as error:
        outcome, detail, reproduce = FAIL, str(error), error.reproduce
    except CheckSkipped as error:
        outcome, detail = SKIP, str(error)
    except httpx.HTTPError as error:
        outcome, detail = FAIL, f"request failed: {type(error).__name__}: {error}"
    except Exception as error:  # a body shaped so oddly that a check tripped over it is still the server's failure
        outcome, detail = FAIL, f"unexpected response shape ({type(error).__name__}: {error})"
    return Result(check.name, check.group, check.description, outcome, detail, reproduce, time.monotonic() - started)


class Progress:
    """A single progress line on a terminal, rewritten in place; silent when not a terminal."""

    def __init__(self, stream: TextIO = sys.stderr) -> None:
        self.stream = stream
        self.active = stream.isatty()

    def __call__(self, done: int, total: int, label: str) -> None:
        if self.active:
            self.stream.write(f"\r\x1b[K[{done}/{total}] {label}")
            self.stream.flush()

    def finish(self) -> None:
        if self.active:
            self.stream.write("\r\x1b[K")
            self.stream.flush()


def run_checks(checks: list[Check], ctx: Context, progress: Callable[[int, int, str], None] | None = None) -> list[Result]:
    results = []
    for number, check in enumerate(checks):
        if progress:
            progress(number, len(checks), f"{check.group}/{check.name}")
        results.append(run_check(check, ctx))
    return results
