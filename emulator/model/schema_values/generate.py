"""Deterministic, plausible values for a JSON Schema: tool-call arguments and
`json_schema` structured outputs of the built-in model.

The generator walks the schema and, at every leaf, tries candidates from the
most plausible to the most mechanical: a value the user mentioned, the
schema's own `examples`/`default`, a Faker value chosen by the property name,
then values computed from the constraints alone.  Every candidate is checked
with jsonschema, and so is the final document; a value that does not validate
is never returned (see `SchemaGenerationError`).

Output is a pure function of (schema, seed, hint_text, max_chars): randomness
comes from one shared Faker's `random.Random`, seeded with a BLAKE2b hash of
the first three; the walker draws from that same generator (seeding a second
cost as much again).  Work is bounded: a value longer than `max_chars` (the
completion budget, see `budget.py`) is cut there unchecked, regexes match in
linear time (`linear_validator.py`), and a schema that needs too many values is
refused.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from typing import Any

from faker import Faker
from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError, best_match
from jsonschema.protocols import Validator
from jsonschema.validators import validator_for
from referencing.exceptions import Unresolvable

from emulator.contract.refs import UnresolvedRef
from emulator.ids import text_seed
from emulator.tokens import count_tokens
from emulator.model.schema_values.budget import (
    LONGEST_TOKEN,
    OutputBudget,
    TokenBudget,
    WorkLimit,
    chars_for_tokens,
)
from emulator.model.schema_values.formats import FORMAT_CHECKER
from emulator.model.schema_values.linear_validator import linear_validator_class, without_backtracking_keywords
from emulator.model.schema_values.mentions import read_mentions
from emulator.model.schema_values.merge import canonical
from emulator.model.schema_values.walk import TooMuchWork, Unsatisfiable, Walker
from emulator.model.schema_values.errors import SchemaGenerationError

__all__ = ["SchemaGenerationError", "generate_arguments", "generate_value"]

# Creating a Faker costs ~100 ms; one instance is re-seeded per call instead.
_FAKER = Faker("en_US")
# The shared Faker is stateful: one generation at a time keeps outputs deterministic
# when the server answers from several threads.
_LOCK = threading.Lock()

# (use hints and Faker?, extra seed salt): tried in order until a value validates.
_STRATEGIES: tuple[tuple[bool, int], ...] = ((True, 0), (True, 1), (True, 2), (False, 0), (False, 1))
# Compiled validators by the schema's canonical JSON, least recently used dropped: at most
# _CACHE_SIZE of them and _CACHE_BYTES of schema text; a schema larger than _MAX_CACHED_BYTES
# is compiled for its request only.
_VALIDATORS: OrderedDict[str, Validator] = OrderedDict()
_CACHE_SIZE = 512
_CACHE_BYTES = 4 * 1024 * 1024
_MAX_CACHED_BYTES = 256 * 1024
_cached_bytes = 0
# Without a budget from the caller: the largest output limit in the model catalogue.
DEFAULT_BUDGET = TokenBudget(128_000, "o200k_base")




def generate_arguments(parameters: dict[str, Any] | None, *, seed: int | str, hint_text: str = "",
                       budget: TokenBudget = DEFAULT_BUDGET) -> str:
    """Compact JSON arguments for a function whose `parameters` schema is given.

    OpenAI sends arguments as compact JSON with raw (not \\u-escaped) Unicode,
    e.g. '{"location":"Boston, MA"}'; no parameters gives '{}'.
    """
    if not parameters:
        return "{}"
    value = generate_value(parameters, seed=seed, hint_text=hint_text, budget=budget)
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def generate_value(schema: dict[str, Any], *, seed: int | str, hint_text: str = "",
                   root: dict[str, Any] | None = None, budget: TokenBudget = DEFAULT_BUDGET) -> Any:
    """A value valid against `schema`, deterministic for (schema, seed, hint_text).

    `root` is the document that `$ref`s in `schema` resolve against, when
    `schema` is a part of a larger one. When the value would hold more than
    `budget` tokens as JSON, making it stops there: the returned value (not
    checked) holds more than `budget.tokens` tokens and is meant to be cut there.
    """
    value, cut = _generate(schema, seed, hint_text, root, chars_for_tokens(budget.tokens))
    if cut and count_tokens(json.dumps(value, ensure_ascii=False, separators=(",", ":")),
                            budget.encoding) <= budget.tokens:
        # Long tokens (runs of spaces, "===="): make it again with room for the longest.
        value, cut = _generate(schema, seed, hint_text, root, chars_for_tokens(budget.tokens, LONGEST_TOKEN))
    return value


def _generate(schema: dict[str, Any], seed: int | str, hint_text: str, root: dict[str, Any] | None,
              max_chars: int) -> tuple[Any, bool]:
    """(the value, was it cut at `max_chars`?)"""
    document = schema if root is None else root
    mentions = read_mentions(hint_text)
    schema_key = canonical(schema)
    material = f"{schema_key}\x00{seed}\x00{hint_text}"
    failure = "no strategy produced a value"
    work = WorkLimit(document)
    with _LOCK:
        validator = _validator_for(document, schema_key if root is None else canonical(document))
        target = validator if root is None else validator.evolve(schema=schema)
        for rich, salt in _STRATEGIES:
            _FAKER.seed_instance(text_seed(f"{material}\x00{salt}"))
            budget = OutputBudget(max_chars)
            walker = Walker(document, validator, _FAKER.random, _FAKER, mentions if rich else None,
                            budget, work)
            try:
                value = walker.value(schema, "$", "", False, frozenset())
                if budget.exhausted:
                    return value, True  # cut at the completion budget: what the reply shows is a prefix
                error = best_match(target.iter_errors(value))
            except Unsatisfiable as exc:
                failure = str(exc)
                continue
            except TooMuchWork as exc:
                raise SchemaGenerationError(str(exc)) from None
            except (UnresolvedRef, Unresolvable) as exc:
                raise SchemaGenerationError(f"unresolvable $ref: {exc}") from None
            except RecursionError:
                raise SchemaGenerationError("the schema nests too deeply to generate a value") from None
            if error is None:
                return value, False
            failure = f"generated value failed validation at {error.json_path}: {error.message}"
    raise SchemaGenerationError(failure)


def _validator_for(document: Any, key: str) -> Validator:
    """Compiled validator per schema document, kept in a small LRU keyed by its canonical JSON `key`.

    Draft 2020-12 unless the document names another draft in `$schema` (a
    draft-07 tuple `items` means something else in 2020-12).
    """
    global _cached_bytes
    found = _VALIDATORS.get(key)
    if found is not None:
        _VALIDATORS.move_to_end(key)
        return found
    copy = json.loads(key)  # the cache must not see later edits to the caller's dict
    cls = validator_for(copy, default=Draft202012Validator)
    try:
        # Our format checker: its `regex` format parses, never compiles (the Protocol omits the argument).
        cls.check_schema(copy, format_checker=FORMAT_CHECKER)  # type: ignore[call-arg]
    except SchemaError as exc:
        where = "$" + "".join(f"[{p!r}]" if isinstance(p, str) else f"[{p}]" for p in exc.path)
        raise SchemaGenerationError(f"invalid JSON Schema at {where}: {exc.message}") from None
    except RecursionError:
        raise SchemaGenerationError("the schema nests too deeply to generate a value") from None
    found = linear_validator_class(cls)(without_backtracking_keywords(copy), format_checker=FORMAT_CHECKER)
    if len(key) > _MAX_CACHED_BYTES:
        return found
    _VALIDATORS[key] = found
    _cached_bytes += len(key)
    while len(_VALIDATORS) > _CACHE_SIZE or _cached_bytes > _CACHE_BYTES:
        _cached_bytes -= len(_VALIDATORS.popitem(last=False)[0])
    return found
