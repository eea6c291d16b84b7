"""Compact JSON as the live API writes it (no spaces, UTF-8 as is), for every layer that encodes JSON."""
from __future__ import annotations

import json

dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def json_bytes(payload: object) -> bytes:
    """UTF-8 JSON that cannot fail to encode. Python's JSON parser accepts a lone surrogate (`"\\ud800"`),
    so text kept from a request, a scenario or an admin call may hold one; it goes out as the same JSON
    escape, which reads back as the same string. (No other character can fail, and only inside a string.)"""
    return dumps(payload).encode("utf-8", "backslashreplace")


def json_text(payload: object) -> str:
    """JSON text that is valid UTF-8 (for SQLite's TEXT columns): lone surrogates as their escapes."""
    return json_bytes(payload).decode("utf-8")
