"""An embeddings exchange → one recording per input, as `api: embeddings` scenarios match (per input).

Each input is pinned by its text (`input: {equals: ...}`, a token array as its decoded text) and the
model; its reply is the vector the upstream gave it (base64 answers decoded), as float32 values
written in the fewest digits that read back the same float32. Replay renders it in the encoding the
client asks for, cut to the `dimensions` asked. An error answer is recorded for the first input:
replay raises it there, as the upstream answered the whole request with it.
"""
from __future__ import annotations

import base64
import sys
from array import array
from typing import Any

from ..contract.embedding_request import EmbeddingRequest
from ..scenarios.engine import DEFAULT_NAMESPACE, EMBEDDINGS, NAMESPACE_HEADER
from .answers import error_spec
from .exchange import Exchange

Spec = dict[str, Any]


def with_input_texts(request: EmbeddingRequest) -> Spec:
    """The request's body with each input as its text (what the recordings' matches read)."""
    return request.body | {"input": [request.text(i) for i in range(len(request.inputs))]}


def embedding_recordings(exchange: Exchange) -> list[tuple[Spec, str, Spec]]:
    """`(match, description, step)` for each input of the request."""
    texts = exchange.match_body.get("input") or []
    texts = [texts] if isinstance(texts, str) else texts
    matches = [(_match(exchange, text), f"embed: {_preview(text)}") for text in texts]
    if exchange.status >= 400 or not isinstance(exchange.body, dict):
        return [(*matches[0], {"error": error_spec(exchange)})] if matches else []
    data = sorted(exchange.body.get("data") or [], key=lambda d: d.get("index", 0))
    model = exchange.body.get("model")
    steps = [{"reply": {"embedding": vector_of(d.get("embedding")), **({"model": model} if model else {})}}
             for d in data]
    return [(match, description, step) for (match, description), step in zip(matches, steps, strict=False)]


def _match(exchange: Exchange, text: str) -> Spec:
    match: Spec = {"api": EMBEDDINGS, "model": exchange.request.get("model", ""), "input": {"equals": text}}
    if exchange.namespace != DEFAULT_NAMESPACE:
        match["headers"] = {NAMESPACE_HEADER: {"equals": exchange.namespace}}
    return match


def _preview(text: str) -> str:
    flat = " ".join(text.split())
    return flat[:60] + ("…" if len(flat) > 60 else "")


def vector_of(value: Any) -> list[float]:
    """An `embedding` as floats: a JSON list as is, a base64 string as its little-endian float32 values."""
    if isinstance(value, list):
        return [_short(float(v)) for v in value]
    values = array("f", base64.b64decode(str(value)))
    if sys.byteorder == "big":
        values.byteswap()
    return [_short(v) for v in values]


def _short(value: float) -> float:
    """The shortest decimal that is the same float32 (a float32 needs at most 9 significant digits)."""
    target = array("f", [value])[0]
    for digits in range(6, 10):
        short = float(f"{value:.{digits}g}")
        if array("f", [short])[0] == target:
            return short
    return value
