"""Values for the composing keywords: `$ref`, `allOf` (folded into one schema), `anyOf`/`oneOf`
(a branch at a time) and `enum` (a value the user named first)."""

from __future__ import annotations

from typing import AbstractSet, Any

from emulator.contract.refs import UnresolvedRef, resolve_local_ref
from emulator.model.schema_values.merge import canonical, merge_schemas
from emulator.model.schema_values.walk_state import Unsatisfiable, WalkState

_MAX_SAME_REF = 3
# Marks an `allOf` already folded as far as it goes (jsonschema ignores the unknown keyword).
FOLDED = "x-emulator-folded"
# Keys beside a $ref that add no constraint, so the ref can be followed alone.
_NOT_CONSTRAINTS = frozenset({"$ref", "$defs", "definitions", "$schema", "$id", "$anchor", "$comment", "title",
                              "description", "examples", "default", "deprecated", "readOnly", "writeOnly"})


class CompositionValues(WalkState):
    def ref_value(self, schema: dict[str, Any], path: str, name: str, minimal: bool,
                  exclude: AbstractSet[str]) -> Any:
        ref = schema["$ref"]
        seen = self.refs.count(ref)
        if seen >= _MAX_SAME_REF:
            raise Unsatisfiable(path, f"recursive $ref {ref!r} has no finite value")
        try:
            target = resolve_local_ref(self.root, ref)
        except UnresolvedRef as exc:
            raise UnresolvedRef(f"{exc} (at {path})") from exc
        siblings = {k: v for k, v in schema.items() if k not in _NOT_CONSTRAINTS}
        if siblings:
            target = {"allOf": [target, siblings]}
        self.refs.append(ref)
        try:
            # Meeting a $ref we are already inside: take the shortest way out.
            return self.value(target, path, name, minimal or seen > 0, exclude)
        finally:
            self.refs.pop()

    def fold_all_of(self, schema: dict[str, Any], path: str) -> dict[str, Any]:
        merged = {k: v for k, v in schema.items() if k != "allOf"}
        for part in schema["allOf"]:
            if part is False:
                raise Unsatisfiable(path, "allOf contains false")
            if not isinstance(part, dict):
                continue
            for _ in range(_MAX_SAME_REF * 4):
                if "$ref" not in part:
                    break
                rest = {k: v for k, v in part.items() if k not in _NOT_CONSTRAINTS}
                part = merge_schemas(resolve_local_ref(self.root, part["$ref"]), rest)
            else:
                raise Unsatisfiable(path, "$ref cycle with no schema to stop at")
            if "allOf" in part:
                part = self.fold_all_of(part, path)
            merged = merge_schemas(merged, part)
        # What could not be folded stays under allOf for the checks to enforce; the
        # marker stops us folding again.
        return {**merged, FOLDED: True} if "allOf" in merged else merged

    def union_value(self, schema: dict[str, Any], path: str, name: str, minimal: bool,
                    exclude: AbstractSet[str]) -> Any:
        keyword = "oneOf" if "oneOf" in schema else "anyOf"
        base = {k: v for k, v in schema.items() if k != keyword}
        branches = list(schema[keyword])
        for branch in self._branch_order(branches, minimal):
            candidate = merge_schemas(base, branch) if isinstance(branch, dict) and base else branch
            for _ in range(3):  # a oneOf value may also match a sibling branch; vary it
                try:
                    found = self.value(candidate, path, name, minimal, exclude)
                except Unsatisfiable:
                    break
                if self.budget.exhausted or self.fits(schema, found):
                    return found
        raise Unsatisfiable(path, f"no branch of {keyword} can be satisfied")

    def _branch_order(self, branches: list[Any], minimal: bool) -> list[Any]:
        def is_null(branch: Any) -> bool:
            return isinstance(branch, dict) and branch.get("type") == "null"

        def loops(branch: Any) -> bool:
            return isinstance(branch, dict) and branch.get("$ref") in self.refs

        # Listed order otherwise: authors put the main type first (pydantic's Decimal is
        # number-then-string, Optional[X] is X-then-null), and a model would answer with it.
        middle = [b for b in branches if not is_null(b) and not loops(b)]
        nulls = [b for b in branches if is_null(b)]
        looping = [b for b in branches if loops(b)]
        return [*nulls, *middle, *looping] if minimal or looping else [*middle, *nulls, *looping]

    def enum_value(self, schema: dict[str, Any], path: str, exclude: AbstractSet[str]) -> Any:
        options = list(schema["enum"])
        self.rng.shuffle(options)
        mentions = self.mentions
        if mentions is not None:
            # A value the user named wins ("in celsius" -> "celsius").
            options.sort(key=lambda v: not (isinstance(v, str) and mentions.mentions_word(v)))
        for option in options:
            if canonical(option) not in exclude and self.fits(schema, option):
                return option
        raise Unsatisfiable(path, "no enum value satisfies the other keywords")
