"""Token counting: a deterministic approximation of OpenAI's BPE tokenizers.

`tiktoken` needs to download its encodings at run time, which an offline emulator cannot do, so
text is split the way the GPT pre-tokenizer splits it (words with their leading space, runs of up
to three digits, punctuation, whitespace) and long words are cut into pieces of five characters.
Ordinary English comes out within a few percent of `o200k_base`. The pieces are real substrings,
so streaming fragments and logprob tokens concatenate back to the exact text.
"""
from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import Any, Iterable

# Every character falls in exactly one alternative (underscore with punctuation), so no text is lost.
_PIECES = re.compile(r"'(?:[sdmt]|ll|ve|re)| ?[^\W\d_]+| ?\d{1,3}| ?(?:[^\s\w]|_)+|\s+(?!\S)|\s+")
_LONG = 7  # a word longer than this is several tokens
_CHUNK = 5

# Per-message overhead the live API charges (OpenAI cookbook, "How to count tokens").
TOKENS_PER_MESSAGE = 3
TOKENS_PER_NAME = 1
REPLY_PRIMING = 3


def tokenize(text: str) -> list[str]:
    """Token strings whose concatenation is `text`."""
    if len(text) <= _CACHED_LENGTH:
        return list(_tokenize_cached(text))
    return _tokenize(text)


def tokenize_parts(parts: list[str]) -> list[str]:
    """`tokenize("".join(parts))` for text whose parts start at token boundaries (each after the
    first begins with a space), with each part's tokens cached: fixed sentences cost nothing."""
    tokens: list[str] = []
    for part in parts:
        tokens.extend(_tokenize_cached(part) if len(part) <= _CACHED_LENGTH else _tokenize(part))
    return tokens


def _tokenize(text: str) -> list[str]:
    tokens: list[str] = []
    for piece in _PIECES.findall(text):
        if len(piece) <= _LONG:
            tokens.append(piece)
        else:
            tokens.extend(piece[i:i + _CHUNK] for i in range(0, len(piece), _CHUNK))
    return tokens


# Short texts (system prompts, tool definitions, the built-in model's sentences) repeat across
# requests; caching only short ones keeps memory bounded.
_CACHED_LENGTH = 2048


@lru_cache(maxsize=4096)
def _tokenize_cached(text: str) -> tuple[str, ...]:
    return tuple(_tokenize(text))


def count_tokens(text: str) -> int:
    if not text:
        return 0
    return _count_cached(text) if len(text) <= _CACHED_LENGTH else _count(text)


def _count(text: str) -> int:
    count = 0
    for piece in _PIECES.findall(text):
        count += 1 if len(piece) <= _LONG else -(-len(piece) // _CHUNK)
    return count


@lru_cache(maxsize=4096)
def _count_cached(text: str) -> int:
    return _count(text)


def _content_tokens(content: Any) -> int:
    if isinstance(content, str):
        return count_tokens(content)
    total = 0
    for part in content or ():
        if isinstance(part, dict):
            text = part.get("text") or part.get("refusal")
            if text:
                total += count_tokens(text)
    return total


def count_message_tokens(messages: Iterable[dict[str, Any]]) -> int:
    total = REPLY_PRIMING
    for message in messages:
        total += TOKENS_PER_MESSAGE + 1 + _content_tokens(message.get("content"))
        if message.get("name"):
            total += TOKENS_PER_NAME + count_tokens(message["name"])
        for call in message.get("tool_calls") or ():
            function = call.get("function") or call.get("custom") or {}
            total += 3 + count_tokens(function.get("name", "")) + count_tokens(
                function.get("arguments") or function.get("input") or "")
        if message.get("function_call"):
            total += 3 + count_tokens(json.dumps(message["function_call"]))
    return total


def count_definition_tokens(definitions: list[dict[str, Any]]) -> int:
    """Tools and functions count roughly as their JSON text, plus a small fixed overhead."""
    if not definitions:
        return 0
    return 8 + count_tokens(json.dumps(definitions, separators=(",", ":")))
