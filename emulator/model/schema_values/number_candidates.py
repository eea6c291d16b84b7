"""Numbers inside a schema's bounds (`minimum`, `exclusiveMaximum`, `multipleOf`...).

Candidates only: jsonschema's `multipleOf` check on floats is itself inexact
(0.3 is not a multiple of 0.1 to it), so the caller validates each one and
several are offered.
"""

from __future__ import annotations

import math
import random
from typing import Any, Iterator


def numbers_within(schema: dict[str, Any], integer: bool, rng: random.Random) -> Iterator[float]:
    """Numbers that respect the bounds and multipleOf; the caller checks each.

    Bounds beyond what a float holds (`multipleOf: 1e-300` with `minimum: 1e300`, `1e309` read as
    infinity) give no candidates rather than an overflow.
    """
    try:
        yield from _candidates(schema, integer, rng)
    except (OverflowError, ValueError):
        return


def _candidates(schema: dict[str, Any], integer: bool, rng: random.Random) -> Iterator[float]:
    low, low_open = _bound(schema, "minimum", "exclusiveMinimum", max)
    high, high_open = _bound(schema, "maximum", "exclusiveMaximum", min)
    step = schema.get("multipleOf")
    if isinstance(step, (int, float)) and not isinstance(step, bool) and step > 0:
        yield from _multiples(step, low, low_open, high, high_open, integer, rng)
        return
    if integer:
        first = None if low is None else (int(low) + 1 if low_open and float(low).is_integer() else math.ceil(low))
        last = None if high is None else (int(high) - 1 if high_open and float(high).is_integer() else math.floor(high))
        first, last = _default_span(first, last, 1, 100)
        if first <= last:
            yield rng.randint(first, last)
            yield first
            yield last
            yield from range(first + 1, min(last, first + 64))  # distinct values for uniqueItems
        return
    a, b = _default_span(low, high, 1.0, 100.0)
    if a <= b:
        yield round(rng.uniform(a, b), 2)
        yield (a + b) / 2
        if not low_open:
            yield a
        if not high_open:
            yield b
        yield math.nextafter(a, math.inf)


def _bound(schema: dict[str, Any], inclusive: str, exclusive: str, tighter: Any) -> tuple[Any, bool]:
    """The effective bound and whether it is exclusive."""
    value, open_value = schema.get(inclusive), schema.get(exclusive)
    if isinstance(open_value, bool):  # draft-04: exclusiveMinimum is a flag on minimum
        return value, open_value and value is not None
    if open_value is None:
        return value, False
    if value is None or value == open_value:
        return open_value, True
    chosen = tighter(value, open_value)
    return chosen, chosen == open_value


def _default_span(low: Any, high: Any, usual_low: Any, usual_high: Any) -> tuple[Any, Any]:
    """Fill a missing bound so values stay human-sized (1..100) when the schema allows."""
    width = usual_high - usual_low
    if low is None and high is None:
        return usual_low, usual_high
    if low is None:
        if high >= usual_high:
            return usual_low, usual_high
        return (usual_low, high) if high >= usual_low else (high - width, high)
    if high is None:
        if low <= usual_low:
            return usual_low, usual_high
        return (low, usual_high) if low <= usual_high else (low, low + width)
    return low, high


def _multiples(step: float, low: Any, low_open: bool, high: Any, high_open: bool, integer: bool,
               rng: random.Random) -> Iterator[float]:
    first = math.ceil(low / step) if low is not None else 1
    if low is not None and low_open and first * step <= low:
        first += 1
    last = math.floor(high / step) if high is not None else first + 20
    if high is not None and high_open and last * step >= high:
        last -= 1
    if low is None and high is not None:
        first = min(1, last) if last >= 1 else last - 20
    if first > last:
        return
    picks = [rng.randint(first, last), first, last, *range(first, min(last, first + 40) + 1)]
    if first <= 0 <= last:
        picks.insert(1, 0)
    for k in picks:
        value = k * step
        if integer and not float(value).is_integer():
            continue
        yield round(value, 12)
        yield value
