"""JSON as a strict parser reads it: what Python's `json` accepts beyond the standard is refused.

Python reads `NaN` and `Infinity`, a lone surrogate escape such as `"\\ud800"` (no character: a
reply or log line holding it cannot be encoded) and nesting as deep as its recursion limit
(every later step walks the value recursively, and past the limit raises `RecursionError`).
The request body and JSON that clients put inside it (vLLM's `guided_json` strings, the schema a
JSON-mode prompt spells out) are read here.
"""
from __future__ import annotations

import json
import re
from typing import Any

import orjson

__all__ = ["MAX_JSON_DEPTH", "encodable", "loads_body", "loads_strictly"]

# serde_json's default limit; the deepest real bodies (tool schemas) nest a few dozen levels.
MAX_JSON_DEPTH = 128
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


def loads_strictly(text: str) -> Any:
    """The JSON value of `text`; ValueError when a strict parser would refuse it."""
    try:
        value = json.loads(text, parse_constant=_not_json)
    except RecursionError:
        raise ValueError("the JSON nests too deeply") from None
    if _nests_deeper(text, value, MAX_JSON_DEPTH):
        raise ValueError(f"the JSON nests deeper than {MAX_JSON_DEPTH} levels")
    if _SURROGATE_ESCAPE.search(text) is not None and not encodable(value):
        raise ValueError("the JSON holds a lone surrogate")
    return value


# Integers orjson would read as floats (beyond 64 bits) have at least 19 digits. A run of them is
# found by turning every digit into "0" and looking for 19 zeros: a C loop and a substring search,
# some twenty times faster than a regex search for `\d{19}`, which tries each byte in turn.
_DIGITS_AS_ZEROS = bytes.maketrans(b"0123456789", b"0" * 10)
_LONG_RUN = b"0" * 19
# JSON nesting deeper than `MAX_JSON_DEPTH` opens and closes that many brackets and one more: a shorter
# body cannot (and one orjson reads must be JSON), so its brackets need no count.
_NESTS_TOO_DEEP = 2 * (MAX_JSON_DEPTH + 1)


def loads_body(raw: bytes) -> Any:
    """`loads_strictly(raw.decode("utf-8"))`, several times faster for the usual request body.

    orjson is a strict parser (no `NaN`, `Infinity`, lone surrogates, BOM or other encodings, no raw
    control characters in strings) and its values equal `json`'s, except that it reads integers
    beyond 64 bits as floats and nests up to 1024 levels: a body with a 19-digit run, one with more
    brackets than `MAX_JSON_DEPTH`, and anything orjson refuses go through `loads_strictly`, which
    decides and words the error as before (and accepts `1e400`, as `json` does).
    """
    if raw.translate(_DIGITS_AS_ZEROS).find(_LONG_RUN) < 0 and (
            len(raw) < _NESTS_TOO_DEEP or raw.count(b"{") + raw.count(b"[") <= MAX_JSON_DEPTH):
        try:
            return orjson.loads(raw)
        except orjson.JSONDecodeError:
            pass
    return loads_strictly(raw.decode("utf-8"))


def encodable(value: Any) -> bool:
    """False when `value` nests deeper than `MAX_JSON_DEPTH` or a string in it holds a lone
    surrogate (an escaped pair is a character): what `loads_strictly` refuses, for a value that
    was read another way (`json.JSONDecoder.raw_decode`)."""
    if _nests_deeper("[" * (MAX_JSON_DEPTH + 1), value, MAX_JSON_DEPTH):
        return False
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _not_json(constant: str) -> Any:
    raise ValueError(f"{constant} is not JSON")


def _nests_deeper(text: str, value: Any, limit: int) -> bool:
    if text.count("{") + text.count("[") <= limit:
        return False  # too few brackets to nest that deep: no walk
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            return True
        children = node.values() if isinstance(node, dict) else node
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return False
