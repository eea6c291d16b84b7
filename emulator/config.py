"""`Settings`: everything a user can configure, with the defaults the CLI and the plugin share."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .pacing import Pacing

DEFAULT_API_KEY = "sk-emulator"
MB = 1024 * 1024
JOURNAL_SIZE = 1000  # entries
JOURNAL_MAX_BYTES = 4 * MB  # with the bounded caches, keeps a busy server near its 60 MiB target


@dataclass
class Settings:
    host: str = "127.0.0.1"
    port: int = 8000
    # Accepted API keys; empty accepts any non-empty key.
    api_keys: tuple[str, ...] = ()
    cors_origins: tuple[str, ...] = ("*",)
    scenario_paths: tuple[Path, ...] = ()
    strict: bool = False
    watch: bool = False
    models_files: tuple[Path, ...] = ()
    extra_models: tuple[str, ...] = ()
    accept_any_model: bool = False
    pacing: Pacing = field(default_factory=Pacing)
    requests_per_minute: int = 10000
    tokens_per_minute: int = 30000000
    enforce_rate_limits: bool = False
    rate_limit_keys: int = 10000  # API keys whose windows are tracked at once (ratelimit.py)
    max_body_bytes: int = 32 * MB
    journal_size: int = JOURNAL_SIZE
    journal_max_bytes: int = JOURNAL_MAX_BYTES
    store_path: Path | None = None
    store_cap: int = 10000
    log_format: str = "text"  # "text" or "json"
    access_log: bool = True
    log_probes: bool = False  # /health and /ready in the access log (emulator/probes.py)
    # Seconds SIGTERM (or stop()) lets requests and streams in flight finish. From Python a test
    # server stops promptly; `serve --graceful-timeout` defaults to 10 for orchestrators.
    graceful_timeout: int = 1
    admin_token: str | None = None
    # Browser origins (besides its own) and Host names (besides loopback, IPs and `host`) the admin API
    # answers; see admin/guard.py and docs/security.md.
    admin_cors_origins: tuple[str, ...] = ()
    allowed_hosts: tuple[str, ...] = ()
    profile: str = "openai"  # openai, vllm, azure or lenient (emulator/profiles)
    # Azure deployments: (deployment name, model id) pairs; any catalogue id is also a deployment of itself.
    azure_deployments: tuple[tuple[str, str], ...] = ()
    # --- running at scale (docs/operations.md) ---
    seed: int | None = None  # seeds pacing jitter and chaos: the same seed and request order, the same run
    max_concurrency: int = 0  # chat completions served at once; beyond it they wait (0: no limit)
    max_queue: int | None = None  # most waiting past max_concurrency; beyond it the live 503 (None: no bound)
    chaos: tuple[tuple[str, float], ...] = ()  # (fault or error name, rate) pairs injected from the start
    metrics: bool = False  # GET /metrics in the Prometheus text format
    metrics_port: int | None = None  # serve /metrics on this port too (beside the API port)
    workers: int = 1  # processes serving the one port
    state_dir: Path | None = None  # where workers share their state (default: a temporary folder)
    # Record and replay (docs/record-replay.md): forward what no scenario answers, and record it.
    upstream_url: str | None = None
    upstream_key: str | None = None  # default: $CHAT_EMULATOR_UPSTREAM_KEY, else the client's own key
    upstream_timeout: float = 600.0
    record_dir: Path | None = None
    record_timing: bool = False
    redact: tuple[str, ...] = ()
