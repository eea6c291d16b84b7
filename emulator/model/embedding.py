"""The built-in model's embeddings: deterministic unit vectors in which texts that share words are close.

A text becomes weighted features: its words (case-folded; a short list of English function words
weighs a fifth), the first five letters of each longer word (so "capital" meets "capitals"), and the
exact text itself at a tenth (so different texts never share a vector). Each feature is hashed to one
signed position per scale (4, 16, 64, 256, 1024 and the model's full length), weighted by the square
root of the scale, and the sum is normalized. Every position a feature touches is derived from a hash
of the model and the feature, so vectors are the same on every machine and run, and differ per model.

The vector for `dimensions: d` is the first `d` values of the full vector, normalized again, as the
text-embedding-3 models' shortened vectors are; the nested scales keep a short prefix meaningful.
Values are float32 (what the API sends), so the JSON floats and the base64 bytes hold the same numbers.
Only the positions a text touches are computed: a 3072-value vector costs little more than writing it.
"""
from __future__ import annotations

import hashlib
import math
import random
import re
from array import array
from functools import lru_cache
from typing import Sequence

_WORD = re.compile(r"\w+")
STOPWORD_WEIGHT = 0.2
STEM_LENGTH = 5
STEM_WEIGHT = 0.5
TEXT_WEIGHT = 0.1
_SMALLEST_SCALE = 4
_CACHED_LENGTH = 2048  # texts up to this many characters keep their features cached

STOPWORDS = frozenset("""
a about above after again all am an and any are as at be been before being below between both but by can
could did do does doing down during each few for from further had has have having he her here hers him his
how i if in into is it its itself just me more most my no nor not now of off on once only or other our ours
out over own same she should so some such than that the their theirs them then there these they this those
through to too under until up very was we were what when where which while who whom why will with would you
your yours
""".split())

Sparse = dict[int, float]


def scales(size: int) -> list[int]:
    """The nested ranges a feature gets one position in: 4, 16, 64, ... below `size`, then `size`."""
    out, scale = [], _SMALLEST_SCALE
    while scale < size:
        out.append(scale)
        scale *= 4
    return out + [size]


def features(text: str) -> dict[str, float]:
    """The text's weighted features (sublinear in repeats: a word said twice is not twice as much)."""
    counts: dict[str, float] = {}
    for word in _WORD.findall(text.casefold()):
        weight = STOPWORD_WEIGHT if word in STOPWORDS else 1.0
        counts[word] = counts.get(word, 0.0) + weight
        if len(word) > STEM_LENGTH and weight == 1.0:
            stem = "~" + word[:STEM_LENGTH]
            counts[stem] = counts.get(stem, 0.0) + STEM_WEIGHT
    weights = {feature: math.sqrt(count) for feature, count in counts.items()}
    weights["\x00" + text] = TEXT_WEIGHT * math.sqrt(max(sum(w * w for w in weights.values()), 1.0))
    return weights


@lru_cache(maxsize=8192)
def positions(space: str, feature: str, size: int) -> tuple[tuple[int, float], ...]:
    """(position, signed weight) of `feature` at each scale of a `size`-long vector in `space`."""
    digest = hashlib.blake2b(f"{space}\x1f{feature}".encode("utf-8", "surrogatepass"), digest_size=64).digest()
    out = []
    for i, scale in enumerate(scales(size)):
        draw = int.from_bytes(digest[3 * i:3 * i + 3], "little")
        sign = 1.0 if draw & 1 else -1.0
        out.append(((draw >> 1) % scale, sign * math.sqrt(scale / size)))
    return tuple(out)


def sparse_vector(text: str, space: str, size: int) -> Sparse:
    if len(text) <= _CACHED_LENGTH:
        return _sparse_cached(text, space, size)
    return _sparse(text, space, size)


@lru_cache(maxsize=256)
def _sparse_cached(text: str, space: str, size: int) -> Sparse:
    return _sparse(text, space, size)


def _sparse(text: str, space: str, size: int) -> Sparse:
    vector: Sparse = {}
    for feature, weight in features(text).items():
        for position, value in positions(space, feature, size):
            vector[position] = vector.get(position, 0.0) + weight * value
    return vector


def unit_prefix(sparse: Sparse, length: int) -> array[float]:
    """The first `length` values of a sparse vector, normalized, as float32 values."""
    kept = [(p, v) for p, v in sparse.items() if p < length and v != 0.0]
    norm = math.sqrt(sum(v * v for _, v in kept))
    dense = array("f", bytes(4 * length))  # zeros, filled where the text touches
    if norm < 1e-12:  # nothing (or only rounding dust) fell in a very short prefix: still a unit vector
        dense[0] = 1.0
        return dense
    for position, value in kept:
        dense[position] = value / norm
    return dense


@lru_cache(maxsize=256)
def text_vector32(text: str, space: str, size: int, length: int) -> array[float]:
    """The built-in vector of `text` in `space` (a model), `length` float32 values long: as the wire
    writes it (the base64 body is its bytes), without a Python float per value. The same text gets
    the same array (never change it): the wire keeps its encodings by it."""
    return unit_prefix(sparse_vector(text, space, size), length)


def text_vector(text: str, space: str, size: int, length: int) -> list[float]:
    """`text_vector32` as a list."""
    return text_vector32(text, space, size, length).tolist()


def seeded_vector(seed: int, length: int) -> list[float]:
    """A pseudo-random unit vector drawn from `seed` (the same seed, the same vector)."""
    rng = random.Random(seed)
    return normalized([rng.gauss(0.0, 1.0) for _ in range(length)])


def normalized(values: Sequence[float], length: int | None = None) -> list[float]:
    """`values` cut or zero-padded to `length`, scaled to unit length, as float32 values."""
    length = len(values) if length is None else length
    dense = list(values[:length]) + [0.0] * max(length - len(values), 0)
    norm = math.sqrt(sum(v * v for v in dense))
    if norm == 0.0:
        dense[0] = norm = 1.0
    return array("f", [v / norm for v in dense]).tolist()
