"""Logging: text or JSON lines (`--log-format json`), and the access log (one line per request,
naming the scenario that answered) as a pure ASGI middleware."""
from __future__ import annotations

import json
import logging
import sys
import time
from typing import Any, Awaitable, Callable

from .journal import JOURNAL_ENTRY

access_log = logging.getLogger("emulator.access")

Scope = dict[str, Any]
Message = dict[str, Any]
ASGIApp = Callable[[Scope, Callable[[], Awaitable[Message]], Callable[[Message], Awaitable[None]]], Awaitable[None]]

ACCESS_FIELDS = ("method", "path", "status", "duration_ms", "matched", "model", "request_id", "client")


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, and the access fields when present."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S") + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(), "logger": record.name, "message": record.getMessage(),
        }
        for name in ACCESS_FIELDS:
            if hasattr(record, name):
                line[name] = getattr(record, name)
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


def configure(log_format: str = "text", level: int = logging.INFO) -> None:
    """Set up the root logger once for the CLI (uvicorn's own loggers propagate to it)."""
    handler = logging.StreamHandler(sys.stderr)
    if log_format == "json":
        formatter: logging.Formatter = JsonFormatter()
        formatter.converter = time.gmtime
    else:
        formatter = logging.Formatter("%(levelname)s: %(message)s")
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)


def printable(text: str) -> str:
    """`text` with what could forge or break a log line escaped: control characters (a newline in a
    decoded path or in the body's `model`), lone surrogates, and the quote that closes the request."""
    if text.isprintable() and '"' not in text:
        return text
    return "".join(_escaped(c) for c in text)


def _escaped(char: str) -> str:
    if char == '"':
        return '\\"'
    return char if char.isprintable() else char.encode("unicode_escape").decode("ascii")


class AccessLog:
    """Logs each HTTP request once its response has started: status, duration and, for chat
    completions, the model and what answered (a scenario's name or `builtin`)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status: list[int] = [500]
        request_id: list[str | None] = [None]

        async def send_and_note(message: Message) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
                for key, value in message.get("headers", ()):
                    if key == b"x-request-id":
                        request_id[0] = value.decode("latin-1")
            await send(message)

        try:
            await self.app(scope, receive, send_and_note)
        finally:
            self._log(scope, status[0], request_id[0], (time.perf_counter() - started) * 1000)

    @staticmethod
    def _log(scope: Scope, status: int, request_id: str | None, duration_ms: float) -> None:
        entry = scope.get(JOURNAL_ENTRY)
        matched = getattr(entry, "matched", None)
        model = getattr(entry, "model", None)
        model = None if model is None else printable(str(model))
        client = scope.get("client")
        path = printable(scope["path"])
        fields = {
            "method": scope["method"], "path": path, "status": status,
            "duration_ms": round(duration_ms, 1), "matched": matched, "model": model,
            "request_id": request_id, "client": f"{client[0]}:{client[1]}" if client else None,
        }
        # uvicorn's familiar shape, plus the duration and what answered.
        text = (f'{fields["client"] or "-"} - "{scope["method"]} {path} HTTP/{scope.get("http_version", "1.1")}" '
                f'{status} {duration_ms:.1f}ms')
        if model:
            text += f" model={model}"
        if matched:
            text += f" matched={matched}"
        access_log.info(text, extra=fields)
