"""The schema walk behind `generate_value`: one value per schema node.

Each node is answered by trying candidates in order of plausibility and
keeping the first that its own subschema accepts.  Recursion through `$ref`
switches to "minimal" mode (null branch, fewest items, required properties
only) so that recursive schemas end.

`Walker` picks the part that answers a node, by keyword (`composition.py`) or
by type (`object_values.py`, `array_values.py`, `string_values.py`,
`number_values.py`); `walk_state.py` holds what they share.
"""

from __future__ import annotations

from typing import AbstractSet, Any

from emulator.model.schema_values.array_values import ArrayValues
from emulator.model.schema_values.composition import FOLDED, CompositionValues
from emulator.model.schema_values.merge import canonical
from emulator.model.schema_values.number_values import NumberValues
from emulator.model.schema_values.object_values import ObjectValues
from emulator.model.schema_values.string_values import StringValues
from emulator.model.schema_values.walk_state import TooMuchWork, Unsatisfiable

__all__ = ["TooMuchWork", "Unsatisfiable", "Walker"]

_MAX_DEPTH = 64
_TYPE_FAMILIES = (
    ("object", ("properties", "required", "additionalProperties", "patternProperties", "minProperties",
                "maxProperties", "propertyNames", "dependentRequired", "dependentSchemas")),
    ("array", ("items", "prefixItems", "minItems", "maxItems", "uniqueItems", "contains", "minContains",
               "maxContains", "additionalItems")),
    ("string", ("minLength", "maxLength", "pattern", "format", "contentEncoding", "contentMediaType")),
    ("number", ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf")),
)


class Walker(CompositionValues, ObjectValues, ArrayValues, StringValues, NumberValues):
    """One generation attempt. `mentions` is None in the plain (constraints-only) strategy."""

    def value(self, schema: Any, path: str, name: str, minimal: bool, exclude: AbstractSet[str]) -> Any:
        if self.budget.exhausted:
            return None  # past the completion budget: the reply is cut before this value
        if not self.work.visit():
            raise TooMuchWork(path)
        if schema is True or schema == {}:
            return self.string_value({}, path, name)
        if not isinstance(schema, dict):
            raise Unsatisfiable(path, "the schema is false" if schema is False else "the schema is not an object")
        if self.depth > _MAX_DEPTH:
            raise Unsatisfiable(path, "the schema nests too deeply")
        self.depth += 1
        try:
            return self._dispatch(schema, path, name, minimal, exclude)
        finally:
            self.depth -= 1

    def _dispatch(self, schema: dict[str, Any], path: str, name: str, minimal: bool,
                  exclude: AbstractSet[str]) -> Any:
        if "$ref" in schema:
            return self.ref_value(schema, path, name, minimal, exclude)
        if "allOf" in schema and FOLDED not in schema:
            return self.value(self.fold_all_of(schema, path), path, name, minimal, exclude)
        if "const" in schema:
            if canonical(schema["const"]) in exclude:
                raise Unsatisfiable(path, "const cannot repeat in a uniqueItems array")
            return schema["const"]
        if "enum" in schema:
            return self.enum_value(schema, path, exclude)
        if "anyOf" in schema or "oneOf" in schema:
            return self.union_value(schema, path, name, minimal, exclude)
        return self._typed(schema, path, name, minimal, exclude)

    def _typed(self, schema: dict[str, Any], path: str, name: str, minimal: bool, exclude: AbstractSet[str]) -> Any:
        types = _types(schema)
        if not types:
            raise Unsatisfiable(path, "no type is allowed")
        if minimal and "null" in types:
            types = ["null", *(t for t in types if t != "null")]
        last: Unsatisfiable | None = None
        for kind in types:
            try:
                found = self._of_type(kind, schema, path, name, minimal, exclude)
            except Unsatisfiable as exc:
                last = exc
                continue
            if len(types) == 1 or self.budget.exhausted or self.fits(schema, found):
                return found
        raise last or Unsatisfiable(path, f"no value of type {types} fits")

    def _of_type(self, kind: str, schema: dict[str, Any], path: str, name: str, minimal: bool,
                 exclude: AbstractSet[str]) -> Any:
        if kind == "object":
            return self.object_value(schema, path, name, minimal)
        if kind == "array":
            return self.array_value(schema, path, name, minimal)
        if kind == "string":
            return self.string_value(schema, path, name, exclude)
        if kind in ("number", "integer"):
            return self.number_value(schema, path, name, kind == "integer", exclude)
        if kind == "boolean":
            options = [True, False] if self.rng.random() < 0.5 else [False, True]
            return _first_unused(options, exclude, path)
        if kind == "null":
            return _first_unused([None], exclude, path)
        raise Unsatisfiable(path, f"unknown type {kind!r}")


def _types(schema: dict[str, Any]) -> list[str]:
    """The types to try for `schema`, declared or inferred from its keywords and samples."""
    declared = schema.get("type")
    if declared is not None:
        listed = [declared] if isinstance(declared, str) else list(declared)
        # Non-null first: a real value is more useful than null when both are allowed.
        return [t for t in listed if t != "null"] + [t for t in listed if t == "null"]
    inferred = [kind for kind, keys in _TYPE_FAMILIES if any(k in schema for k in keys)]
    for sample in (schema.get("default"), *schema.get("examples", ())):
        kind = _json_type(sample)
        if kind and kind not in inferred and sample is not None:
            inferred.append(kind)
    return inferred or ["string"]


def _first_unused(options: list[Any], exclude: AbstractSet[str], path: str) -> Any:
    for option in options:
        if canonical(option) not in exclude:
            return option
    raise Unsatisfiable(path, "no distinct value left for uniqueItems")


def _json_type(value: Any) -> str | None:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    for kind, python in (("string", str), ("array", list), ("object", dict)):
        if isinstance(value, python):
            return kind
    return None
