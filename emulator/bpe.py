"""A compact, exact byte-pair encoder for OpenAI's `cl100k_base` and `o200k_base`.

It gives the token ids `tiktoken` gives (`encode_ordinary`), from OpenAI's published rank files
(vendored in `contract/encodings/`, see its README), in a few MB instead of the 100+ MB of a
dict of 200,000 `bytes` objects or a Rust extension:

- every token's bytes live in one `bytes` blob, in rank order, with an `array` of offsets;
- an open-addressing hash table (an `array` of ranks, keyed by `hash(token bytes)`) finds a
  token's rank from its bytes.

Encoding is tiktoken's: the encoding's regex splits the text into pieces (for non-ASCII text the
`regex` package, as `re` has no `\\p{L}` classes; it is imported at the first such text, as the
2 MiB it takes are wasted on a server that only sees ASCII), a piece that is one token costs one
lookup, any other is merged pair by pair, lowest rank first (leftmost on a tie). A bounded cache
remembers the ids of short pieces, as words repeat across requests.

Counting and cutting into token pieces, the request path's uses, skip the regex for words seen
before: ASCII text is cut into chunks before every space that follows a non-space character (`" How"`,
`" today?"`), and a bounded cache keeps each short chunk's token pieces. No pre-tokenizer piece spans
such a boundary: both patterns hold a space only at a piece's start or in a run of whitespace, the
boundary's left side is no whitespace, and no alternative looks further than the character after
its match, where a space and the end of the text stop it alike. So a text's pieces are its chunks'
pieces in order (the tests check it against tiktoken), and a chunk costs one dict look-up instead of
a regex scan of some 800 instructions a character.
"""
from __future__ import annotations

import base64
import gzip
import heapq
import re
from array import array
from importlib.resources import files
from itertools import chain
from typing import Callable, Iterable

from . import bpe_classes

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

# The classes are corrected, so the patterns match as tiktoken's do:
# tiktoken matches with Rust's `regex` crate, whose tables are Unicode 16.0, while the `regex`
# package follows the newest Unicode (17.0 makes letters and marks of code points 16.0 leaves
# unassigned, 0295 moves from Lo to Ll). `bpe_classes` holds the differences for the `regex`
# version the project requires; each `\p{...}` is corrected by them (set operations: `regex.V1`).
# ASCII text, most of every prompt, takes the pattern with ASCII classes in Python's own `re`
# (since 3.11 it has possessive quantifiers): about three times faster. There `\s` is spelled out
# too, as Python's also matches \x1c-\x1f, which are no Unicode White_Space.
_ASCII_CLASSES = {"L": "A-Za-z", "N": "0-9", "Lu": "A-Z", "Ll": "a-z", "Lt": "", "Lm": "", "Lo": "", "M": ""}
_ASCII_SPACE = r"\t\n\x0b\x0c\r "
_ELEMENT = re.compile(r"\\p\{(\w+)\}|\\[sS]|\\.|.", re.DOTALL)


def spell_out(pattern: str, classes: dict[str, str], space: str | None) -> str:
    """`pattern` with each `\\p{...}` (and `\\s`, `\\S` if `space` is given) replaced by the
    characters `classes` (and `space`) list."""
    out: list[str] = []
    in_class = False
    for element in _ELEMENT.finditer(pattern):
        text, name = element.group(), element.group(1)
        if name is not None or (space is not None and text in (r"\s", r"\S")):
            body = classes[name] if name is not None else str(space)
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


def _unicode16(name: str) -> str:
    add, remove = bpe_classes.DIFFERENCES[name]
    return f"[[\\p{{{name}}}{add}]--[{remove}]]" if remove else f"\\p{{{name}}}{add}"


_UNICODE16_CLASSES = {name: _unicode16(name) for name in bpe_classes.DIFFERENCES}


# The piece cache: at most this many pieces of at most `_CACHED_PIECE` characters per encoding
# (about 2 MB at most), emptied when full. Longer pieces are rare and cost more to keep than to merge.
CACHE_ENTRIES = 8192
_CACHED_PIECE = 32
_MISSING = -1
# The chunk cache (see the module's docstring): as many chunks, of at most as many characters.
CHUNK_ENTRIES = 8192
_CACHED_CHUNK = 32


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
        self._split_unicode: Callable[[str], list[str]] = self._compile_unicode
        self._split_ascii = re.compile(spell_out(PATTERNS[name], _ASCII_CLASSES, _ASCII_SPACE)).findall
        self._cache: dict[str, tuple[int, ...]] = {}
        self._chunks: dict[str, tuple[str, ...]] = {}  # chunk -> its pieces
        self._spaced: dict[str, tuple[str, ...]] = {}  # word -> the pieces of the chunk " " + word
        self._digits_whole: bool | None = None  # see `_digit_groups_whole`

    def split(self, text: str) -> list[str]:
        """The pre-tokenizer's pieces: no token spans two of them."""
        return self._split_ascii(text) if text.isascii() else self._split_unicode(text)

    def _compile_unicode(self, text: str) -> list[str]:
        """The first non-ASCII text: compile the Unicode pattern (two threads may both: the same result)."""
        import regex

        self._split_unicode = regex.compile(spell_out(PATTERNS[self.name], _UNICODE16_CLASSES, None), regex.V1).findall
        return self._split_unicode(text)

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
        if text.isascii():
            return sum(map(len, self._chunk_pieces(text)))
        total = 0
        cache = self._cache
        for piece in self.split(text):
            known = cache.get(piece)
            total += len(known if known is not None else self.piece_ids(piece))
        return total

    def pieces(self, text: str) -> list[str]:
        """The tokens' texts, in order: they concatenate to `text` (a token holding part of a
        multi-byte character keeps its bytes as lone surrogates: `surrogateescape`)."""
        if text.isascii():
            return list(chain.from_iterable(self._chunk_pieces(text)))
        return self._split_pieces(text)

    def _split_pieces(self, text: str) -> list[str]:
        tokens: list[str] = []
        token = self.vocabulary.token
        cache = self._cache
        for piece in self.split(text):
            ids = cache.get(piece)
            if ids is None:
                ids = self.piece_ids(piece)
            if len(ids) == 1:  # most pieces: the token's text is the piece
                tokens.append(piece)
            else:
                tokens.extend(token(i).decode("utf-8", "surrogateescape") for i in ids)
        return tokens

    def _chunk_pieces(self, text: str) -> list[tuple[str, ...]]:
        """The token pieces of each chunk of ASCII `text` (see the module's docstring)."""
        words = text.split(" ")
        if not text.isprintable() or "  " in text:
            return self._merged_chunk_pieces(words)
        # Single spaces between printable words (most text): every space but a leading one follows
        # a non-space, so each word after the first is a chunk with its space, looked up by the word
        # in C (`map`), with no string built; only the words not seen before are cut by the regex.
        found: list[tuple[str, ...] | None] = list(map(self._spaced.get, words))
        first = self._chunks.get(words[0])  # `()` for the empty chunk before a leading space
        found[0] = first if first is not None else self._new_chunk(words[0])
        new = found.count(None)  # words not seen before (a distinct request's number or name)
        if new:
            at = 0
            for _ in range(new):
                at = found.index(None, at)
                found[at] = self._new_spaced(words[at])
        return found  # type: ignore[return-value]  # no None is left

    def _merged_chunk_pieces(self, words: list[str]) -> list[tuple[str, ...]]:
        """`_chunk_pieces` for text with runs of spaces or other whitespace: a space after whitespace
        joins the chunk before it."""
        chunks = self._chunks
        found = []
        pending = words[0]
        for index in range(1, len(words)):
            # A boundary before this space when the character before it is no whitespace (`isspace`
            # also takes \x1c-\x1f, which the pattern does not: a chunk too many merged is still right).
            if pending and not pending[-1].isspace():
                found.append(chunks.get(pending) or self._new_chunk(pending))
                pending = " " + words[index]
            else:
                pending += " " + words[index]
        found.append(chunks.get(pending) or self._new_chunk(pending))
        return found

    def _new_chunk(self, chunk: str) -> tuple[str, ...]:
        return _kept(self._chunks, chunk, tuple(self._split_pieces(chunk)))

    def _new_spaced(self, word: str) -> tuple[str, ...]:
        pieces: tuple[str, ...]
        if word.isdigit() and (self._digits_whole or self._digits_whole is None and self._digit_groups_whole()):
            # A new number, the commonest new word: no regex.
            size = len(word)
            pieces = (" ", word) if size <= 3 else (" ", word[:3], word[3:]) if size <= 6 else (
                " ", *[word[i:i + 3] for i in range(0, size, 3)])
        else:
            pieces = tuple(self._split_pieces(" " + word))
        spaced = self._spaced
        if len(word) <= _CACHED_CHUNK:  # `_kept`, inline: a new word comes with every distinct request
            if len(spaced) >= CHUNK_ENTRIES:
                spaced.clear()
            spaced[word] = pieces
        return pieces

    def _digit_groups_whole(self) -> bool:
        """Whether every run of one to three ASCII digits is one token (in both encodings it is). Both
        patterns cut `" " + digits` into the space, then runs of three digits from the left
        (`\\p{N}{1,3}`), so a number's pieces need no regex when each run is a token."""
        if self._digits_whole is None:
            runs = (f"{n:0{width}d}" for width in (1, 2, 3) for n in range(10 ** width))
            self._digits_whole = self.vocabulary.rank(b" ") != _MISSING and all(
                self.vocabulary.rank(run.encode()) != _MISSING for run in runs)
        return self._digits_whole

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


def _kept(cache: dict[str, tuple[str, ...]], key: str, pieces: tuple[str, ...]) -> tuple[str, ...]:
    """`pieces`, kept in `cache` under `key` if it is short (a full cache is emptied first)."""
    if len(key) <= _CACHED_CHUNK:
        if len(cache) >= CHUNK_ENTRIES:
            cache.clear()
        cache[key] = pieces
    return pieces


def load(name: str) -> Encoder:
    """The encoding from its vendored rank file (a few tenths of a second)."""
    resource = files("emulator.contract.encodings").joinpath(f"{name}.tiktoken.gz")
    with resource.open("rb") as raw, gzip.open(raw) as lines:
        return Encoder(name, Vocabulary(lines))
