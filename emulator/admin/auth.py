"""Who may use the admin API and the inspector.

On a loopback address they are open unless a token is set. On any other address they need the
token, and without one they are off (404, as if they did not exist).
"""
from __future__ import annotations

import hmac
import ipaddress

from starlette.requests import Request

from ..config import Settings
from ..contract import errors
from ..contract.errors import ApiError

TOKEN_ENV = "CHAT_EMULATOR_ADMIN_TOKEN"


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def binding_warnings(settings: Settings) -> list[str]:
    """What `serve` prints when the server is reachable from other machines."""
    if is_loopback(settings.host):
        return []
    warnings = [f"binding to {settings.host} makes the emulator reachable from other machines"]
    if not settings.admin_token:
        warnings.append(f"the admin API and inspector are off: give --admin-token (or ${TOKEN_ENV}) to turn them on")
    return warnings


class AdminGate:
    def __init__(self, settings: Settings) -> None:
        self.token = settings.admin_token or None
        self.enabled = self.token is not None or is_loopback(settings.host)

    def check(self, request: Request) -> None:
        """Raise the error this request gets when it may not use the admin API."""
        if not self.enabled:
            raise errors.invalid_url(request.method, request.url.path)
        if self.token is None:
            return
        scheme, _, given = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer":
            given = ""
        given = given.strip() or request.query_params.get("token", "")
        if not hmac.compare_digest(given.encode(), self.token.encode()):
            raise ApiError(401, "This admin API needs the admin token: send `Authorization: Bearer <token>` "
                                "(or `?token=<token>` in the inspector's address).",
                           code="invalid_admin_token")
