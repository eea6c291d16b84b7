"""Compact JSON as the live API writes it (no spaces, UTF-8 as is), for every layer that encodes JSON."""
from __future__ import annotations

import json

import orjson

dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def json_bytes(payload: object) -> bytes:
    """UTF-8 JSON that cannot fail to encode. Python's JSON parser accepts a lone surrogate (`"\\ud800"`),
    so text kept from a request, a scenario or an admin call may hold one; it goes out as the same JSON
    escape, which reads back as the same string. (No other character can fail, and only inside a string.)"""
    return dumps(payload).encode("utf-8", "backslashreplace")


def json_text(payload: object) -> str:
    """JSON text that is valid UTF-8 (for SQLite's TEXT columns): lone surrogates as their escapes."""
    return json_bytes(payload).decode("utf-8")


def quick_json_bytes(payload: object) -> bytes:
    """`json_bytes(payload)`, written by orjson (about nine times faster) where that gives the same bytes.
    orjson writes strings (the same escapes), integers, booleans, null, lists and dicts as `dumps` does,
    and refuses lone surrogates and integers beyond 64 bits (those go through `json_bytes`). Its floats
    are the same text but for magnitudes from 1e-9 to 1e-4 (`0.00001` for `1e-05`, `1e-7` for `1e-07`),
    whose text always holds `e-` or `0.0000`: an output that holds either is written again by
    `json_bytes` (a string that happens to hold one costs the slower path, never other bytes). Only for
    payloads without NaN or infinities, which orjson writes as `null`: request bodies refuse them
    (contract/strict_json.py), so values echoed from a body are finite."""
    try:
        text = orjson.dumps(payload)
    except TypeError:
        return json_bytes(payload)
    if b"e-" in text or b"0.0000" in text:
        return json_bytes(payload)
    return text
