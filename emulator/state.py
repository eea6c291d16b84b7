"""`EmulatorState`: the live parts of one emulator (catalogue, journal, limits, store, scenarios) built from `Settings`."""
from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .admission import Admission
from .config import Settings
from .contract.models import Catalogue, ModelCatalogue
from .journal import Journal
from .pacing import NextPacing
from .profiles import Profile, select_profile
from .profiles.catalogue import LayeredCatalogue
from .ratelimit import RateLimiter
from .response_store import ResponseStore, open_response_store
from .scenarios.engine import ScenarioEngine  # at run time: the compiled build's dataclass fields load their classes
from .store import CompletionStore, open_store

if TYPE_CHECKING:
    from .chaos import Chaos
    from .record.proxy import Proxy


@dataclass
class EmulatorState:
    settings: Settings
    catalogue: ModelCatalogue
    journal: Journal
    limiter: RateLimiter
    store: CompletionStore
    scenarios: ScenarioEngine
    responses: ResponseStore  # stored Responses API responses (the same `--store` file as completions)
    started_at: float = field(default_factory=time.time)
    next_pacing: NextPacing = field(default_factory=NextPacing)  # set live through the admin API
    catalogues: dict[str, Catalogue] = field(default_factory=dict)  # per profile, built on first use
    rng: random.Random = field(default_factory=random.Random)  # pacing jitter, seeded by `--seed`
    admission: Admission | None = None  # the concurrency model, with `--max-concurrency`
    metrics: Any = None  # `metrics.Metrics`, with `--metrics` (typed loosely: prometheus_client loads only then)
    chaos: Chaos | None = None  # faults and errors injected at rates (chaos.py), set at run time
    proxy: "Proxy | None" = None  # `--upstream`: what no scenario answers goes there (record/proxy.py)

    @classmethod
    def from_settings(cls, settings: Settings) -> "EmulatorState":
        select_profile(settings.profile)  # an unknown profile fails at startup, with the known names
        # With an upstream, the upstream knows its models: any name is forwarded.
        catalogue = ModelCatalogue.builtin(accept_any=settings.accept_any_model or bool(settings.upstream_url))
        for path in settings.models_files:
            catalogue.add_file(path)
        catalogue.add(settings.extra_models)
        if settings.workers > 1 and settings.state_dir is not None:  # a worker: share through SQLite
            from .workers.parts import shared_parts

            journal, limiter, engine = shared_parts(settings)
        else:
            journal = Journal(settings.journal_size, settings.journal_max_bytes)
            limiter = RateLimiter(settings.requests_per_minute, settings.tokens_per_minute,
                                  settings.enforce_rate_limits)
            engine = None
        return cls(
            settings=settings,
            catalogue=catalogue,
            journal=journal,
            limiter=limiter,
            store=open_store(settings.store_path, settings.store_cap),
            proxy=_proxy(settings),
            scenarios=_scenario_engine(settings, engine),
            rng=random.Random(settings.seed),
            admission=Admission(settings.max_concurrency, settings.max_queue) if settings.max_concurrency > 0 else None,
            chaos=_server_chaos(settings),
            responses=open_response_store(settings.store_path, settings.store_cap),
        )

    def catalogue_for(self, profile: Profile) -> Catalogue:
        """The server's catalogue plus the profile's extra models (built once per profile)."""
        catalogue = self.catalogues.get(profile.name)
        if catalogue is None:
            catalogue = self.catalogues[profile.name] = LayeredCatalogue.for_profile(self.catalogue, profile.name)
        return catalogue

    def reset(self) -> None:
        """Forget what requests left behind: journal, rate-limit windows, chaos, pacing set for the next streams,
        added scenarios and sequence state, and in-memory stored completions and responses (a `--store` file
        is kept: it exists to outlive the server)."""
        self.journal.clear()
        self.limiter.reset()
        self.chaos = _server_chaos(self.settings)  # `--chaos` starts over; chaos set at run time stops
        self.next_pacing.clear()
        self.rng.seed(self.settings.seed)  # a seeded run starts over
        self.scenarios.reset()
        if not self.store.persistent:
            self.store.clear()
        if not self.responses.persistent:
            self.responses.clear()


def _server_chaos(settings: Settings) -> Chaos | None:
    """`--chaos` (seeded by `--seed`), through the one chaos mechanism (chaos.py)."""
    if not settings.chaos:
        return None
    from .chaos import Chaos

    return Chaos(dict(settings.chaos), settings.seed or 0)


def _scenario_engine(settings: Settings, engine: ScenarioEngine | None = None) -> ScenarioEngine:
    """Always an engine (inline scenarios need one); files are read, and jsonschema imported, only if given."""
    engine = engine or ScenarioEngine()
    if settings.scenario_paths:
        engine.load_paths(settings.scenario_paths)  # raises ScenarioFileError naming file and line
        if settings.watch:
            engine.watch()
    return engine


def _proxy(settings: Settings) -> "Proxy | None":
    """The upstream responder of `--upstream` (with its recorder under `--record`), or None."""
    if not settings.upstream_url:
        return None
    from .record.proxy import Proxy
    from .record.recorder import Recorder
    from .record.upstream import Upstream

    recorder = None
    if settings.record_dir is not None:
        recorder = Recorder(settings.record_dir, redact=settings.redact, timing=settings.record_timing)
    return Proxy(Upstream(settings.upstream_url, settings.upstream_key, timeout=settings.upstream_timeout), recorder)
