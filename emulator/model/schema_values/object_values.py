"""Values for `type: object`: the listed properties (all of them, or only the required ones on the
shortest way out of a recursion), then `dependentRequired`, then extra keys up to `minProperties`."""

from __future__ import annotations

from typing import Any

from emulator.contract.linear_regex import PatternError, search
from emulator.model.schema_values.budget import json_size
from emulator.model.schema_values.plausible import singular
from emulator.model.schema_values.regex_examples import RegexExampleError, regex_example
from emulator.model.schema_values.walk_state import FRESH_ITEMS, Unsatisfiable, WalkState, child_path


class ObjectValues(WalkState):
    def object_value(self, schema: dict[str, Any], path: str, name: str, minimal: bool) -> dict[str, Any]:
        properties: dict[str, Any] = schema.get("properties") or {}
        required = [r for r in schema.get("required", ()) if isinstance(r, str)]
        optional = [] if minimal else [p for p in properties if p not in required]
        keys = [p for p in properties if p in required or p in optional]
        keys += [r for r in required if r not in properties]
        most = schema.get("maxProperties")
        if most is not None and len(keys) > most:
            keys = [k for k in keys if k in required] + [k for k in keys if k not in required]
            keys = keys[:max(most, len(required))]
        result: dict[str, Any] = {}
        for key in keys:
            try:
                self._put(result, key, self.value(self._property_schema(schema, key, path), child_path(path, key),
                                                  key, minimal, frozenset()))
            except Unsatisfiable:
                if key in required:
                    raise
        for key in list(result):
            for needed in schema.get("dependentRequired", {}).get(key, ()):
                if needed not in result:
                    self._put(result, needed, self.value(self._property_schema(schema, needed, path),
                                                         child_path(path, needed), needed, minimal, frozenset()))
        self._fill_properties(schema, result, path, name, minimal)
        return result

    def _put(self, result: dict[str, Any], key: str, value: Any) -> None:
        result[key] = value
        self.budget.commit(value, key)

    def _fill_properties(self, schema: dict[str, Any], result: dict[str, Any], path: str, name: str,
                         minimal: bool) -> None:
        """Extra properties up to `minProperties`; past a few, values are reused (keys stay distinct)."""
        fewest = schema.get("minProperties", 0)
        made: dict[int, tuple[Any, int]] = {}  # id(property schema) -> (a value made for it, its size)
        extra = 0
        while len(result) < fewest and not self.budget.exhausted:
            extra += 1
            if extra > 4 * fewest + 8:
                raise Unsatisfiable(path, "cannot find enough property names for minProperties")
            key = self._extra_key(schema, path, name, extra)
            if key in result:
                continue
            sub = self._property_schema(schema, key, path)
            if id(sub) in made and extra > FRESH_ITEMS:
                value, size = made[id(sub)]
                result[key] = value
                self.budget.spend(size + len(key) + 3)
                continue
            self._put(result, key, self.value(sub, child_path(path, key), key, minimal, frozenset()))
            made[id(sub)] = (result[key], json_size(result[key]))

    def _property_schema(self, schema: dict[str, Any], key: str, path: str) -> Any:
        properties = schema.get("properties") or {}
        if key in properties:
            return properties[key]
        for pattern, sub in (schema.get("patternProperties") or {}).items():
            try:
                if search(pattern, key):
                    return sub
            except PatternError as exc:
                raise Unsatisfiable(path, str(exc)) from None
        additional = schema.get("additionalProperties", True)
        if additional is False:
            raise Unsatisfiable(child_path(path, key), "required but not allowed by additionalProperties")
        return additional

    def _extra_key(self, schema: dict[str, Any], path: str, name: str, index: int) -> str:
        patterns = list((schema.get("patternProperties") or {}))
        if patterns and schema.get("additionalProperties") is False:
            try:
                return regex_example(patterns[index % len(patterns)], self.rng, limit=self.budget.room)
            except RegexExampleError as exc:
                raise Unsatisfiable(path, str(exc)) from exc
        names = schema.get("propertyNames")
        if isinstance(names, dict) and names:
            return str(self.value({**names, "type": "string"}, path, "key", False, frozenset()))
        return f"{singular(name) or 'key'}_{index}"
