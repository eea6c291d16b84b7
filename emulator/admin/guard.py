"""Keeping web pages away from the admin API and the inspector (everything under `/_emulator`).

Any page a developer opens can send requests to 127.0.0.1. Unguarded, it could add a catch-all
scenario, reset the server, or read the journal (prompts, keys). So by default the admin API
answers its own origin only:

- no CORS headers: a page elsewhere cannot read an answer, and its preflights are refused;
- a request whose `Origin` is neither the server's own nor one of `--admin-cors-origin` gets a 403,
  and so does a subresource request another site makes (`Sec-Fetch-Site: cross-site`/`same-site`);
- `POST` and `PUT` must say `Content-Type: application/json`, which a page can only send after a
  preflight (a `text/plain` "simple" request needs none);
- without an admin token, a `Host` that is not a loopback name, an IP address, the bound host or one
  of `--allowed-host` gets a 403: a page whose own name is made to resolve to 127.0.0.1 (DNS
  rebinding) is same-origin with itself but names itself in `Host` (Vite and Jupyter check it too).
  With a token the token is the guard: no page can know it.

The chat API's own CORS (`--cors-origin`) is unaffected. docs/security.md says how to open each up.
"""
from __future__ import annotations

import ipaddress
from typing import Any, Awaitable, Callable

from starlette.requests import Request

from ..config import Settings
from ..contract.errors import ApiError
from ..endpoints.shell import error_answer, is_json_media
from .auth import AdminGate

PREFIX = "/_emulator"
ASGIApp = Callable[..., Awaitable[None]]
WRITES = ("POST", "PUT")
OTHER_SITES = ("cross-site", "same-site")


def is_admin_path(path: str) -> bool:
    return path == PREFIX or path.startswith(PREFIX + "/")


def host_name(host: str) -> str:
    """The name in a `Host` header, without port or brackets, lower-case: `[::1]:8000` → `::1`."""
    host = host.strip().lower()
    if host.startswith("["):
        return host[1:].partition("]")[0]
    name, sep, port = host.rpartition(":")
    return name.rstrip(".") if sep and port.isdigit() else host.rstrip(".")


def is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


class ExposurePolicy:
    """Which `Host` and `Origin` values the admin API accepts, from the settings."""

    def __init__(self, settings: Settings) -> None:
        self.gate = AdminGate(settings)
        self.origins = frozenset(o.rstrip("/").lower() for o in settings.admin_cors_origins)
        self.hosts = frozenset(h.lower().rstrip(".") for h in (*settings.allowed_hosts, settings.host))
        self.check_host = not settings.admin_token

    def host_allowed(self, host: str | None) -> bool:
        if host is None or not self.check_host or "*" in self.hosts:
            return True
        name = host_name(host)
        if name == "localhost" or name.endswith(".localhost") or is_ip(name) or name in self.hosts:
            return True
        return any(h.startswith(".") and (name.endswith(h) or name == h[1:]) for h in self.hosts)

    def origin_allowed(self, origin: str, host: str | None) -> bool:
        origin = origin.strip().rstrip("/").lower()
        if "*" in self.origins or origin in self.origins:
            return True
        _, sep, netloc = origin.partition("://")
        return bool(sep) and host is not None and netloc == host.strip().lower()  # "null" is never allowed

    def refusal(self, request: Request) -> ApiError | None:
        """Why this request may not reach the admin API, or None."""
        headers = request.headers
        host, origin = headers.get("host"), headers.get("origin")
        if not self.host_allowed(host):
            return refused(f"The admin API does not answer for host '{host}'. Use http://127.0.0.1 or "
                           "http://localhost, or allow this name with --allowed-host.", "host_not_allowed")
        if origin is not None and not self.origin_allowed(origin, host):
            return refused(f"The admin API does not answer pages from origin '{origin}'. Open the inspector "
                           "on the server itself, or allow this origin with --admin-cors-origin.",
                           "origin_not_allowed")
        if (origin is None and headers.get("sec-fetch-site") in OTHER_SITES
                and headers.get("sec-fetch-mode") != "navigate"):
            return refused("The admin API does not answer requests that pages on other sites make.",
                           "origin_not_allowed")
        content_type = headers.get("content-type")
        if request.method in WRITES and (content_type is None or not is_json_media(content_type)):
            given = "no Content-Type" if content_type is None else f"'Content-Type: {content_type}'"
            return ApiError(415, f"The admin API takes 'Content-Type: application/json' on POST and PUT, with or "
                                 f"without a body; this request has {given}.", code="unsupported_content_type")
        return None


def refused(message: str, code: str) -> ApiError:
    return ApiError(403, message, code=code)


class AdminGuard:
    """ASGI middleware in front of the admin API: refuses what `ExposurePolicy` refuses, with the
    error envelope, before any route, CORS preflight included."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.policy = ExposurePolicy(settings)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http" and self.policy.gate.enabled:
            request = Request(scope)
            error = self.policy.refusal(request)
            if error is not None:
                await error_answer(request, error)(scope, receive, send)
                return
        await self.app(scope, receive, send)
