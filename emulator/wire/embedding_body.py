"""An `EmbeddingReply` as the live API's `list` of `embedding` objects, floats or base64.

`base64` is each vector's little-endian float32 bytes, base64-encoded (what the official Python SDK
asks for by default and decodes); the JSON floats are the same float32 values.
"""
from __future__ import annotations

import base64
import sys
from array import array
from typing import Any

from ..embedding_reply import EmbeddingReply


def base64_vector(vector: list[float]) -> str:
    values = array("f", vector)
    if sys.byteorder == "big":
        values.byteswap()
    return base64.b64encode(values.tobytes()).decode("ascii")


def embedding_list_dict(reply: EmbeddingReply, encoding_format: str) -> dict[str, Any]:
    vectors: list[Any] = reply.vectors
    if encoding_format == "base64":
        vectors = [base64_vector(vector) for vector in vectors]
    return {
        "object": "list",
        "data": [{"object": "embedding", "index": index, "embedding": vector} for index, vector in enumerate(vectors)],
        "model": reply.model,
        "usage": {"prompt_tokens": reply.prompt_tokens, "total_tokens": reply.prompt_tokens},
    }
