"""A thin HTTP client for the checks: every call returns an Exchange that knows how to explain itself."""

from __future__ import annotations

import json
import shlex
from dataclasses import dataclass, field
from typing import Any

import httpx

from emulator.conformance.outcome import CheckFailed, show

NO_BODY = object()


@dataclass
class Exchange:
    """One request and its complete response (SSE bodies are read to the end)."""

    method: str
    url: str
    request_headers: dict[str, str]
    request_body: bytes | None
    status: int
    headers: httpx.Headers
    text: str
    _json: Any = field(default=NO_BODY, repr=False)

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")

    def json(self) -> Any:
        """The body parsed as JSON; a check failure when it is not JSON."""
        if self._json is NO_BODY:
            try:
                self._json = json.loads(self.text)
            except ValueError:
                raise CheckFailed(f"{self.method} {self.url}: expected a JSON body, got {show(self.text[:120])}",
                                  reproduce=self.curl()) from None
        return self._json

    def curl(self) -> str:
        """A ready-to-run curl command that repeats the request."""
        parts = ["curl", "-sS", "-X", self.method, self.url]
        for name, value in self.request_headers.items():
            parts += ["-H", f"{name}: {value}"]
        if self.request_body is not None:
            parts += ["-d", self.request_body.decode("utf-8", "replace")]
        return " ".join(shlex.quote(p) for p in parts)


class ApiClient:
    """Calls the server under test below ``base_url`` (e.g. ``http://127.0.0.1:8000/v1``)."""

    def __init__(self, base_url: str, api_key: str | None, timeout: float = 30.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key
        self._http = httpx.Client(timeout=timeout)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> ApiClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def url(self, path: str) -> str:
        return self.base_url + path

    def request(
        self,
        method: str,
        path: str,
        body: Any = NO_BODY,
        *,
        raw: bytes | None = None,
        params: dict[str, Any] | None = None,
        auth: bool = True,
        api_key: str | None = None,
    ) -> Exchange:
        """Send one request; ``raw`` sends bytes as they are (for malformed JSON)."""
        headers: dict[str, str] = {}
        key = api_key or self.api_key
        if auth and key:
            headers["Authorization"] = f"Bearer {key}"
        content: bytes | None = raw
        if body is not NO_BODY:
            content = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        if content is not None:
            headers["Content-Type"] = "application/json"
        url = str(httpx.URL(self.url(path), params=params)) if params else self.url(path)
        response = self._http.request(method, url, content=content, headers=headers)
        return Exchange(method, url, headers, content, response.status_code, response.headers, response.text)

    def create(self, body: Any, **kwargs: Any) -> Exchange:
        """``POST /chat/completions``."""
        return self.request("POST", "/chat/completions", body, **kwargs)

    def get(self, path: str, **kwargs: Any) -> Exchange:
        return self.request("GET", path, **kwargs)
