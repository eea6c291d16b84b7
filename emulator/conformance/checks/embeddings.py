"""``/embeddings``: float and base64 vectors, shortening, usage, and the live errors
(spec: `CreateEmbeddingRequest`, `CreateEmbeddingResponse`; facts in docs/embeddings.md).

Servers without the endpoint (an Invalid URL 404) skip the group.
"""

from __future__ import annotations

import base64
import math
import sys
from array import array
from typing import Any

from emulator.conformance import expect
from emulator.conformance.client import Exchange
from emulator.conformance.context import OPENAI_ONLY, Check, Context
from emulator.conformance.outcome import CheckSkipped, show

GROUP = "embeddings"
MODEL = "text-embedding-3-small"  # 1536 values; takes `dimensions`
FIXED = "text-embedding-ada-002"  # 1536 values; refuses `dimensions`
LENGTH = 1536
INVALID_INPUT = "'$.input' is invalid. Please check the API reference: https://platform.openai.com/docs/api-reference."
TEXTS = ["The quick brown fox jumped over the lazy dog.", "Embeddings map text to vectors."]


def _post(ctx: Context, **fields: Any) -> Exchange:
    exchange = ctx.client.request("POST", "/embeddings", {"model": MODEL, "input": TEXTS, **fields})
    if exchange.status == 404 and "model_not_found" not in exchange.text:
        raise CheckSkipped("the server has no /embeddings endpoint")
    return exchange


def _decoded(exchange: Exchange, value: Any) -> list[float]:
    if isinstance(value, list):
        return value
    try:
        raw = base64.b64decode(value, validate=True)
    except (ValueError, TypeError):
        raise expect.failed(exchange, f"embedding: expected base64 text, got {show(value)[:60]}") from None
    if len(raw) % 4:
        raise expect.failed(exchange, f"embedding: {len(raw)} bytes is not a whole number of float32 values")
    values = array("f", raw)
    if sys.byteorder == "big":  # the bytes are little-endian, as the official SDK decodes them
        values.byteswap()
    return values.tolist()


def _vectors(ctx: Context, exchange: Exchange, count: int, length: int) -> list[list[float]]:
    """The body's vectors: valid list, one per input in order, each `length` long and of unit length."""
    body = expect.json_ok(exchange, "embedding_list")
    if [item["index"] for item in body["data"]] != list(range(count)):
        raise expect.failed(exchange, f"$.data[*].index: expected {list(range(count))}, "
                                      f"got {show([item['index'] for item in body['data']])}")
    vectors = [_decoded(exchange, item["embedding"]) for item in body["data"]]
    for index, vector in enumerate(vectors):
        if len(vector) != length:
            raise expect.failed(exchange, f"$.data[{index}].embedding: expected {length} values, got {len(vector)}")
        norm = math.sqrt(sum(x * x for x in vector))
        if abs(norm - 1) > 1e-3:
            raise expect.failed(exchange, f"$.data[{index}].embedding: expected unit length, got norm {norm:.6f}")
    usage = body["usage"]
    if usage["total_tokens"] != usage["prompt_tokens"] or usage["prompt_tokens"] < count:
        raise expect.failed(exchange, f"$.usage: expected total_tokens == prompt_tokens >= {count}, got {show(usage)}")
    if ctx.strictness.live_extras and body["model"] != MODEL:
        raise expect.failed(exchange, f"$.model: expected {show(MODEL)}, got {show(body['model'])}")
    return vectors


def embeddings_float(ctx: Context) -> None:
    exchange = _post(ctx, encoding_format="float")
    _vectors(ctx, exchange, len(TEXTS), LENGTH)


def embeddings_base64(ctx: Context) -> None:
    exchange = _post(ctx, encoding_format="base64")
    decoded = _vectors(ctx, exchange, len(TEXTS), LENGTH)
    if ctx.strictness.live_extras:
        floats = _vectors(ctx, _post(ctx, encoding_format="float"), len(TEXTS), LENGTH)
        if max(abs(a - b) for a, b in zip(decoded[0], floats[0], strict=True)) > 1e-6:
            raise expect.failed(exchange, "base64 and float answers to one request hold different vectors")


def embeddings_dimensions(ctx: Context) -> None:
    _vectors(ctx, _post(ctx, encoding_format="float", dimensions=256), len(TEXTS), 256)


def embeddings_empty_input(ctx: Context) -> None:
    expect.error(ctx, _post(ctx, input=["fine", ""]), 400, INVALID_INPUT, None, None)


def embeddings_too_many_inputs(ctx: Context) -> None:
    expect.error(ctx, _post(ctx, input=["x"] * 2049), 400, INVALID_INPUT, None, None)


def embeddings_fixed_dimensions(ctx: Context) -> None:
    exchange = _post(ctx, model=FIXED, dimensions=256)
    expect.error(ctx, exchange, 400, "This model does not support specifying dimensions.", None, None)


def embeddings_unknown_model(ctx: Context) -> None:
    missing = "text-embedding-conformance-missing"
    exchange = _post(ctx, model=missing)
    expect.error(ctx, exchange, 404, f"The model `{missing}` does not exist or you do not have access to it.",
                 None, "model_not_found")


CHECKS = [
    Check("embeddings_float", GROUP, "POST /embeddings (float) → one unit vector of 1536 values per input, in order",
          embeddings_float),
    Check("embeddings_base64", GROUP, "encoding_format base64 → little-endian float32 vectors (the SDK's default)",
          embeddings_base64),
    Check("embeddings_dimensions", GROUP, "dimensions: 256 → vectors of 256 values, unit length",
          embeddings_dimensions),
    Check("embeddings_empty_input", GROUP, "an empty string among the inputs → 400 '$.input' is invalid",
          embeddings_empty_input),
    Check("embeddings_too_many_inputs", GROUP, "2049 inputs → 400 '$.input' is invalid", embeddings_too_many_inputs),
    Check("embeddings_fixed_dimensions", GROUP, "dimensions on text-embedding-ada-002 → 400", embeddings_fixed_dimensions,
          OPENAI_ONLY),
    Check("embeddings_unknown_model", GROUP, "an unknown embeddings model → 404 model_not_found",
          embeddings_unknown_model),
]
