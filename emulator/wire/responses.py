"""`BytesResponse`: a Starlette response for a body that is already bytes (every chat reply)."""
from __future__ import annotations

from typing import Any

from starlette.datastructures import MutableHeaders
from starlette.responses import Response

from .head import WRITE_ANSWER, Headers, RawHeaders, encode_headers, pairs_of, start_message


_JSON_TYPE = (b"content-type", b"application/json")
_JSON_LEAD_LINES = b"content-length: %b\r\ncontent-type: application/json\r\n"
_JSON_LEAD_FORMAT = b"content-length: %d\r\ncontent-type: application/json\r\n"


class BytesResponse(Response):
    """Headers encoded in one pass, without Response's generic checks: it carries every reply. Its start
    message also carries the header lines ready to write (wire/head.py); given ready lines, it builds the
    ASGI header list only if someone needs it (a server that is not the emulator's, a middleware)."""

    def __init__(self, content: bytes, status: int, headers: Headers,
                 media_type: str = "application/json") -> None:
        self.status_code, self.body, self.background = status, content, None
        if type(headers) is bytes:  # ready lines: they never hold a `vary`
            self.varies, self._raw = False, None
            if media_type == "application/json":
                self.lines: bytes | None = _JSON_LEAD_FORMAT % len(content) + headers
            else:
                self.lines = b"content-length: %d\r\ncontent-type: %b\r\n" % (len(content), media_type.encode()) + headers
            return
        assert isinstance(headers, dict)
        self.varies = "vary" in headers
        length = b"%d" % len(content)
        if media_type == "application/json":  # every reply's: its lines one format
            media, lead_lines = _JSON_TYPE, _JSON_LEAD_LINES % length
        else:
            media = (b"content-type", media_type.encode())
            lead_lines = b"content-length: %b\r\ncontent-type: %b\r\n" % (length, media[1])
        self._raw, self.lines = encode_headers(headers, [(b"content-length", length), media], lead_lines)

    @property
    def raw_headers(self) -> RawHeaders:
        """The ASGI header list, made from the ready lines when first asked for."""
        return self._made_raw()

    @raw_headers.setter
    def raw_headers(self, value: RawHeaders) -> None:
        self._raw = value

    def _made_raw(self) -> RawHeaders:
        if self._raw is None:
            assert self.lines is not None
            self._raw = pairs_of(self.lines)
        return self._raw

    def vary_by_origin(self) -> bool:
        """Add `Vary: Origin` last, as Starlette's CORS middleware does to an answer without one (its lines
        too); False when the answer varies by something already (the middleware's merge is then needed)."""
        if self.varies:
            return False
        if self._raw is not None:
            self._raw.append((b"vary", b"Origin"))
        if self.lines is not None:
            self.lines += b"vary: Origin\r\n"
        self.varies = True
        return True

    @property
    def headers(self) -> MutableHeaders:
        """Starlette's editable view of the headers: who asks for it may change them, so uvicorn is
        left to write them."""
        self._made_raw()  # from the lines, while there are some
        self.lines = None
        return super().headers

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        lines = self.lines
        if lines is not None:
            # `send` unwrapped, the emulator's own server's: it writes the whole answer, no messages needed.
            write = getattr(getattr(send, "__self__", None), WRITE_ANSWER, None)
            if write is not None and write(self.status_code, lines, self.body):
                return
        await send(start_message(self.status_code, self.raw_headers, lines, len(self.body)))
        await send({"type": "http.response.body", "body": self.body})
