"""A compact, exact byte-pair encoder for OpenAI's `cl100k_base` and `o200k_base`.

It gives the token ids `tiktoken` gives (`encode_ordinary`), from OpenAI's published rank files
(vendored in `contract/encodings/`, see its README), in a few MB instead of the 100+ MB of a
dict of 200,000 `bytes` objects or a Rust extension:

- every token's bytes live in one `bytes` blob, in rank order, with an `array` of offsets;
- an open-addressing hash table (an `array` of ranks, keyed by `hash(token bytes)`) finds a
  token's rank from its bytes.

Encoding is tiktoken's: the encoding's regex splits the text into pieces (the `regex` package,
as `re` has no `\\p{L}` classes or possessive quantifiers), a piece that is one token costs one
lookup, any other is merged pair by pair, lowest rank first (leftmost on a tie). A bounded cache
remembers the ids of short pieces, as words repeat across requests.
"""
from __future__ import annotations

import base64
import gzip
import heapq
import re
from array import array
from importlib.resources import files
from typing import Iterable

import regex

# tiktoken's patterns (tiktoken_ext/openai_public.py), with `$` written `\Z`: in Python's regex
# `$` also matches before a final newline, in Rust's only at the end of the text.
PATTERNS = {
    "cl100k_base": r"""'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+|\s++\Z|\s*[\r\n]|\s+(?!\S)|\s""",
    "o200k_base": "|".join([
        r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
        r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
        r"""\p{N}{1,3}""",
        r""" ?[^\s\p{L}\p{N}]+[\r\n/]*""",
        r"""\s*[\r\n]+""",
        r"""\s+(?!\S)""",
        r"""\s+""",
    ]),
}

# ASCII text, most of every prompt, is split by the same pattern with its classes spelled out for
# ASCII, in Python's own `re` (since 3.11 it has possessive quantifiers): about three times faster.
# `\s` is spelled out too, as Python's also matches \x1c-\x1f, which are no Unicode White_Space.
_ASCII_CLASSES = {"L": "A-Za-z", "N": "0-9", "Lu": "A-Z", "Ll": "a-z", "Lt": "", "Lm": "", "Lo": "", "M": ""}
_ASCII_SPACE = r"\t\n\x0b\x0c\r "
_ELEMENT = regex.compile(r"\\p\{(\w+)\}|\\[sS]|\\.|.", regex.DOTALL)


def ascii_pattern(pattern: str) -> str:
    """`pattern` as it matches on ASCII text, with no Unicode classes (for `re`)."""
    out: list[str] = []
    in_class = False
    for element in _ELEMENT.finditer(pattern):
        text, name = element.group(), element.group(1)
        if name is not None or text in (r"\s", r"\S"):
            body = _ASCII_CLASSES[name] if name is not None else _ASCII_SPACE
            if in_class and text == r"\S":
                raise ValueError("\\S inside a class")
            negate = "^" if text == r"\S" else ""
            out.append(body if in_class else f"[{negate}{body}]")
            continue
        if text == "[":
            in_class = True
        elif text == "]":
            in_class = False
        out.append(text)
    return "".join(out)


# The piece cache: at most this many pieces of at most `_CACHED_PIECE` characters per encoding
# (about 2 MB at most), emptied when full. Longer pieces are rare and cost more to keep than to merge.
CACHE_ENTRIES = 8192
_CACHED_PIECE = 32
_MISSING = -1


class Vocabulary:
    """Token bytes by rank, and rank by token bytes, in flat arrays."""

    def __init__(self, lines: Iterable[bytes]) -> None:
        blob = bytearray()
        offsets = array("I", [0])
        for rank, line in enumerate(lines):
            token, _, number = line.partition(b" ")
            if int(number) != rank:  # the published files list ranks 0, 1, 2, ... in order
                raise ValueError(f"rank {int(number)} out of order at line {rank + 1}")
            blob += base64.b64decode(token)
            offsets.append(len(blob))
        self._blob = bytes(blob)
        del blob
        self._offsets = offsets
        self.size = len(offsets) - 1
        slots = 1 << (2 * self.size).bit_length()  # load factor at most a half: short probe runs
        self._mask = slots - 1
        self._slots = array("i", [_MISSING]) * slots
        for rank in range(self.size):
            slot = hash(self.token(rank)) & self._mask
            while self._slots[slot] != _MISSING:
                slot = (slot + 1) & self._mask
            self._slots[slot] = rank

    def token(self, rank: int) -> bytes:
        return self._blob[self._offsets[rank]:self._offsets[rank + 1]]

    def rank(self, token: bytes) -> int:
        """The token's rank, or -1 for bytes that are no token."""
        slots, mask, blob, offsets = self._slots, self._mask, self._blob, self._offsets
        slot = hash(token) & mask
        while True:
            rank = slots[slot]
            if rank == _MISSING or blob[offsets[rank]:offsets[rank + 1]] == token:
                return rank
            slot = (slot + 1) & mask

    def nbytes(self) -> int:
        return len(self._blob) + self._offsets.itemsize * len(self._offsets) + self._slots.itemsize * len(self._slots)


class Encoder:
    """tiktoken's `encode_ordinary` and `decode_bytes` for one encoding."""

    def __init__(self, name: str, vocabulary: Vocabulary) -> None:
        self.name = name
        self.vocabulary = vocabulary
        self._split_unicode = regex.compile(PATTERNS[name]).findall
        self._split_ascii = re.compile(ascii_pattern(PATTERNS[name])).findall
        self._cache: dict[str, tuple[int, ...]] = {}

    def split(self, text: str) -> list[str]:
        """The pre-tokenizer's pieces: no token spans two of them."""
        return self._split_ascii(text) if text.isascii() else self._split_unicode(text)

    def piece_ids(self, piece: str) -> tuple[int, ...]:
        ids = self._cache.get(piece)
        if ids is None:
            data = piece.encode("utf-8", "surrogatepass")
            rank = self.vocabulary.rank(data)
            ids = (rank,) if rank != _MISSING else tuple(self._merge(data))
            if len(piece) <= _CACHED_PIECE:
                if len(self._cache) >= CACHE_ENTRIES:
                    self._cache.clear()
                self._cache[piece] = ids
        return ids

    def encode(self, text: str) -> list[int]:
        ids: list[int] = []
        cache = self._cache
        for piece in self.split(text):
            known = cache.get(piece)  # the cache inline: most pieces are in it
            ids.extend(known if known is not None else self.piece_ids(piece))
        return ids

    def count(self, text: str) -> int:
        """`len(self.encode(text))`, without the list."""
        total = 0
        cache = self._cache
        for piece in self.split(text):
            known = cache.get(piece)
            total += len(known if known is not None else self.piece_ids(piece))
        return total

    def decode_bytes(self, ids: Iterable[int]) -> bytes:
        return b"".join(self.vocabulary.token(i) for i in ids)

    def _merge(self, data: bytes) -> list[int]:
        """tiktoken's byte-pair merge: join the adjacent parts whose union has the lowest rank,
        the leftmost on a tie, until no union is a token; then each part's rank."""
        rank = self.vocabulary.rank
        if len(data) > 64:
            return self._merge_long(data)
        starts = list(range(len(data) + 1))
        pairs = [rank(data[i:i + 2]) for i in range(len(data) - 1)]
        while True:
            best, at = _MISSING, -1
            for i, r in enumerate(pairs):
                if r != _MISSING and (best == _MISSING or r < best):
                    best, at = r, i
            if at < 0:
                break
            del starts[at + 1]
            del pairs[at]
            if at + 2 < len(starts):
                pairs[at] = rank(data[starts[at]:starts[at + 2]])
            if at > 0:
                pairs[at - 1] = rank(data[starts[at - 1]:starts[at + 1]])
        return [rank(data[starts[i]:starts[i + 1]]) for i in range(len(starts) - 1)]

    def _merge_long(self, data: bytes) -> list[int]:
        """The same merge in O(n log n) for a long piece (a run of punctuation, a word of
        thousands of letters): a heap of candidate unions, keyed (rank, start), checked against a
        linked list of the parts when popped."""
        rank = self.vocabulary.rank
        n = len(data)
        following = list(range(1, n + 2))  # following[start] = the next part's start
        preceding = list(range(-1, n))
        alive = bytearray(b"\x01") * (n + 1)
        heap = [(r, i, i + 2) for i in range(n - 1) if (r := rank(data[i:i + 2])) != _MISSING]
        heapq.heapify(heap)
        while heap:
            _, start, end = heapq.heappop(heap)
            middle = following[start]
            if not alive[start] or middle > n or following[middle] != end:
                continue  # stale: one of its parts has merged since
            alive[middle] = 0
            following[start] = end
            preceding[end] = start
            if end < n and (r := rank(data[start:following[end]])) != _MISSING:
                heapq.heappush(heap, (r, start, following[end]))
            before = preceding[start]
            if before >= 0 and (r := rank(data[before:end])) != _MISSING:
                heapq.heappush(heap, (r, before, end))
        ids = []
        start = 0
        while start < n:
            ids.append(rank(data[start:following[start]]))
            start = following[start]
        return ids


def load(name: str) -> Encoder:
    """The encoding from its vendored rank file (a few tenths of a second)."""
    resource = files("emulator.contract.encodings").joinpath(f"{name}.tiktoken.gz")
    with resource.open("rb") as raw, gzip.open(raw) as lines:
        return Encoder(name, Vocabulary(lines))
