"""Deterministic, plausible values for a JSON Schema: tool-call arguments and
`json_schema` structured outputs of the built-in model.

The generator walks the schema and, at every leaf, tries candidates from the
most plausible to the most mechanical: a value the user mentioned, the
schema's own `examples`/`default`, a Faker value chosen by the property name,
then values computed from the constraints alone.  Every candidate is checked
with jsonschema, and so is the final document; a value that does not validate
is never returned (see `SchemaGenerationError`).

Output is a pure function of (schema, seed, hint_text): randomness comes from
`random.Random` and one shared Faker seeded from a SHA-256 of those three.
"""

from __future__ import annotations

import hashlib
import json
import random
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
from emulator.model.schema_values.formats import FORMAT_CHECKER
from emulator.model.schema_values.mentions import read_mentions
from emulator.model.schema_values.merge import canonical
from emulator.model.schema_values.walk import Unsatisfiable, Walker

__all__ = ["SchemaGenerationError", "generate_arguments", "generate_value"]

# Creating a Faker costs ~100 ms; one instance is re-seeded per call instead.
_FAKER = Faker("en_US")
# The shared Faker is stateful: one generation at a time keeps outputs deterministic
# when the server answers from several threads.
_LOCK = threading.Lock()

# (use hints and Faker?, extra seed salt): tried in order until a value validates.
_STRATEGIES: tuple[tuple[bool, int], ...] = ((True, 0), (True, 1), (True, 2), (False, 0), (False, 1))
_VALIDATORS: OrderedDict[str, Validator] = OrderedDict()
_CACHE_SIZE = 512


class SchemaGenerationError(Exception):
    """The schema is invalid, unsupported or unsatisfiable; the message names the JSON path."""


def generate_arguments(parameters: dict[str, Any] | None, *, seed: int | str, hint_text: str = "") -> str:
    """Compact JSON arguments for a function whose `parameters` schema is given.

    OpenAI sends arguments as compact JSON with raw (not \\u-escaped) Unicode,
    e.g. '{"location":"Boston, MA"}'; no parameters gives '{}'.
    """
    if not parameters:
        return "{}"
    value = generate_value(parameters, seed=seed, hint_text=hint_text)
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def generate_value(schema: dict[str, Any], *, seed: int | str, hint_text: str = "",
                   root: dict[str, Any] | None = None) -> Any:
    """A value valid against `schema`, deterministic for (schema, seed, hint_text).

    `root` is the document that `$ref`s in `schema` resolve against, when
    `schema` is a part of a larger one.
    """
    document = schema if root is None else root
    mentions = read_mentions(hint_text)
    schema_key = canonical(schema)
    material = f"{schema_key}\x00{seed}\x00{hint_text}"
    failure = "no strategy produced a value"
    with _LOCK:
        validator = _validator_for(document, schema_key if root is None else canonical(document))
        target = validator if root is None else validator.evolve(schema=schema)
        for rich, salt in _STRATEGIES:
            number = int.from_bytes(hashlib.sha256(f"{material}\x00{salt}".encode()).digest()[:8], "big")
            _FAKER.seed_instance(number)
            walker = Walker(document, validator, random.Random(number), _FAKER, mentions if rich else None)
            try:
                value = walker.value(schema, "$", "", False, frozenset())
                error = best_match(target.iter_errors(value))
            except Unsatisfiable as exc:
                failure = str(exc)
                continue
            except (UnresolvedRef, Unresolvable) as exc:
                raise SchemaGenerationError(f"unresolvable $ref: {exc}") from exc
            except RecursionError as exc:
                raise SchemaGenerationError("schema nests too deeply to generate a value") from exc
            if error is None:
                return value
            failure = f"generated value failed validation at {error.json_path}: {error.message}"
    raise SchemaGenerationError(failure)


def _validator_for(document: Any, key: str) -> Validator:
    """Compiled validator per schema document, kept in a small LRU keyed by its canonical JSON `key`.

    Draft 2020-12 unless the document names another draft in `$schema` (a
    draft-07 tuple `items` means something else in 2020-12).
    """
    found = _VALIDATORS.get(key)
    if found is not None:
        _VALIDATORS.move_to_end(key)
        return found
    copy = json.loads(key)  # the cache must not see later edits to the caller's dict
    cls = validator_for(copy, default=Draft202012Validator)
    try:
        cls.check_schema(copy)
    except SchemaError as exc:
        where = "$" + "".join(f"[{p!r}]" if isinstance(p, str) else f"[{p}]" for p in exc.path)
        raise SchemaGenerationError(f"invalid JSON Schema at {where}: {exc.message}") from exc
    found = _VALIDATORS[key] = cls(copy, format_checker=FORMAT_CHECKER)
    if len(_VALIDATORS) > _CACHE_SIZE:
        _VALIDATORS.popitem(last=False)
    return found
