"""`--metrics`: `GET /metrics` in the Prometheus text format, through `prometheus-client`.

Imported only when metrics are on: with them off, nothing here runs or loads. `MetricsMiddleware`
wraps the whole application (the chat fast path included), times each response to its last byte,
and reads what the endpoints left on the journal entry (the responder, the usage, the fault).
Names and labels are listed in docs/operations.md#metrics. With the vLLM profile, vLLM's own names
(`vllm:num_requests_running`, ...) are served too, so a load-aware router can be tested against it.

Under `--workers N` the values live in prometheus-client's multiprocess files (the supervisor sets
`PROMETHEUS_MULTIPROC_DIR` before any worker starts) and every worker's `/metrics` answers the sum.
"""
from __future__ import annotations

import os
import time
from typing import TYPE_CHECKING, Any, Awaitable, Callable, Iterator

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector
from starlette.routing import BaseRoute, Match

from .journal import JOURNAL_ENTRY

if TYPE_CHECKING:
    from .state import EmulatorState

Scope = dict[str, Any]
ASGIApp = Callable[..., Awaitable[None]]
PATH = "/metrics"
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0)
GAP_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.15, 0.2, 0.3, 0.5, 1.0, 2.5)
MAX_MODELS = 100  # distinct model labels (clients choose the name with --any-model); then "other"


def multiprocess() -> bool:
    return bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))


class Metrics:
    """The metrics of one server process."""

    def __init__(self, state: EmulatorState, routes: list[BaseRoute]) -> None:
        self.state, self.routes = state, routes
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.requests = Counter("chat_emulator_requests", "HTTP requests answered",
                                ["route", "method", "status", "api", "source"], registry=r)
        self.latency = Histogram("chat_emulator_request_duration_seconds",
                                 "Server-side time from arrival to the last byte sent", ["route", "api"],
                                 buckets=LATENCY_BUCKETS, registry=r)
        self.ttft = Histogram("chat_emulator_time_to_first_token_seconds",
                              "Streams: time from arrival to the first event sent", ["model"],
                              buckets=LATENCY_BUCKETS, registry=r)
        self.gaps = Histogram("chat_emulator_inter_token_seconds", "Paced streams: time between events",
                              ["model"], buckets=GAP_BUCKETS, registry=r)
        self.prompt_tokens = Counter("chat_emulator_prompt_tokens", "Prompt tokens of answered requests",
                                     ["model"], registry=r)
        self.completion_tokens = Counter("chat_emulator_completion_tokens", "Completion tokens generated",
                                         ["model"], registry=r)
        self.streams = Gauge("chat_emulator_streams_in_flight", "Streamed responses being sent",
                             registry=r, multiprocess_mode="livesum")
        self.faults = Counter("chat_emulator_faults", "Faults and chaos injections fired, by name",
                              ["name", "origin"], registry=r)
        self.vllm = VllmMetrics(r, state) if state.settings.profile == "vllm" else None
        self.models: set[str] = set()
        if not multiprocess():
            r.register(SizeCollector(state))

    def expose(self) -> bytes:
        """The text a scrape gets: this process's registry, or every worker's under --workers."""
        if not multiprocess():
            return generate_latest(self.registry)
        registry = CollectorRegistry()
        MultiProcessCollector(registry)
        registry.register(SizeCollector(self.state))
        return generate_latest(registry)

    def route_of(self, scope: Scope) -> str:
        route = scope.get("route")  # Starlette sets it once routed; the chat fast path is not routed
        path = getattr(route, "path", None)
        if isinstance(path, str):
            return path
        for candidate in self.routes:
            if candidate.matches(scope)[0] == Match.FULL:
                return getattr(candidate, "path", "unmatched")
        return "unmatched"

    def model(self, name: str | None) -> str:
        if not name:
            return ""
        if name not in self.models:
            if len(self.models) >= MAX_MODELS:
                return "other"
            self.models.add(name)
        return name

    def observe(self, scope: Scope, status: int, took: float, sent: list[float], stream: bool) -> None:
        """One finished exchange: `sent` holds when each non-empty body part left, `took` the total."""
        route = self.route_of(scope)
        api = api_of(route)
        entry = scope.get(JOURNAL_ENTRY)
        self.requests.labels(route, scope["method"], str(status), api,
                             getattr(entry, "matched", None) or "none").inc()
        self.latency.labels(route, api).observe(took)
        if entry is None:
            return
        model = self.model(entry.model)
        if stream and sent:
            self.ttft.labels(model).observe(sent[0])
            for before, after in zip(sent, sent[1:], strict=False):
                self.gaps.labels(model).observe(after - before)
        usage = entry.usage
        if status == 200 and usage is not None:
            self.prompt_tokens.labels(model).inc(usage.get("prompt_tokens") or 0)
            self.completion_tokens.labels(model).inc(usage.get("completion_tokens") or 0)
        if entry.chaos is not None:  # chaos drew it (a fault or an error)
            self.faults.labels(entry.chaos, "chaos").inc()
        elif entry.fault is not None:  # a scenario's fault
            self.faults.labels(entry.fault, "scenario").inc()
        if self.vllm is not None:
            self.vllm.finished(model, status, took, sent[0] if stream and sent else took, usage, entry.response)


def api_of(route: str) -> str:
    """`/v1/chat/completions/{completion_id}/messages` → `chat.completions.messages`; admin → `admin`."""
    if route.startswith("/_emulator"):
        return "admin"
    if route == "unmatched":
        return "unmatched"
    parts = [p for p in route.split("/") if p and not p.startswith("{") and p not in ("v1", "openai", "deployments")]
    return ".".join(parts) or "other"


class VllmMetrics:
    """vLLM's own names (its `/metrics`), so a router that reads them sees the emulator's load.

    `running`: chat completions being generated; `waiting`: those queued by `--max-concurrency`;
    cache usage: the share of `--max-concurrency` slots in use (0 without a limit), which is what a
    router reads it for: how close to saturation the server is.
    """

    def __init__(self, r: CollectorRegistry, state: EmulatorState) -> None:
        self.limit = state.settings.max_concurrency
        # The gauges' `model_name`: the model the server was started for (`--model`), else the profile's first.
        self.model = state.settings.extra_models[0] if state.settings.extra_models else _first_vllm_model()
        self.running = Gauge("vllm:num_requests_running", "Requests being generated", ["model_name"],
                             registry=r, multiprocess_mode="livesum")
        self.waiting = Gauge("vllm:num_requests_waiting", "Requests waiting to be processed", ["model_name"],
                             registry=r, multiprocess_mode="livesum")
        self.gpu_cache = Gauge("vllm:gpu_cache_usage_perc", "KV-cache usage (1 means 100 percent)", ["model_name"],
                               registry=r, multiprocess_mode="livesum")
        self.kv_cache = Gauge("vllm:kv_cache_usage_perc", "KV-cache usage (1 means 100 percent)", ["model_name"],
                              registry=r, multiprocess_mode="livesum")
        for gauge in (self.running, self.waiting, self.gpu_cache, self.kv_cache):
            gauge.labels(self.model).set(0)  # present from the first scrape: a router reads them before any load
        self.prompt = Counter("vllm:prompt_tokens", "Prefill tokens processed", ["model_name"], registry=r)
        self.generation = Counter("vllm:generation_tokens", "Generation tokens processed", ["model_name"], registry=r)
        self.success = Counter("vllm:request_success", "Successfully processed requests",
                               ["model_name", "finished_reason"], registry=r)
        self.ttft = Histogram("vllm:time_to_first_token_seconds", "Time to first token", ["model_name"],
                              buckets=LATENCY_BUCKETS, registry=r)
        self.e2e = Histogram("vllm:e2e_request_latency_seconds", "End-to-end request latency", ["model_name"],
                             buckets=LATENCY_BUCKETS, registry=r)

    def change(self, model: str, kind: str, delta: int) -> None:
        """Requests entering or leaving the running or waiting set (the admission model tells us)."""
        gauge = self.running if kind == "running" else self.waiting
        gauge.labels(model).inc(delta)
        if kind == "running" and self.limit:
            share = delta / self.limit
            self.gpu_cache.labels(model).inc(share)
            self.kv_cache.labels(model).inc(share)

    def finished(self, model: str, status: int, took: float, first: float, usage: dict[str, Any] | None,
                 response: Any) -> None:
        if status != 200:
            return
        if usage is not None:
            self.prompt.labels(model).inc(usage.get("prompt_tokens") or 0)
            self.generation.labels(model).inc(usage.get("completion_tokens") or 0)
        choices = response.get("choices") if isinstance(response, dict) else None
        reason = (choices[0].get("finish_reason") if choices else None) or "stop"
        self.success.labels(model, reason).inc()
        self.ttft.labels(model).observe(first)
        self.e2e.labels(model).observe(took)


def _first_vllm_model() -> str:
    from .profiles.catalogue import profile_entries

    models = profile_entries("vllm")
    return str(models[0]["id"]) if models else ""


class SizeCollector(Collector):
    """Sizes read at scrape time: the journal's entries and bytes, the stored completions."""

    def __init__(self, state: EmulatorState) -> None:
        self.state = state

    def collect(self) -> Iterator[GaugeMetricFamily]:
        stats = self.state.journal.stats()
        yield GaugeMetricFamily("chat_emulator_journal_entries", "Requests the journal holds",
                                value=stats["entries"])
        yield GaugeMetricFamily("chat_emulator_journal_bytes", "Approximate bytes the journal holds",
                                value=stats["bytes"])
        store: Any = self.state.store
        yield GaugeMetricFamily("chat_emulator_stored_completions", "Stored completions (store: true)",
                                value=len(store))


class MetricsMiddleware:
    """Answers `GET /metrics` and observes every other HTTP exchange."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app, self.metrics = app, metrics

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["path"] == PATH and scope["method"] in ("GET", "HEAD"):
            await self.scrape(send)
            return
        started = time.perf_counter()
        status, stream, sent = [500], [False], []
        streams = self.metrics.streams

        async def observe_send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
                stream[0] = any(k == b"content-type" and v.startswith(b"text/event-stream")
                                for k, v in message.get("headers", ()))
                if stream[0]:
                    streams.inc()
            elif message["type"] == "http.response.body" and message.get("body"):
                sent.append(time.perf_counter() - started)
            await send(message)

        running = self._running(scope)
        try:
            await self.app(scope, receive, observe_send)
        finally:
            if stream[0]:
                streams.dec()
            if running is not None:
                running()
            self.metrics.observe(scope, status[0], time.perf_counter() - started, sent, stream[0])

    def _running(self, scope: Scope) -> Callable[[], None] | None:
        """vLLM's running count: a chat completion runs from arrival (less time queued, which the
        admission model moves to `waiting`) to its last byte."""
        vllm = self.metrics.vllm
        if vllm is None or scope["method"] != "POST" or not scope["path"].endswith("/chat/completions"):
            return None
        model = vllm.model
        vllm.change(model, "running", 1)
        return lambda: vllm.change(model, "running", -1)

    async def scrape(self, send: Any) -> None:
        body = self.metrics.expose()
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", CONTENT_TYPE_LATEST.encode()),
                                (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})


def instrument(app: ASGIApp, state: EmulatorState, routes: list[BaseRoute]) -> ASGIApp:
    """`app` with metrics: the middleware, and the admission model telling vLLM's gauges of its queue."""
    metrics = Metrics(state, routes)
    state.metrics = metrics
    if metrics.vllm is not None and state.admission is not None:
        vllm = metrics.vllm
        state.admission.observer = lambda kind, delta: _queued(vllm, kind, delta)
    return MetricsMiddleware(app, metrics)


def _queued(vllm: VllmMetrics, kind: str, delta: int) -> None:
    """A request queued (`waiting` +1) is not running yet; one let in runs again."""
    if kind == "waiting":
        vllm.change(vllm.model, "waiting", delta)
        vllm.change(vllm.model, "running", -delta)


def serve_port(metrics: Metrics | None, host: str, port: int) -> Any:
    """`--metrics-port`: prometheus-client's own HTTP server (a daemon thread) on `host:port`. Under
    `--workers` (no `metrics` in the supervisor) it reads the workers' multiprocess files."""
    from prometheus_client import start_http_server

    if metrics is not None and not multiprocess():
        registry = metrics.registry
    else:
        registry = CollectorRegistry()
        MultiProcessCollector(registry, path=os.environ.get("PROMETHEUS_MULTIPROC_DIR"))
    return start_http_server(port, addr=host, registry=registry)  # (server, thread) in prometheus-client >= 0.18
