"""The shared parts of a worker's state (EmulatorState builds them when `workers > 1`)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from ..config import Settings
from .db import SharedDB
from .journal import SharedJournal
from .ratelimit import SharedRateLimiter
from .scenarios import SharedScenarios

if TYPE_CHECKING:
    from ..journal import Journal
    from ..ratelimit import RateLimiter


def shared_parts(settings: Settings) -> tuple[Journal, RateLimiter, SharedScenarios]:
    assert settings.state_dir is not None
    shared = SharedDB(settings.state_dir)
    return (SharedJournal(shared, settings.journal_size, settings.journal_max_bytes),
            SharedRateLimiter(shared, settings.requests_per_minute, settings.tokens_per_minute,
                              settings.enforce_rate_limits),
            SharedScenarios(shared))
