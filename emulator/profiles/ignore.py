"""Drop the fields a request shape does not know, and name them (lenient and vLLM-style servers).

The strict `openai` profile rejects an unknown field with `Unknown parameter: 'x'.`; servers that
ignore extras instead (vLLM, gateways) are emulated by removing those fields before the same
strict validation runs, so known fields keep their type checks. The body is never changed in
place (the journal keeps what the client sent): containers are copied only where a key goes.
"""
from __future__ import annotations

from typing import Any

from ..contract.shapes import Array, MapOf, Object, OneOf, Shape, Tagged, join_path


def strip_unknown(value: Any, shape: Shape, path: str, ignored: list[str]) -> Any:
    """`value` without the keys `shape` does not know; their paths are appended to `ignored`."""
    if isinstance(shape, Object):
        if type(value) is not dict:
            return value
        fields = shape.fields
        kept: dict[str, Any] | None = None
        for key, item in value.items():
            field_shape = fields.get(key)
            if field_shape is None:
                if shape.open:
                    continue
                ignored.append(join_path(path, key))
                if kept is None:
                    kept = {k: v for k, v in value.items() if k in fields or shape.open}
                continue
            new = strip_unknown(item, field_shape, join_path(path, key), ignored)
            if new is not item:
                if kept is None:
                    kept = {k: v for k, v in value.items() if k in fields or shape.open}
                kept[key] = new
        return value if kept is None else kept
    if isinstance(shape, Tagged):
        if type(value) is not dict:
            return value
        tag = value.get(shape.key)
        variant = shape.variants.get(tag) if type(tag) is str else None
        return value if variant is None else strip_unknown(value, variant, path, ignored)
    if isinstance(shape, Array):
        if type(value) is not list:
            return value
        items = [strip_unknown(item, shape.items, f"{path}[{i}]", ignored) for i, item in enumerate(value)]
        return value if all(a is b for a, b in zip(items, value, strict=True)) else items
    if isinstance(shape, MapOf):
        if type(value) is not dict:
            return value
        new_map = {k: strip_unknown(v, shape.values, join_path(path, k), ignored) for k, v in value.items()}
        return value if all(new_map[k] is v for k, v in value.items()) else new_map
    if isinstance(shape, OneOf):
        for option in shape.options:
            if option.accepts_type(value):
                return strip_unknown(value, option, path, ignored)
    return value
