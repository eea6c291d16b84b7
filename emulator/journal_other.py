"""Journal the API's other requests (`/v1/models`, stored completions, unknown `/v1` URLs) the way
the chat endpoint journals its own, so the inspector shows everything a front end sent.

A pure ASGI middleware: it keeps a copy of the request body and of a JSON response body (both small
for these endpoints) and adds one entry when the response is complete. Chat completion creation
journals itself (with the matched scenario and stream events) and is skipped here.
"""
from __future__ import annotations

import json
import time
from typing import Any

from .journal import Journal

Scope = dict[str, Any]
MAX_CAPTURE = 1024 * 1024  # larger bodies are noted as None: these endpoints never send that much


class JournalOtherRequests:
    def __init__(self, app: Any, journal: Journal) -> None:
        self.app = app
        self.journal = journal

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        path, method = scope.get("path", ""), scope.get("method", "")
        if (scope["type"] != "http" or not path.startswith("/v1/") or method == "OPTIONS"
                or (method == "POST" and path == "/v1/chat/completions")):
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        entry = self.journal.start(method, path, headers, scope.get("query_string", b"").decode("latin-1"))
        request_body: list[bytes] = []
        response_body: list[bytes] = []
        is_json = [False]

        async def receive_and_keep() -> dict[str, Any]:
            message = await receive()
            if message["type"] == "http.request":
                request_body.append(message.get("body", b""))
            return message

        async def send_and_keep(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                entry.status = message["status"]
                is_json[0] = any(k == b"content-type" and v.startswith(b"application/json")
                                 for k, v in message.get("headers", ()))
            elif message["type"] == "http.response.body" and is_json[0]:
                response_body.append(message.get("body", b""))
                if not message.get("more_body"):
                    entry.duration_ms = (time.perf_counter() - entry.started) * 1000
            await send(message)

        try:
            await self.app(scope, receive_and_keep, send_and_keep)
        finally:
            if not entry.duration_ms:
                entry.duration_ms = (time.perf_counter() - entry.started) * 1000
            entry.body, entry.request_bytes = _parsed(request_body), sum(map(len, request_body))
            entry.response = _parsed(response_body)
            self.journal.add(entry, sum(map(len, response_body)))


def _parsed(chunks: list[bytes]) -> Any:
    raw = b"".join(chunks)
    if not raw.strip() or len(raw) > MAX_CAPTURE:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return None
