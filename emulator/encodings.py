"""Where token pieces come from: OpenAI's real encodings, offline, or an approximation.

`cl100k_base` and `o200k_base` are encoded by `bpe`, exactly as `tiktoken` does, from OpenAI's
published rank files shipped in the package (no network), about 5 MB for `o200k_base` and 2.5 MB
for `cl100k_base` in memory. Loading one takes 0.2-0.5 s, so it happens on first use or from
`warm_up()` in a background thread, never at import. `warm_up()` loads only `o200k_base`, the
encoding of the current models and the default: `cl100k_base` (gpt-4, gpt-3.5, the embeddings
models) loads when a request first names a model that uses it, so a server that never sees one
never holds it. Any other tokenizer name (a model with no published encoding) gets `Approximate`: the GPT
pre-tokenizer's split with long words cut into five-character pieces, within a few percent on
English text.

A piece is one token's text. A token that holds part of a multi-byte character keeps its bytes as
lone surrogates (`surrogateescape`), so pieces still concatenate to the exact bytes of the text.
"""
from __future__ import annotations

import re
import threading
from typing import Callable, Protocol

from . import bpe

EXACT = ("o200k_base", "cl100k_base")
WARMED = ("o200k_base",)  # loaded in the background at start-up; the others on first use
APPROXIMATE = "approximate"


class Encoding(Protocol):
    name: str

    def pieces(self, text: str) -> list[str]: ...

    def count(self, text: str) -> int: ...


class Approximate:
    """The fallback: deterministic, close to `o200k_base` on English, and fast."""

    name = APPROXIMATE
    # Every character falls in exactly one alternative (underscore with punctuation): no text is lost.
    _PIECES = re.compile(r"'(?:[sdmt]|ll|ve|re)| ?[^\W\d_]+| ?\d{1,3}| ?(?:[^\s\w]|_)+|\s+(?!\S)|\s+")
    _LONG = 7  # a word longer than this is several tokens
    _CHUNK = 5

    def pieces(self, text: str) -> list[str]:
        tokens: list[str] = []
        for piece in self._PIECES.findall(text):
            if len(piece) <= self._LONG:
                tokens.append(piece)
            else:
                tokens.extend(piece[i:i + self._CHUNK] for i in range(0, len(piece), self._CHUNK))
        return tokens

    def count(self, text: str) -> int:
        return sum(1 if len(p) <= self._LONG else -(-len(p) // self._CHUNK) for p in self._PIECES.findall(text))


class Exact:
    """One of OpenAI's encodings, exact: the same token ids as `tiktoken` (see `bpe`)."""

    # The encoder's own methods, not methods that call them: every request counts and cuts text.
    pieces: Callable[[str], list[str]]
    count: Callable[[str], int]

    def __init__(self, encoder: bpe.Encoder) -> None:
        self.name = encoder.name
        self._encoder = encoder
        self.pieces, self.count = encoder.pieces, encoder.count

    def ids(self, text: str) -> list[int]:
        # Special-token text (`<|endoftext|>`) in a prompt is ordinary text to the API.
        return self._encoder.encode(text)

    def decode(self, ids: list[int]) -> str:
        """The text of token ids (a character cut across the ends becomes U+FFFD)."""
        return self._encoder.decode_bytes(ids).decode("utf-8", "replace")


_APPROXIMATE = Approximate()
_loaded: dict[str, Encoding] = {}
_lock = threading.Lock()


def get(name: str) -> Encoding:
    """The encoding a catalogue's `tokenizer` names; the approximation for any other name."""
    encoding = _loaded.get(name)
    if encoding is not None:
        return encoding
    if name not in EXACT:
        return _APPROXIMATE
    with _lock:
        if name not in _loaded:
            _loaded[name] = _load(name)
    return _loaded[name]


def _load(name: str) -> Encoding:
    return Exact(bpe.load(name))


def warm_up() -> threading.Thread:
    """Load the default exact encoding (`WARMED`) in a daemon thread: start-up never waits for it,
    and a request only if it comes before it is ready."""
    thread = threading.Thread(target=lambda: [get(name) for name in WARMED], name="encodings-warm-up", daemon=True)
    thread.start()
    return thread
