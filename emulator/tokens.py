"""Token counting as the live API bills it, in the encoding the model's catalogue entry names.

`cl100k_base` and `o200k_base` are exact (see `encodings`); other tokenizers are approximated.
Every function takes the encoding's name (a `ModelInfo.tokenizer`).

Tokens are pieces of text that concatenate to the exact text. A token holding part of a
multi-byte character (an emoji, most CJK) carries its bytes as lone surrogates: `token_bytes`,
`token_label` and `join` turn pieces back into bytes, a logprob label and text.
"""
from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import Any, Iterable, Iterator

from . import encodings

# Per-message overhead the live API charges (OpenAI cookbook, "How to count tokens with tiktoken"):
# each message costs 3 tokens plus its role, a name 1 more plus the name, and 3 prime the reply.
TOKENS_PER_MESSAGE = 3
TOKENS_PER_NAME = 1
REPLY_PRIMING = 3

# Short texts (system prompts, tool definitions, the built-in model's sentences) repeat across
# requests; caching only short ones keeps memory bounded.
_CACHED_LENGTH = 2048


def tokenize(text: str, encoding: str) -> list[str]:
    """Token pieces whose concatenation is `text`."""
    if len(text) <= _CACHED_LENGTH:
        return list(_tokenize_cached(text, encoding))
    return encodings.get(encoding).pieces(text)


def tokenize_parts(parts: list[str], encoding: str) -> list[str]:
    """`tokenize("".join(parts))` for text whose parts start at token boundaries (each after the
    first begins with a space before a word), with each part's tokens cached: fixed sentences cost
    nothing."""
    tokens: list[str] = []
    for part in parts:  # the cached tuple itself, not `tokenize`'s copy of it
        tokens.extend(_tokenize_cached(part, encoding) if len(part) <= _CACHED_LENGTH
                      else encodings.get(encoding).pieces(part))
    return tokens


@lru_cache(maxsize=1024)
def _tokenize_cached(text: str, encoding: str) -> tuple[str, ...]:
    return tuple(encodings.get(encoding).pieces(text))


def count_tokens(text: str, encoding: str) -> int:
    if not text:
        return 0
    if len(text) <= _CACHED_LENGTH:
        return _count_cached(text, encoding)
    return encodings.get(encoding).count(text)


# Each encoding's counts of short texts (roles, system prompts, repeated messages): a plain dict per
# encoding, emptied when full, so a look-up is one `dict.get` (no key tuple, no recency list to move).
_COUNTED_TEXTS = 1024
_counts: dict[str, dict[str, int]] = {}


def _count_cached(text: str, encoding: str) -> int:
    known = _counts.get(encoding)
    if known is not None:
        count = known.get(text)
        if count is not None:
            return count
    return _counted(text, encoding)


def _counted(text: str, encoding: str) -> int:
    """`text`'s tokens, counted and kept (`text` is short: at most `_CACHED_LENGTH` characters)."""
    count = encodings.get(encoding).count(text)
    known = _counts.get(encoding)
    if known is None:
        known = _counts[encoding] = {}
    elif len(known) >= _COUNTED_TEXTS:
        known.clear()
    known[text] = count
    return count


def decode(ids: list[int], encoding: str) -> str | None:
    """The text of token ids in an exact encoding; None for an approximated one (it has no ids)."""
    exact = encodings.get(encoding)
    return exact.decode(ids) if isinstance(exact, encodings.Exact) else None


_PARTIAL = re.compile("[\\udc80-\\udcff]")  # escapes for `re`: mypyc rejects surrogates in literals


def token_bytes(token: str) -> bytes:
    """The token's UTF-8 bytes (logprobs' `bytes`)."""
    return token.encode("utf-8", "surrogateescape")


def token_label(token: str) -> str:
    """The token as logprobs' `token` shows it: its text, with the bytes of a partial character
    escaped (`\\xe8\\xaa`)."""
    if token.isascii() or not _PARTIAL.search(token):
        return token
    return token_bytes(token).decode("utf-8", "backslashreplace")


def join(tokens: Iterable[str]) -> str:
    """The text of consecutive tokens; a character cut short at either end becomes U+FFFD."""
    text = "".join(tokens)
    if text.isascii() or not _PARTIAL.search(text):
        return text
    return token_bytes(text).decode("utf-8", "replace")


def text_groups(tokens: list[str], size: int) -> Iterator[tuple[int, int]]:
    """(start, end) of each run of `size` tokens, stretched over tokens that end a character cut
    across tokens: a streamed chunk always carries whole characters."""
    count = len(tokens)
    if size >= 1 and "".join(tokens).isascii():  # no character spans tokens: plain runs, made in C
        return zip(range(0, count, size), [*range(size, count, size), count] if count else [], strict=True)
    return _stretched_groups(tokens, size)


def _stretched_groups(tokens: list[str], size: int) -> Iterator[tuple[int, int]]:
    start = 0
    while start < len(tokens):
        end = min(start + size, len(tokens))
        while end < len(tokens) and _ends_partial(tokens, start, end):
            end += 1
        yield start, end
        start = end


def _ends_partial(tokens: list[str], start: int, end: int) -> bool:
    last = tokens[end - 1]
    if last.isascii() or not _PARTIAL.search(last):  # a whole token ends a character
        return False
    try:
        token_bytes("".join(tokens[start:end])).decode("utf-8")
    except UnicodeDecodeError:
        return True
    return False


def _content_tokens(content: Any, encoding: str) -> int:
    if isinstance(content, str):
        return count_tokens(content, encoding)
    total = 0
    for part in content or ():
        if isinstance(part, dict):
            text = part.get("text") or part.get("refusal")
            if text:
                total += count_tokens(text, encoding)
    return total


def count_message_tokens(messages: Iterable[dict[str, Any]], encoding: str) -> int:
    """The cookbook's count: per message 3 + its role + its content (+ 1 + the name), then 3."""
    total = REPLY_PRIMING
    for message in messages:
        role, content = message.get("role"), message.get("content")
        total += TOKENS_PER_MESSAGE + (_count_cached(role, encoding) if role else 0)
        total += count_tokens(content, encoding) if type(content) is str else _content_tokens(content, encoding)
        if len(message) == 2 and role is not None and content is not None:
            continue  # only a role and a content: the usual message
        if message.get("name"):
            total += TOKENS_PER_NAME + count_tokens(message["name"], encoding)
        for call in message.get("tool_calls") or ():
            function = call.get("function") or call.get("custom") or {}
            total += 3 + count_tokens(function.get("name", ""), encoding) + count_tokens(
                function.get("arguments") or function.get("input") or "", encoding)
        if message.get("function_call"):
            total += 3 + count_tokens(json.dumps(message["function_call"]), encoding)
    return total


def count_plain_messages(messages: list[dict[str, Any]], encoding: str) -> int:
    """`count_message_tokens` of messages that are each a role and a string content and nothing else
    (the plain conversation `contract/plain_request.py` checks), in one loop: the shared system prompt
    and the roles are a look-up each, only a new text is counted."""
    known = _counts.get(encoding)
    if known is None:
        known = _counts[encoding] = {}
    total = REPLY_PRIMING + TOKENS_PER_MESSAGE * len(messages)
    for message in messages:
        role, content = message["role"], message["content"]
        tokens = known.get(role)
        total += tokens if tokens is not None else _counted(role, encoding)
        tokens = known.get(content)
        if tokens is None:
            tokens = _counted(content, encoding) if len(content) <= _CACHED_LENGTH else count_tokens(content, encoding)
        total += tokens
    return total


def count_definition_tokens(definitions: list[dict[str, Any]], encoding: str) -> int:
    """Tools and functions count as their JSON text plus a small fixed overhead: an estimate, as the
    live API renders them into the prompt in a form it does not publish."""
    if not definitions:
        return 0
    return 8 + count_tokens(json.dumps(definitions, separators=(",", ":")), encoding)
