"""Strictness levels of the conformance checker (`--strictness openai|compatible`): how strictly a server
is held to the live API's behaviour. (Not the emulator's compatibility profiles, `emulator/profiles/`.)"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Strictness:
    """What a level demands beyond the shapes every level checks."""

    name: str
    description: str
    exact_errors: bool
    """Error ``message``, ``param`` and ``code`` must be the live API's; the status must match exactly."""
    strict_framing: bool
    """Every SSE event must be exactly ``data: <compact JSON>\\n\\n`` (docs/live-api.md#streaming)."""
    strict_stream: bool
    """Live chunk conventions: one choice per chunk, ``delta: {}`` on the final chunk, ``usage: null`` keys."""
    live_extras: bool
    """Live conventions outside the schema: id prefixes, request-id and rate-limit headers, model echo."""


OPENAI = Strictness(
    name="openai",
    description="strict: the live API's behaviour, exact error texts, params and codes",
    exact_errors=True,
    strict_framing=True,
    strict_stream=True,
    live_extras=True,
)

COMPATIBLE = Strictness(
    name="compatible",
    description="what OpenAI-compatible servers usually promise: shapes, statuses, error envelopes and streaming",
    exact_errors=False,
    strict_framing=False,
    strict_stream=False,
    live_extras=False,
)

STRICTNESS_LEVELS: dict[str, Strictness] = {p.name: p for p in (OPENAI, COMPATIBLE)}
