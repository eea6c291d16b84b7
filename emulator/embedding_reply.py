"""`EmbeddingReply`: the abstract answer to an embeddings request, made by a scenario or the built-in
model and written by `wire/embedding_body.py`."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence


@dataclass
class EmbeddingReply:
    vectors: list[Sequence[float]]  # one per input, in input order; float32 values (built-in ones in an array)
    model: str  # the `model` the answer reports
    prompt_tokens: int
    source: str = "builtin"  # "builtin", or the name of the (first) scenario that gave a vector
    headers: dict[str, str] = field(default_factory=dict)  # extra response headers scenarios ask for
