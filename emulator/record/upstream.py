"""`Upstream`: an OpenAI-compatible server the emulator forwards to (`serve --upstream URL`).

Requests go out as the client sent them (body bytes unchanged), with the key chosen here; answers
come back as they arrive, status and the headers clients read included. An upstream that does not
answer in time, or cannot be reached, gives a 502 in the live envelope, never a hang.
"""
from __future__ import annotations

import asyncio
import os
import httpx

from ..contract.errors import ApiError

KEY_ENV = "CHAT_EMULATOR_UPSTREAM_KEY"
DEFAULT_URL = "https://api.openai.com/v1"

# Never forwarded: hop-by-hop and framing headers (httpx sets its own), the emulator's own controls, cookies.
_NOT_FORWARDED = {"host", "content-length", "connection", "keep-alive", "transfer-encoding", "te", "upgrade",
                  "accept-encoding", "cookie", "proxy-authorization", "origin", "referer"}
# Not passed back: framing (ours differs), and what the client's server must not inherit.
_NOT_RETURNED = {"content-length", "content-encoding", "transfer-encoding", "connection", "keep-alive",
                 "set-cookie", "server", "date", "alt-svc", "strict-transport-security"}


class Upstream:
    def __init__(self, url: str, key: str | None = None, *, timeout: float = 600.0,
                 connect_timeout: float = 10.0) -> None:
        self.url = url.rstrip("/")
        self.key = key if key is not None else (os.environ.get(KEY_ENV) or None)
        self.timeout = httpx.Timeout(timeout, connect=connect_timeout)
        self._clients: dict[int, httpx.AsyncClient] = {}  # one per event loop (a server runs one)

    def target(self, path: str, query: str = "") -> str:
        """The upstream URL of an emulator path: `/v1/chat/completions` → `<url>/chat/completions`."""
        rest = path[3:] if path.startswith("/v1/") else path
        return f"{self.url}/{rest.lstrip('/')}" + (f"?{query}" if query else "")

    def headers_for(self, incoming: dict[str, str]) -> dict[str, str]:
        headers = {k: v for k, v in incoming.items()
                   if k not in _NOT_FORWARDED and not k.startswith("x-emulator-")}
        headers["accept-encoding"] = "identity"  # bytes pass through as sent; SSE is read as it comes
        if self.key:
            headers["authorization"] = f"Bearer {self.key}"
        return headers

    def key_used(self, incoming: dict[str, str]) -> str:
        if self.key:
            return self.key
        return incoming.get("authorization", "").partition(" ")[2].strip() or incoming.get("api-key", "")

    def _client(self) -> httpx.AsyncClient:
        loop = id(asyncio.get_running_loop())
        client = self._clients.get(loop)
        if client is None:
            client = self._clients[loop] = httpx.AsyncClient(timeout=self.timeout, follow_redirects=False)
        return client

    async def open(self, method: str, path: str, query: str, headers: dict[str, str], body: bytes) -> httpx.Response:
        """Send the request; the answer's body is read later (`aiter_raw`), as it arrives."""
        request = self._client().build_request(method, self.target(path, query), headers=self.headers_for(headers),
                                               content=body or None)
        try:
            return await self._client().send(request, stream=True)
        except httpx.TimeoutException:
            raise unavailable(self, "upstream_timeout", "did not answer in time") from None
        except httpx.HTTPError as error:
            raise unavailable(self, "upstream_unreachable", f"could not be reached ({type(error).__name__})") from None

    async def aclose(self) -> None:
        for client in self._clients.values():
            await client.aclose()
        self._clients.clear()


def unavailable(upstream: Upstream, code: str, what: str) -> ApiError:
    return ApiError(502, f"The upstream server {upstream.url} {what}.", type="upstream_error", code=code)


def returned_headers(response: httpx.Response) -> dict[str, str]:
    """The upstream's response headers the client gets back (lower-case names)."""
    return {k.lower(): v for k, v in response.headers.items() if k.lower() not in _NOT_RETURNED}

