"""`BytesResponse`: a Starlette response for a body that is already bytes (every chat reply)."""
from __future__ import annotations

from starlette.responses import Response


class BytesResponse(Response):
    """Headers encoded in one pass, without Response's generic checks: it carries every reply."""

    def __init__(self, content: bytes, status: int, headers: dict[str, str],
                 media_type: str = "application/json") -> None:
        self.status_code, self.body, self.background = status, content, None
        self.raw_headers = [(b"content-length", str(len(content)).encode()),
                            (b"content-type", media_type.encode()),
                            *[(k.encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]]
