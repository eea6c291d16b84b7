"""OpenAI's encodings for the tests to check the emulator's counts against, straight from tiktoken."""
from __future__ import annotations

import warnings
from functools import lru_cache

import tiktoken


@lru_cache(maxsize=None)
def tiktoken_o200k() -> tiktoken.Encoding:
    """tiktoken's `o200k_base`, from the vocabulary file the encoding package ships (tiktoken itself
    would download it; the file is the same, byte for byte)."""
    with warnings.catch_warnings():  # the package reads its data with a deprecated importlib call
        warnings.simplefilter("ignore", DeprecationWarning)
        from bpe_openai import registry

        spec = registry.o200k_base()
    return tiktoken.Encoding(name="o200k_base", pat_str=spec["pat_str"], mergeable_ranks=spec["mergeable_ranks"],
                             special_tokens=spec["special_tokens"])


def count(text: str) -> int:
    """Tokens of `text` in `o200k_base` (gpt-4o and later)."""
    return len(tiktoken_o200k().encode(text, disallowed_special=()))
