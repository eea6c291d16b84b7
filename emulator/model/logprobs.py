"""Deterministic, well-formed log probabilities for the built-in model's tokens."""
from __future__ import annotations

import random

from ..reply import TokenLogprob

_ALTERNATIVES = (" the", " a", ",", ".", " and", " to", " of", " is", " in", " it", " that", " for",
                 " you", " with", " on", " as", " this", " be", " at", " or")


def token_logprobs(tokens: list[str], top_n: int, rng: random.Random) -> list[TokenLogprob]:
    """One entry per token; the token itself leads its `top_logprobs`, alternatives follow, less likely."""
    entries = []
    for token in tokens:
        logprob = -round(rng.random() ** 3 * 2.5, 6)
        top: list[tuple[str, float]] = []
        if top_n:
            top.append((token, logprob))
            current = logprob
            for alternative in rng.sample(_ALTERNATIVES, min(top_n, len(_ALTERNATIVES))):
                if len(top) == top_n:
                    break
                if alternative == token:
                    continue
                current = round(current - 0.5 - rng.random() * 3, 6)
                top.append((alternative, current))
        entries.append(TokenLogprob(token, logprob, top))
    return entries
