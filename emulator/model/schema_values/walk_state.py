"""What one schema walk carries from node to node, and the errors a node raises.

`WalkState` is the base of the walker's parts (composition, objects, arrays, strings, numbers):
each part reads and updates this state and asks `value` for the values of its subschemas.
"""

from __future__ import annotations

import random
import re
from abc import ABC, abstractmethod
from typing import AbstractSet, Any, Iterator

from faker import Faker
from jsonschema.protocols import Validator

from emulator.model.schema_values.budget import OutputBudget, WorkLimit
from emulator.model.schema_values.mentions import Mentions

# Items (and extra properties) made anew; past these, a long array repeats them, so
# `minItems: 1000000` costs what the reply can hold at a few microseconds an item.
FRESH_ITEMS = 16
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")

# Candidate values with what of the user's message each uses (None: nothing).
Candidates = Iterator[tuple[Any, "str | tuple[str, int] | None"]]


class Unsatisfiable(Exception):
    """No candidate fits; the message names the JSON path."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"cannot generate a value at {path}: {reason}")


class TooMuchWork(Exception):
    """The schema asks for more values than one generation may make; the message names the path."""

    def __init__(self, path: str) -> None:
        super().__init__(f"cannot generate a value at {path}: the schema asks for more distinct values "
                         "than the emulator makes for one reply")


class WalkState(ABC):
    """What one generation attempt carries. `mentions` is None in the plain (constraints-only) strategy."""

    def __init__(self, root: Any, validator: Validator, rng: random.Random, fake: Faker,
                 mentions: Mentions | None, budget: OutputBudget | None = None,
                 work: WorkLimit | None = None) -> None:
        self.root = root
        # What the reply can still hold; once spent, values are placeholders the cut removes.
        self.budget = budget or OutputBudget(None)
        self.work = work or WorkLimit(root)
        self.validator = validator
        self.rng = rng
        self.fake = fake
        self.mentions = mentions
        # Mentions already given to a property: texts, and numbers by position (the user
        # may well say "2 adults and 2 children").
        self.used: set[str | tuple[str, int]] = set()
        self.refs: list[str] = []
        self.depth = 0
        self._checkers: dict[int, tuple[Any, Validator]] = {}

    @abstractmethod
    def value(self, schema: Any, path: str, name: str, minimal: bool, exclude: AbstractSet[str]) -> Any:
        """A value for `schema` at JSON `path`, for a property called `name`; `minimal` asks for the
        shortest way out (recursion), `exclude` holds the canonical JSON of values already taken."""

    def fits(self, schema: Any, value: Any) -> bool:
        # Keyed by id(): the schema is stored alongside so its id cannot be reused
        # by a later temporary (merged) schema while this walker lives.
        entry = self._checkers.get(id(schema))
        if entry is None:
            entry = self._checkers[id(schema)] = (schema, self.validator.evolve(schema=schema))
        return entry[1].is_valid(value)


def child_path(path: str, key: str | int) -> str:
    """The JSON path of an item or property below `path`."""
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if _IDENTIFIER.fullmatch(key) else f"{path}[{key!r}]"
