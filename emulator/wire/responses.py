"""`BytesResponse`: a Starlette response for a body that is already bytes (every chat reply)."""
from __future__ import annotations

from typing import Any

from starlette.datastructures import MutableHeaders
from starlette.responses import Response

from .head import encode_headers, start_message


_JSON_TYPE = (b"content-type", b"application/json")
_JSON_LEAD_LINES = b"content-length: %b\r\ncontent-type: application/json\r\n"


class BytesResponse(Response):
    """Headers encoded in one pass, without Response's generic checks: it carries every reply. Its start
    message also carries the header lines ready to write (wire/head.py)."""

    def __init__(self, content: bytes, status: int, headers: dict[str, str],
                 media_type: str = "application/json") -> None:
        self.status_code, self.body, self.background = status, content, None
        self.varies = "vary" in headers
        length = b"%d" % len(content)
        if media_type == "application/json":  # every reply's: its lines one format
            media, lead_lines = _JSON_TYPE, _JSON_LEAD_LINES % length
        else:
            media = (b"content-type", media_type.encode())
            lead_lines = b"content-length: %b\r\ncontent-type: %b\r\n" % (length, media[1])
        self.raw_headers, self.lines = encode_headers(headers, [(b"content-length", length), media], lead_lines)

    def vary_by_origin(self) -> bool:
        """Add `Vary: Origin` last, as Starlette's CORS middleware does to an answer without one (its lines
        too); False when the answer varies by something already (the middleware's merge is then needed)."""
        if self.varies:
            return False
        self.raw_headers.append((b"vary", b"Origin"))
        if self.lines is not None:
            self.lines += b"vary: Origin\r\n"
        self.varies = True
        return True

    @property
    def headers(self) -> MutableHeaders:
        """Starlette's editable view of the headers: who asks for it may change them, so uvicorn is
        left to write them."""
        self.lines = None
        return super().headers

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        await send(start_message(self.status_code, self.raw_headers, self.lines, len(self.body)))
        await send({"type": "http.response.body", "body": self.body})
