"""`Emulator`: one emulator server on a real socket, started and stopped from Python.

The CLI runs it in the foreground; the pytest plugin and `with Emulator() as emu:` run it in a
background thread. Both go through the same object, so both behave the same.
"""
from __future__ import annotations

import asyncio
import logging
import socket
import threading
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import uvicorn

from .admin.operations import AdminOperations
from .app import ChatFastPath, build_app
from .client_checks.assertions import ClientAssertions
from .config import DEFAULT_API_KEY, Settings
from .journal import JournalEntry
from .logs import AccessLog
from .state import EmulatorState

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


class Emulator(ClientAssertions):
    """An emulator server. `Emulator(port=0)` picks a free port; `base_url` ends in `/v1`."""

    def __init__(self, settings: Settings | None = None, **overrides: Any) -> None:
        settings = settings or Settings(port=0, access_log=False)
        self.settings = replace(settings, **overrides) if overrides else settings
        self.state = EmulatorState.from_settings(self.settings)
        self.app: Any = ChatFastPath(build_app(self.state))
        if self.settings.access_log:
            self.app = AccessLog(self.app)  # outermost, so the fast path is logged too
        self._socket: socket.socket | None = None
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self.loop: asyncio.AbstractEventLoop | None = None  # the server's event loop, when run in a thread

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
        return self.settings.api_keys[0] if self.settings.api_keys else DEFAULT_API_KEY

    # --- running ------------------------------------------------------------------------------
    def _uvicorn_server(self) -> uvicorn.Server:
        config = uvicorn.Config(
            # Our own access log (`logs.AccessLog`) names the matched scenario; uvicorn's loggers
            # propagate to the root logger so `--log-format json` covers them too.
            self.app, log_level="info" if self.settings.access_log else "warning",
            access_log=False, log_config=None, lifespan="off", timeout_graceful_shutdown=1,
            loop="auto", http="auto", ws="none",
        )
        return uvicorn.Server(config)

    def bind(self) -> socket.socket:
        if self._socket is None:
            self._socket = _bind(self.settings.host, self.settings.port)
        return self._socket

    def serve_forever(self) -> None:
        """Serve in this thread until Ctrl-C (uvicorn handles the signals and shuts down cleanly)."""
        sock = self.bind()
        self._server = self._uvicorn_server()
        try:
            self._server.run(sockets=[sock])
        finally:
            self.close()

    def start(self) -> "Emulator":
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
        if self.state.scenarios is not None:
            self.state.scenarios.stop_watching()  # type: ignore[attr-defined]
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

    def __enter__(self) -> "Emulator":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop serving and release what the server holds (the `--store` file). `stop()` alone allows a
        later `start()`; after `close()` the emulator is done."""
        self.stop()
        self.state.services["store"].close()

    # --- inspecting and resetting --------------------------------------------------------------
    @property
    def requests(self) -> list[JournalEntry]:
        return self.state.journal.entries()

    @property
    def admin(self) -> AdminOperations:
        """The admin API's operations (journal, pacing, scenarios, health), called from Python."""
        return AdminOperations(self.state)

    @property
    def inspector_url(self) -> str:
        return self.url + "/_emulator/"

    def reset(self) -> None:
        """Clear the journal, rate limits and chaos, drop added scenarios and rewind sequences."""
        self.state.reset()

    # --- chaos and client checks (docs/client-behaviour.md); the assertions come from ClientAssertions --
    def chaos(self, rates: dict[str, float], seed: int) -> dict[str, Any]:
        return self.admin.chaos(rates, seed)

    def chaos_status(self) -> dict[str, Any]:
        return self.admin.chaos_status()

    def stop_chaos(self) -> dict[str, Any]:
        return self.admin.stop_chaos()

    def client_checks(self, **options: Any) -> dict[str, Any]:
        return self.admin.client_checks(**options)

    # --- scenarios (docs/scenarios.md) ------------------------------------------------------------
    @property
    def scenarios(self) -> ScenarioEngine:
        return self.state.scenarios  # type: ignore[return-value]

    def add_scenario(self, spec: dict[str, Any] | list[dict[str, Any]]) -> list[str]:
        return self.scenarios.add(spec)

    def load_scenarios(self, *paths: str | Path) -> None:
        self.scenarios.load_paths(Path(p) for p in paths)

    def reply_with_text(self, text: str, **options: Any) -> str:
        return self.scenarios.reply_with_text(text, **options)

    def reply_with_tool_call(self, name: str, arguments: dict[str, Any] | str | None = None, **options: Any) -> str:
        return self.scenarios.reply_with_tool_call(name, arguments, **options)

    def fail_next(self, n: int = 1, **options: Any) -> str:
        return self.scenarios.fail_next(n, **options)


def _uvloop_available() -> bool:
    try:
        import uvloop  # noqa: F401
    except ImportError:
        return False
    return True


def _new_uvloop() -> asyncio.AbstractEventLoop:
    import uvloop

    return uvloop.new_event_loop()
