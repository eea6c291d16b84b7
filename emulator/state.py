"""`EmulatorState`: the live parts of one emulator (catalogue, journal, limits, scenarios) built from `Settings`."""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from .config import Settings
from .contract.models import ModelCatalogue
from .journal import Journal
from .profiles import select_profile
from .ratelimit import RateLimiter
from .respond import ScenarioSource


@dataclass
class EmulatorState:
    settings: Settings
    catalogue: ModelCatalogue
    journal: Journal
    limiter: RateLimiter
    scenarios: ScenarioSource | None = None
    # Extra request checks plugged in by feature modules: f(body, model) raising ApiError.
    request_checks: list[Any] = field(default_factory=list)
    started_at: float = field(default_factory=time.time)
    services: dict[str, Any] = field(default_factory=dict)  # feature-owned objects (store, admin, ...)

    @classmethod
    def from_settings(cls, settings: Settings) -> "EmulatorState":
        select_profile(settings.profile)  # an unknown profile fails at startup, with the known names
        catalogue = ModelCatalogue.builtin(accept_any=settings.accept_any_model)
        for path in settings.models_files:
            catalogue.add_file(path)
        catalogue.add(settings.extra_models)
        return cls(
            settings=settings,
            catalogue=catalogue,
            journal=Journal(settings.journal_size),
            limiter=RateLimiter(settings.requests_per_minute, settings.tokens_per_minute,
                                settings.enforce_rate_limits),
        )

    def reset(self) -> None:
        """Forget what requests left behind: journal and rate-limit windows."""
        self.journal.clear()
        self.limiter.reset()
