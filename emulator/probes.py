"""`GET /health` and `GET /ready`: what a container's HEALTHCHECK, compose and Kubernetes ask.

`/health` says the process answers HTTP; `/ready` says it should get traffic (scenarios loaded,
the store open, not shutting down), or 503 with the reason. Both are open on every bind, with or
without an admin token: they tell nothing about the traffic. They are answered in front of the
application, so they never reach the journal, the rate limits or (unless `--log-probes`) the
access log: a probe every few seconds would otherwise crowd out the requests a test looks for.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

from starlette.responses import JSONResponse

if TYPE_CHECKING:
    from .state import EmulatorState

HEALTH_PATH = "/health"
READY_PATH = "/ready"
# No proxy or browser keeps an answer that is only true now.
_HEADERS = {"cache-control": "no-store"}


class Readiness:
    """Why the server should not get traffic right now, or None when it should."""

    def __init__(self, state: EmulatorState) -> None:
        self.state = state
        self.draining = False  # set when shutdown starts; the listener closes right after

    def reason(self) -> str | None:
        # The scenario files are read before the server listens (a mistake stops the start), and a
        # broken edit under --watch keeps the last good set: a server that answers has its scenarios.
        if self.draining:
            return "shutting down"
        try:
            len(self.state.store)  # a query on a SQLite store: fails once it is closed
        except Exception as error:  # any failure means the same: not ready
            return f"the store is not open ({error})"
        return None


class Probes:
    """ASGI middleware answering the two probe paths (GET or HEAD) and passing everything else on."""

    def __init__(self, app: Callable[..., Any], readiness: Readiness) -> None:
        self.app = app
        self.readiness = readiness

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        path = scope.get("path")
        if (path != HEALTH_PATH and path != READY_PATH) or scope["type"] != "http" \
                or scope["method"] not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        await self._answer(path)(scope, receive, send)

    def _answer(self, path: str) -> JSONResponse:
        if path == HEALTH_PATH:
            return JSONResponse({"status": "ok"}, headers=_HEADERS)
        reason = self.readiness.reason()
        if reason is None:
            return JSONResponse({"status": "ready"}, headers=_HEADERS)
        return JSONResponse({"status": "not ready", "reason": reason}, status_code=503, headers=_HEADERS)
