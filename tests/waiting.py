"""Waiting for a condition instead of sleeping for a guess."""
from __future__ import annotations

import time
from typing import Callable, TypeVar

T = TypeVar("T")


def eventually(check: Callable[[], T], seconds: float = 10.0) -> T:
    """`check()`'s first truthy result, or its last result once `seconds` have passed."""
    deadline = time.monotonic() + seconds
    while True:
        result = check()
        if result or time.monotonic() > deadline:
            return result
        time.sleep(0.05)
