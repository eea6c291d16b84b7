"""JSON Schemas (draft 2020-12) of the contract's bodies, and validators built from them.

The files in ``schemas/`` were written from the official OpenAPI description for
this project; they refer to each other by file name (``common.json`` holds the
shared definitions), so every validator is built against one registry of all of them.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
from jsonschema.exceptions import ValidationError, relevance
from jsonschema.protocols import Validator
from referencing import Registry, Resource

SCHEMA_DIR = Path(__file__).with_name("schemas")
BASE_URI = "https://chat-emulator.local/schemas/"


def schema_names() -> list[str]:
    """The stems of every schema file, e.g. ``chat_completion``."""
    return sorted(path.stem for path in SCHEMA_DIR.glob("*.json"))


@cache
def schema(name: str) -> dict[str, Any]:
    """The parsed schema document ``schemas/<name>.json``."""
    path = SCHEMA_DIR / f"{name}.json"
    if not path.is_file():
        raise KeyError(f"no contract schema named {name!r}; known: {', '.join(schema_names())}")
    return json.loads(path.read_text(encoding="utf-8"))


@cache
def _registry() -> Registry:
    resources = [(BASE_URI + f"{n}.json", Resource.from_contents(schema(n))) for n in schema_names()]
    return Registry().with_resources(resources)


@cache
def validator(name: str) -> Validator:
    """A validator for ``schemas/<name>.json``; built once and reused."""
    document = schema(name)
    cls = jsonschema.validators.validator_for(document)
    cls.check_schema(document)
    return cls(document, registry=_registry())


def _describe(error: ValidationError) -> str:
    # anyOf/oneOf failures are vague at the top; the deepest sub-error usually names the real fault.
    while error.context:
        error = sorted(error.context, key=relevance)[0]
    return f"{error.json_path}: {error.message}"


def schema_errors(name: str, instance: Any) -> list[str]:
    """Every violation of ``schemas/<name>.json`` as ``"<json path>: <message>"``; empty when valid."""
    errors = sorted(validator(name).iter_errors(instance), key=lambda e: (list(map(str, e.absolute_path)), relevance(e)))
    return [_describe(error) for error in errors]
