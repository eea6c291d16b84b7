"""`EmulatorState`: the live parts of one emulator (catalogue, journal, limits, store, scenarios) built from `Settings`."""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .config import Settings
from .contract.models import Catalogue, ModelCatalogue
from .journal import Journal
from .pacing import NextPacing
from .profiles import Profile, select_profile
from .profiles.catalogue import LayeredCatalogue
from .ratelimit import RateLimiter
from .store import CompletionStore, open_store

if TYPE_CHECKING:
    from .chaos import Chaos
    from .scenarios.engine import ScenarioEngine


@dataclass
class EmulatorState:
    settings: Settings
    catalogue: ModelCatalogue
    journal: Journal
    limiter: RateLimiter
    store: CompletionStore
    scenarios: "ScenarioEngine"
    started_at: float = field(default_factory=time.time)
    next_pacing: NextPacing = field(default_factory=NextPacing)  # set live through the admin API
    catalogues: dict[str, Catalogue] = field(default_factory=dict)  # per profile, built on first use
    chaos: Chaos | None = None  # faults and errors injected at rates (chaos.py), set at run time

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
            journal=Journal(settings.journal_size, settings.journal_max_bytes),
            limiter=RateLimiter(settings.requests_per_minute, settings.tokens_per_minute,
                                settings.enforce_rate_limits, settings.rate_limit_keys),
            store=open_store(settings.store_path, settings.store_cap),
            scenarios=_scenario_engine(settings),
        )

    def catalogue_for(self, profile: Profile) -> Catalogue:
        """The server's catalogue plus the profile's extra models (built once per profile)."""
        catalogue = self.catalogues.get(profile.name)
        if catalogue is None:
            catalogue = self.catalogues[profile.name] = LayeredCatalogue.for_profile(self.catalogue, profile.name)
        return catalogue

    def reset(self) -> None:
        """Forget what requests left behind: journal, rate-limit windows, chaos, pacing set for the next streams,
        added scenarios and sequence state, and in-memory stored completions (a `--store` file is kept:
        it exists to outlive the server)."""
        self.journal.clear()
        self.limiter.reset()
        self.chaos = None
        self.next_pacing.clear()
        self.scenarios.reset()
        if not self.store.persistent:
            self.store.clear()


def _scenario_engine(settings: Settings) -> "ScenarioEngine":
    """Always an engine (inline scenarios need one); files are read, and jsonschema imported, only if given."""
    from .scenarios.engine import ScenarioEngine

    engine = ScenarioEngine()
    if settings.scenario_paths:
        engine.load_paths(settings.scenario_paths)  # raises ScenarioFileError naming file and line
        if settings.watch:
            engine.watch()
    return engine
