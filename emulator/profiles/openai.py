"""`openai`: the default, exactly as strict as the live API (unknown fields rejected, live error texts)."""
from __future__ import annotations

from .base import Profile

OPENAI = Profile(
    name="openai",
    summary="the live OpenAI API, exactly: unknown fields are rejected with `Unknown parameter`",
)
