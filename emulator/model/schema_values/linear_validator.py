"""The jsonschema validator every generated value is checked with, its regexes in linear time.

jsonschema matches `pattern`, `patternProperties` (and the `additionalProperties` that depend on
them) with Python's backtracking `re`; a client's `^(a+)+$` would then hold the event loop for
minutes. Here those three keywords match through `contract.linear_regex` (RE2) instead, and the
`regex` format is checked by parsing, never by matching. `unevaluatedProperties` beside
`patternProperties` would reach Python's `re` inside jsonschema, so such a document is checked
without `unevaluatedProperties` (the walk only makes the keys the schema names, so the keyword
adds little).
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any, Iterator

from jsonschema import ValidationError
from jsonschema.protocols import Validator
from jsonschema.validators import extend

from emulator.contract.linear_regex import PatternError, linear_pattern

__all__ = ["linear_validator_class", "without_backtracking_keywords"]


def _matches(pattern: str, text: str) -> bool:
    try:
        return linear_pattern(pattern).search(text)
    except PatternError:
        return False


def _pattern(validator: Any, pattern: str, instance: Any, schema: dict[str, Any]) -> Iterator[ValidationError]:
    if validator.is_type(instance, "string") and not _matches(pattern, instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


def _pattern_properties(validator: Any, patterns: dict[str, Any], instance: Any,
                        schema: dict[str, Any]) -> Iterator[ValidationError]:
    if not validator.is_type(instance, "object"):
        return
    for pattern, subschema in patterns.items():
        for key, value in instance.items():
            if _matches(pattern, key):
                yield from validator.descend(value, subschema, path=key, schema_path=pattern)


def _additional_properties(validator: Any, additional: Any, instance: Any,
                           schema: dict[str, Any]) -> Iterator[ValidationError]:
    if not validator.is_type(instance, "object"):
        return
    properties = schema.get("properties") or {}
    patterns = list(schema.get("patternProperties") or {})
    extras = [key for key in instance
              if key not in properties and not any(_matches(p, key) for p in patterns)]
    if validator.is_type(additional, "object"):
        for key in extras:
            yield from validator.descend(instance[key], additional, path=key)
    elif additional is False and extras:
        yield ValidationError(f"Additional properties are not allowed ({', '.join(map(repr, sorted(extras)))} "
                              f"{'was' if len(extras) == 1 else 'were'} unexpected)")


# Keyword functions take jsonschema's concrete validator (`descend` is not in its Protocol).
@lru_cache(maxsize=None)  # one per jsonschema draft class: a handful
def linear_validator_class(base: type[Validator]) -> type[Validator]:
    keywords = {"pattern": _pattern, "patternProperties": _pattern_properties,
                "additionalProperties": _additional_properties}
    return extend(base, {k: v for k, v in keywords.items() if k in base.VALIDATORS})


def without_backtracking_keywords(document: Any) -> Any:
    """`document` without `unevaluatedProperties` when it also uses `patternProperties` (copied)."""
    if not _uses(document, "patternProperties") or not _uses(document, "unevaluatedProperties"):
        return document
    return _drop(document, "unevaluatedProperties")


def _uses(node: Any, keyword: str) -> bool:
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, dict):
            if keyword in current:
                return True
            stack.extend(current.values())
        elif isinstance(current, list):
            stack.extend(current)
    return False


def _drop(node: Any, keyword: str) -> Any:
    if isinstance(node, dict):
        return {k: _drop(v, keyword) for k, v in node.items() if k != keyword}
    if isinstance(node, list):
        return [_drop(v, keyword) for v in node]
    return node
