"""The headers the live API puts on every answer, success or error."""
from __future__ import annotations

import time

OPENAI_VERSION = "2020-10-01"
ORGANIZATION = "user-emulator"
# `standard_headers` as the lines a server writes (wire/head.py), for an id and a count that need no check.
_STANDARD_LINES = (b"x-request-id: %b\r\nopenai-organization: " + ORGANIZATION.encode() + b"\r\nopenai-processing-ms: %d\r\n"
                   b"openai-version: " + OPENAI_VERSION.encode() + b"\r\n")


def standard_headers(request_id: str, started: float) -> dict[str, str]:
    """`started`: the `time.perf_counter()` of the request's arrival (`openai-processing-ms` counts from it)."""
    return {
        "x-request-id": request_id,
        "openai-organization": ORGANIZATION,
        "openai-processing-ms": str(int((time.perf_counter() - started) * 1000)),
        "openai-version": OPENAI_VERSION,
    }


def standard_lines(request_id: str, started: float) -> bytes:
    """`standard_headers` as ready lines (wire/head.py), in one formatting: `request_id` is an id
    `ids.request_id` made (hex digits)."""
    return _STANDARD_LINES % (request_id.encode(), int((time.perf_counter() - started) * 1000))
