"""Schema algebra the generator needs: `allOf` merging and canonical JSON.

Merging turns `allOf: [A, B]` into one schema whose constraints are the
tightest of both, so the generator can aim at a single target.  Where two
constraints cannot be folded (two patterns, two `anyOf`s) the result keeps
both under a nested `allOf`, and the final validation decides.
"""

from __future__ import annotations

import json
import math
from typing import Any

_LOWER_BOUNDS = ("minimum", "exclusiveMinimum", "minLength", "minItems", "minProperties", "minContains")
_UPPER_BOUNDS = ("maximum", "exclusiveMaximum", "maxLength", "maxItems", "maxProperties", "maxContains")
# Keywords whose two values must both hold; kept side by side under `allOf`.
_BOTH_MUST_HOLD = ("items", "additionalProperties", "contains", "propertyNames", "pattern", "not",
                   "if", "then", "else", "prefixItems", "format", "const", "patternProperties",
                   "dependentSchemas", "unevaluatedProperties", "unevaluatedItems")


def canonical(value: Any) -> str:
    """One spelling per JSON value, for caching and for uniqueness checks."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def merge_schemas(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    """A schema that accepts what both `a` and `b` accept (as far as we can fold it)."""
    merged = dict(a)
    leftovers: list[dict[str, Any]] = []
    for key, theirs in b.items():
        if key not in merged:
            merged[key] = theirs
            continue
        ours = merged[key]
        if ours == theirs:
            continue
        if key == "properties":
            merged[key] = _merge_properties(ours, theirs)
        elif key == "required":
            merged[key] = list(dict.fromkeys([*ours, *theirs]))
        elif key == "type":
            merged[key] = _intersect_types(ours, theirs)
        elif key == "enum":
            allowed = {canonical(v) for v in theirs}
            merged[key] = [v for v in ours if canonical(v) in allowed]
        elif key in _LOWER_BOUNDS and _numbers(ours, theirs):
            merged[key] = max(ours, theirs)
        elif key in _UPPER_BOUNDS and _numbers(ours, theirs):
            merged[key] = min(ours, theirs)
        elif key == "multipleOf" and _integers(ours, theirs):
            merged[key] = math.lcm(int(ours), int(theirs))
        elif key == "uniqueItems":
            merged[key] = bool(ours or theirs)
        elif key == "allOf":
            merged[key] = [*ours, *theirs]
        elif key in ("anyOf", "oneOf", "multipleOf") or key in _BOTH_MUST_HOLD:
            leftovers.append({key: theirs})
        # Annotations (title, description, default, ...) keep the first value.
    if leftovers:
        merged["allOf"] = [*merged.get("allOf", []), *leftovers]
    return merged


def _merge_properties(ours: dict[str, Any], theirs: dict[str, Any]) -> dict[str, Any]:
    out = dict(ours)
    for name, schema in theirs.items():
        out[name] = {"allOf": [out[name], schema]} if name in out and out[name] != schema else schema
    return out


def _intersect_types(ours: Any, theirs: Any) -> list[str]:
    left = [ours] if isinstance(ours, str) else list(ours)
    right = {theirs} if isinstance(theirs, str) else set(theirs)
    kept = [t for t in left if t in right]
    if "number" in left and "integer" in right and "integer" not in kept:
        kept.append("integer")
    if "integer" in left and "number" in right and "integer" not in kept:
        kept.append("integer")
    return kept


def _numbers(*values: Any) -> bool:
    return all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values)


def _integers(*values: Any) -> bool:
    return _numbers(*values) and all(float(v).is_integer() for v in values)
