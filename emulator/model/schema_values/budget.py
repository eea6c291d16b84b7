"""How much of a generated document the reply can hold: the completion budget, in characters.

A schema can ask for more than any reply holds (`minLength: 1000000`, `minItems: 1000000`,
`^(a{1000}){10000}$`). The live API answers such a request by writing until the completion budget
(`max_completion_tokens`, else the model's output limit) runs out and stopping with
`finish_reason: "length"`. The walk does the same: it counts the characters it has committed to
the document and, once they are spent, stops making values (whatever follows is cut from the
reply anyway). The caller then cuts the text at the token budget.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

# Tokens of ordinary text (words, numbers, punctuation, "xxxx") hold at most this many
# characters, so a document of CHARS_PER_TOKEN * n characters usually holds n tokens. Text made
# of longer tokens (runs of spaces or of "=", up to 128 characters a token) is measured and
# made again with room for LONGEST_TOKEN characters a token (`generate.generate_value`).
CHARS_PER_TOKEN = 8
LONGEST_TOKEN = 128


@dataclass(frozen=True)
class TokenBudget:
    """The completion budget a generated document is cut at, and the encoding that counts it."""

    tokens: int
    encoding: str


def chars_for_tokens(tokens: int, chars_per_token: int = CHARS_PER_TOKEN) -> int:
    """Characters a generated document needs so that cutting it at `tokens` tokens cuts inside."""
    return chars_per_token * (max(tokens, 0) + 1)


class OutputBudget:
    """Characters left before the reply is cut; unlimited when built with None."""

    def __init__(self, chars: int | None) -> None:
        self.left: float = math.inf if chars is None else chars

    @property
    def exhausted(self) -> bool:
        return self.left <= 0

    @property
    def room(self) -> int:
        """Characters left, as a bound for the next value (a large number when unlimited)."""
        return int(min(self.left, 2**62))

    def spend(self, chars: int) -> None:
        self.left -= chars

    def commit(self, value: Any, key: str | None = None) -> None:
        """Count a value placed into an object (under `key`) or an array. Containers count only
        their brackets: their members were counted when they were placed."""
        self.spend(scalar_size(value) + (len(key) + 3 if key is not None else 1))


def scalar_size(value: Any) -> int:
    """Characters of `value` as JSON, at least (strings may gain escapes); 2 for a container."""
    if isinstance(value, (dict, list)):
        return 2
    if isinstance(value, str):
        return len(value) + 2
    return len(json.dumps(value))


def json_size(value: Any) -> int:
    """Characters of `value` as compact JSON, at least."""
    return len(json.dumps(value, ensure_ascii=False, separators=(",", ":")))


class WorkLimit:
    """Schema nodes one generation may visit, over all its attempts: a schema that needs more
    (a `uniqueItems` array of a million items) is refused instead of holding the server."""

    def __init__(self, document: Any, *, floor: int = 2000, per_node: int = 4) -> None:
        self.left = floor + per_node * _count_nodes(document)

    def visit(self) -> bool:
        """Count one visit; False once the limit is passed."""
        self.left -= 1
        return self.left >= 0


def _count_nodes(document: Any) -> int:
    count, stack = 0, [document]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            count += 1
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return count
