"""The headers the live API puts on every answer, success or error."""
from __future__ import annotations

import time

OPENAI_VERSION = "2020-10-01"
ORGANIZATION = "user-emulator"


def standard_headers(request_id: str, started: float) -> dict[str, str]:
    """`started`: the `time.perf_counter()` of the request's arrival (`openai-processing-ms` counts from it)."""
    return {
        "x-request-id": request_id,
        "openai-organization": ORGANIZATION,
        "openai-processing-ms": str(int((time.perf_counter() - started) * 1000)),
        "openai-version": OPENAI_VERSION,
    }
