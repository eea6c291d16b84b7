"""A choice's randomness: 64-bit draws from its seed through splitmix64, with no Mersenne Twister to seed.

Seeding `random.Random` (`init_by_array` over its 624-word state, then a refill on the first draw)
costs about 35k instructions: a tenth of a distinct request, for answers that draw once or a few times.
splitmix64 (Steele, Lea and Flood, "Fast splittable pseudorandom number generators", OOPSLA 2014; the
generator `java.util.SplittableRandom` uses) steps a 64-bit counter by an odd constant and mixes it;
seeds one apart give unrelated streams, and the numbers are the same in every process and build. A
path that draws per token (logprobs) still gets a `Random`, seeded from one draw.
"""
from __future__ import annotations

import random

from ..ids import tool_call_id

_MASK = (1 << 64) - 1
_GAMMA = 0x9E3779B97F4A7C15  # 2**64 / the golden ratio, odd: the counter visits every 64-bit state


class Draws:
    """The draws of one choice (or one scripted choice), in order: the same seed, the same draws."""

    __slots__ = ("_state",)
    _state: int

    def __init__(self, seed: int) -> None:
        self._state = seed & _MASK

    def bits64(self) -> int:
        """The next 64-bit number (a seed for the schema value generator, an id's bits)."""
        z = self._state = (self._state + _GAMMA) & _MASK
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
        return z ^ (z >> 31)

    def below(self, n: int) -> int:
        """A number in [0, n): `n` is a handful of options, so the modulo's bias (n / 2**64) is nil."""
        return self.bits64() % n

    def call_id(self) -> str:
        """A tool call's `call_` id: 144 bits from three draws, 24 alphanumerics."""
        return tool_call_id((self.bits64() << 80) | (self.bits64() << 16) | (self.bits64() >> 48))

    def rng(self) -> random.Random:
        """A `Random` for a path that draws per token (seeding it costs what a few hundred draws do)."""
        return random.Random(self.bits64())
