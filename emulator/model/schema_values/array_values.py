"""Values for `type: array`: `prefixItems`, then `contains`, then `items` up to a size between
`minItems` and `maxItems`; distinct items for `uniqueItems`, and every item the user listed."""

from __future__ import annotations

from typing import Any

from emulator.model.schema_values.budget import json_size
from emulator.model.schema_values.merge import canonical
from emulator.model.schema_values.plausible import singular
from emulator.model.schema_values.walk_state import FRESH_ITEMS, Unsatisfiable, WalkState, child_path

_ELEMENT_TRIES = 8
_MAX_MENTIONED_ITEMS = 10
_NOTHING = object()


class ArrayValues(WalkState):
    def array_value(self, schema: dict[str, Any], path: str, name: str, minimal: bool) -> list[Any]:
        prefix = list(schema.get("prefixItems", ()))
        items = schema.get("items", True)
        if isinstance(items, list):  # draft-04 tuple form
            prefix, items = items, schema.get("additionalItems", True)
        fewest = schema.get("minItems", 0)
        most = schema.get("maxItems")
        if items is False:
            most = len(prefix) if most is None else min(most, len(prefix))
        contains = schema.get("contains")
        must_contain = schema.get("minContains", 1) if contains is not None else 0
        size = fewest if minimal else max(fewest, self.rng.randint(1, 3))
        size = max(size, must_contain)
        if most is not None:
            size = min(size, most)
        unique = bool(schema.get("uniqueItems"))
        item_name = singular(name)
        result: list[Any] = []
        seen: set[str] = set()
        first_was_mentioned = False
        # Items past the prefix and `contains` all follow `items`: past a few, they are repeated.
        uniform_from = max(len(prefix), must_contain)
        sizes: list[int] = []
        index = -1
        while (index := index + 1) < size and not self.budget.exhausted:
            if not unique and index >= uniform_from + FRESH_ITEMS and not first_was_mentioned:
                slot = (index - uniform_from) % FRESH_ITEMS
                result.append(result[uniform_from + slot])
                self.budget.spend(sizes[slot] + 1)
                continue
            element = prefix[index] if index < len(prefix) else items
            if index < must_contain:
                element = contains if element in (True, {}) else {"allOf": [element, contains]}
            used_before = len(self.used)
            found = self._element(element, child_path(path, index), item_name, minimal, seen if unique else None)
            mentioned = len(self.used) > used_before
            if found is _NOTHING or (first_was_mentioned and not mentioned):
                # "Email alice@corp.com" is a list of one: once the user's values run out, stop.
                if index >= fewest:
                    break
                if found is _NOTHING:
                    raise Unsatisfiable(child_path(path, index), "cannot find enough distinct items for uniqueItems")
            if index == 0 and mentioned:
                # Take every value the user listed, not just as many as we would have made up.
                first_was_mentioned = True
                size = max(size, min(most if most is not None else _MAX_MENTIONED_ITEMS, _MAX_MENTIONED_ITEMS))
            result.append(found)
            self.budget.commit(found)
            if unique:
                seen.add(canonical(found))
            elif index >= uniform_from and len(sizes) < FRESH_ITEMS:
                sizes.append(json_size(found))
        return result

    def _element(self, schema: Any, path: str, name: str, minimal: bool, seen: set[str] | None) -> Any:
        if seen is None:
            return self.value(schema, path, name, minimal, frozenset())
        for _ in range(_ELEMENT_TRIES):
            try:
                found = self.value(schema, path, name, minimal, seen)  # read only: no copy per item
            except Unsatisfiable:
                return _NOTHING
            if self.budget.exhausted or canonical(found) not in seen:
                return found
        return _NOTHING
