"""`Emulator`: the one object a user holds. One emulator server on a real socket, started and stopped
from Python, with clients pointed at it, its journal, its reports, and its scripting.

    with Emulator(strict=True) as emu:
        emu.reply_with_text("Hello!")
        answer = emu.client().chat.completions.create(model="gpt-4o-mini", messages=[...])
        assert emu.last_request.model == "gpt-4o-mini"

Its scripting and journal methods are the admin operations (admin/operations.py): the HTTP admin API
calls the same code, so each method means one thing from either door. The CLI runs it in the
foreground; the pytest plugin's `chat_emulator` fixture yields the session's one, reset per test.
The method groups live in small mixins (`user/`); this module holds the lifecycle and the addresses.
"""
from __future__ import annotations

import asyncio
import gc
import signal
import socket
import threading
import warnings
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import uvicorn

from . import encodings
from .app import build_app, fast_path
from .config import DEFAULT_API_KEY, Settings
from .admin.live import end_feeds
from .logs import AccessLog
from .probes import Probes, Readiness
from .state import EmulatorState
from .user.client_checks import ClientAssertions
from .user.clients import Clients
from .user.reports import Reports

if TYPE_CHECKING:
    from .scenarios.engine import ScenarioEngine


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


class Emulator(Clients, Reports, ClientAssertions):
    """An emulator server. `Emulator(port=0)` picks a free port; `base_url` ends in `/v1`.
    `Emulator(settings)` or `Emulator(**settings)` (the fields of `Settings`), or both: the keywords win."""

    def __init__(self, settings: Settings | None = None, **overrides: Any) -> None:
        settings = settings or Settings(port=0, access_log=False)
        self.settings = replace(settings, **overrides) if overrides else settings
        super().__init__(EmulatorState.from_settings(self.settings))
        starlette = build_app(self.state)
        fast = fast_path(starlette)
        core: Any = fast
        if self.settings.metrics:  # only then: with metrics off, prometheus_client is never imported
            from .metrics import instrument

            core = instrument(core, self.state, starlette.routes)  # inside the probes: they are not counted
        self.readiness = Readiness(self.state)
        if self.settings.access_log and self.settings.log_probes:
            self.app: Any = AccessLog(Probes(core, self.readiness))
        elif self.settings.access_log:  # outermost but for the probes, so the fast path is logged too
            self.app = Probes(AccessLog(core), self.readiness)
        elif core is fast:  # the probes behind the fast path (their GETs never take it): one layer less a request
            fast.rest = Probes(starlette, self.readiness)
            self.app = fast
        else:
            self.app = Probes(core, self.readiness)
        self._socket: socket.socket | None = None
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._clients = []
        self.loop: asyncio.AbstractEventLoop | None = None  # the server's event loop, when run in a thread

    def __repr__(self) -> str:
        return f"<Emulator {self.base_url} requests={len(self.requests)}>"

    # --- addresses ---------------------------------------------------------------------------
    @property
    def port(self) -> int:
        if self._socket is None:
            return self.settings.port
        return self._socket.getsockname()[1]

    @property
    def url(self) -> str:
        host = self.settings.host
        return f"http://[{host}]:{self.port}" if ":" in host else f"http://{host}:{self.port}"

    @property
    def base_url(self) -> str:
        return self.url + "/v1"

    @property
    def api_key(self) -> str:
        """A key the emulator accepts (the first configured one, else any non-empty key works)."""
        return self.settings.api_keys[0] if self.settings.api_keys else DEFAULT_API_KEY

    @property
    def inspector_url(self) -> str:
        return self.url + "/_emulator/"

    @property
    def strict(self) -> bool:
        """Strict mode: a request no scenario matches gets a 404 `no_scenario_matched`, not the built-in model."""
        return self.settings.strict

    @strict.setter
    def strict(self, value: bool) -> None:
        self.settings.strict = value

    # --- running ------------------------------------------------------------------------------
    def _uvicorn_server(self, freeze_heap: bool = False) -> uvicorn.Server:
        """A uvicorn server for the app that, once it accepts connections, loads the exact token
        encodings in the background: off the start-up path, and before most first requests.
        `freeze_heap`: a process that only serves (the CLI) moves its start-up objects out of the
        garbage collector's sight (`_Server.startup` says why)."""
        return _Server(uvicorn.Config(self.app, **served_options(self.settings)), self.readiness, freeze_heap)

    def bind(self) -> socket.socket:
        if self._socket is None:
            self._socket = _bind(self.settings.host, self.settings.port)
        return self._socket

    def serve_forever(self) -> None:
        """Serve in this thread until Ctrl-C or SIGTERM; either drains (`graceful_timeout`) and returns.

        uvicorn handles both signals, then raises the signal again under the handler it found. For
        SIGTERM that would be the default one, killing the process with status 143 after a clean
        shutdown; the handler set here turns it into a plain return (and stops a server that gets
        SIGTERM before uvicorn installs its own)."""
        sock = self.bind()
        self._server = server = self._uvicorn_server(freeze_heap=True)
        previous = signal.signal(signal.SIGTERM, lambda *_: setattr(server, "should_exit", True))
        try:
            server.run(sockets=[sock])
        finally:
            signal.signal(signal.SIGTERM, previous)
            self.close()

    def start(self) -> Emulator:
        """Serve in a background thread; returns once the server accepts connections."""
        if self._thread is not None:
            return self
        sock = self.bind()
        self._server = server = self._uvicorn_server()
        started = threading.Event()

        def run() -> None:
            loop = self.loop = asyncio.new_event_loop() if not _uvloop_available() else _new_uvloop()
            asyncio.set_event_loop(loop)
            try:
                loop.run_until_complete(server.serve(sockets=[sock]))
            finally:
                loop.close()

        original_startup = server.startup

        async def startup(sockets: Any = None) -> None:
            await original_startup(sockets=sockets)
            started.set()

        server.startup = startup  # type: ignore[method-assign]
        self._thread = threading.Thread(target=run, name=f"chat-emulator:{self.port}", daemon=True)
        self._thread.start()
        if not started.wait(10):
            raise RuntimeError("the emulator did not start within 10 s")
        return self

    def stop(self) -> None:
        """Stop serving; a later `start()` serves again (on a new port when the port was 0)."""
        self.state.scenarios.stop_watching()
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(5)
            self._thread = None
        self.close_socket()

    def close_socket(self) -> None:
        if self._socket is not None:
            self._socket.close()
            self._socket = None

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop serving and release what the server holds (the `--store` file). `stop()` alone allows a
        later `start()`; after `close()` the emulator is done. Also closes the clients `client()` made."""
        self.close_clients()
        self.stop()
        self.state.store.close()
        self.state.responses.close()

    # --- resetting ------------------------------------------------------------------------------
    def reset(self) -> None:
        """Forget the journal, rate-limit windows, chaos, pacing set for the next streams, scenarios added at run
        time (from Python or the admin API), sequence positions and in-memory stored completions; the
        scenario files the server started with stay. Also forgets `allow_unmatched()`."""
        super().reset()
        self.unmatched_allowed = False

    # --- the scenario engine (docs/scenarios.md) --------------------------------------------------
    @property
    def scenarios(self) -> ScenarioEngine:
        """The scenario engine, for what the operations do not cover: `usage()`, `unused()`, `last_miss`,
        `describe()`, `near_misses(request)`."""
        return self._engine()

    @property
    def emulator(self) -> Emulator:
        """Deprecated: the fixture's object was a view over `.emulator`; it is the `Emulator` itself now."""
        warnings.warn("chat_emulator.emulator is deprecated: the fixture yields the Emulator itself",
                      DeprecationWarning, stacklevel=2)
        return self

    @property
    def admin(self) -> Emulator:
        """Deprecated: the admin operations are the emulator's own methods now (`emu.fail_next(...)`)."""
        warnings.warn("Emulator.admin is deprecated: call the operations on the Emulator itself",
                      DeprecationWarning, stacklevel=2)
        return self


class _Server(uvicorn.Server):
    """uvicorn's server, warming the tokenizers once it listens, and with `/ready` answering 503 from
    the moment shutdown starts."""

    def __init__(self, config: uvicorn.Config, readiness: Readiness, freeze_heap: bool = False) -> None:
        super().__init__(config)
        self.readiness = readiness
        self.freeze_heap = freeze_heap

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        if self.freeze_heap:
            # The modules, catalogue and app live as long as the process: without this, every full
            # collection walks their ~35,000 objects again (measured: 80 µs a distinct request, on a
            # shared machine, went to the garbage collector; 28 µs after the freeze).
            gc.collect()
            gc.freeze()
        encodings.warm_up()
        self.readiness.draining = False  # an Emulator stopped and started again is ready again

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        self.readiness.draining = True
        end_feeds(self.readiness.state.journal)  # open inspectors must not hold the drain
        await super().shutdown(sockets)


def served_options(settings: Settings) -> dict[str, Any]:
    """uvicorn's `Config` options for serving the emulator, in one process or as `--workers`."""
    return dict(
        # Our own access log (`logs.AccessLog`) names the matched scenario; uvicorn's loggers
        # propagate to the root logger so `--log-format json` covers them too. The client's
        # address (which `X-Forwarded-For` from a local proxy rewrites) is read only by that log:
        # without it, uvicorn's proxy-headers middleware (a scan of every request's headers) is off.
        log_level="info" if settings.access_log else "warning", access_log=False, log_config=None,
        lifespan="off", proxy_headers=settings.access_log, timeout_graceful_shutdown=settings.graceful_timeout,
        loop="auto", http=http_protocol(), ws="none",
    )


def http_protocol() -> Any:
    """uvicorn's HTTP protocol: one that writes the emulator's ready response heads in one piece
    (served_protocol.py) when httptools and a uvicorn it knows are installed, else uvicorn's choice."""
    try:
        from .served_protocol import fast_protocol
    except ImportError:  # no httptools: uvicorn serves with h11
        return "auto"
    return fast_protocol() or "auto"


def _uvloop_available() -> bool:
    try:
        import uvloop  # noqa: F401
    except ImportError:
        return False
    return True


def _new_uvloop() -> asyncio.AbstractEventLoop:
    import uvloop

    return uvloop.new_event_loop()
