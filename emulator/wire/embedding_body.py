"""An `EmbeddingReply` as the live API's `list` of `embedding` objects, floats or base64.

`base64` is each vector's little-endian float32 bytes, base64-encoded (what the official Python SDK
asks for by default and decodes); the JSON floats are the same float32 values.

The body is written around its vectors rather than by encoding the whole object: base64 text needs no
JSON escaping, and a vector's JSON is made once per built-in vector and kept (the built-in model
gives the same array object for the same text, `model/embedding.py`). Writing 1,536 floats costs
half a millisecond, and escaping 8 KB of base64 through the JSON encoder about 50 µs.
"""
from __future__ import annotations

import base64
import sys
import threading
from array import array
from collections import OrderedDict
from typing import Any, Sequence

from ..embedding_reply import EmbeddingReply
from ..json_text import json_bytes

MAX_KEPT_BYTES = 4 * 1024 * 1024  # of kept vector encodings (JSON and the journal's value)


def _base64_bytes(vector: Sequence[float]) -> bytes:
    values = vector if isinstance(vector, array) and vector.typecode == "f" and sys.byteorder == "little" \
        else array("f", vector)  # a copy before swapping: the vector may be shared
    if sys.byteorder == "big":
        values.byteswap()
    return base64.b64encode(values)


Encoded = tuple[bytes, Any]  # the vector's JSON, and the value it stands for (the journal keeps it)


class EncodingMemo:
    """Encodings of built-in vectors (arrays), by the array's identity: it is held while its
    encoding is, so the identity cannot pass to another array. Bounded in bytes, oldest dropped."""

    def __init__(self, max_bytes: int = MAX_KEPT_BYTES) -> None:
        self.max_bytes = max_bytes
        self.bytes = 0
        self._kept: OrderedDict[tuple[int, str], tuple[Sequence[float], Encoded, int]] = OrderedDict()
        self._lock = threading.Lock()

    def encoded(self, vector: Sequence[float], encoding_format: str) -> Encoded:
        if not isinstance(vector, array):  # a scenario's list: made for this request
            return _encode(vector, encoding_format)
        key = (id(vector), encoding_format)
        kept = self._kept.get(key)
        if kept is not None and kept[0] is vector:
            return kept[1]
        encoded = _encode(vector, encoding_format)
        size = len(encoded[0]) * (2 if encoding_format == "base64" else 3)  # the JSON and the str or floats
        with self._lock:
            previous = self._kept.pop(key, None)
            self.bytes += size - (previous[2] if previous else 0)
            self._kept[key] = (vector, encoded, size)
            while self._kept and self.bytes > self.max_bytes:
                self.bytes -= self._kept.popitem(last=False)[1][2]
        return encoded


def _encode(vector: Sequence[float], encoding_format: str) -> Encoded:
    if encoding_format == "base64":
        text = _base64_bytes(vector)
        return b'"' + text + b'"', text.decode("ascii")
    values = vector.tolist() if isinstance(vector, array) else list(vector)
    return json_bytes(values), values


ENCODINGS = EncodingMemo()


def embedding_list(reply: EmbeddingReply, encoding_format: str) -> tuple[bytes, dict[str, Any]]:
    """The JSON body, and the object it is (what the journal keeps)."""
    encoded = [ENCODINGS.encoded(vector, encoding_format) for vector in reply.vectors]
    data = b",".join(b'{"object":"embedding","index":%d,"embedding":%s}' % (index, text)
                     for index, (text, _) in enumerate(encoded))
    usage = {"prompt_tokens": reply.prompt_tokens, "total_tokens": reply.prompt_tokens}
    body = b'{"object":"list","data":[%s],"model":%s,"usage":%s}' % (data, json_bytes(reply.model), json_bytes(usage))
    listing = {
        "object": "list",
        "data": [{"object": "embedding", "index": index, "embedding": value} for index, (_, value) in enumerate(encoded)],
        "model": reply.model,
        "usage": usage,
    }
    return body, listing
