"""A tiny declarative validator that speaks the live API's error grammar.

jsonschema would tell us *that* a request is wrong; the live API tells the client *how*, in
sentences such as `Invalid type for 'n': expected an integer, but got a string instead.` with a
`param` path like `messages[0].content[1].type`. Shapes are built once at import time and each
`check` walks the request directly, so validation costs microseconds per request.
"""
from __future__ import annotations

from typing import Any, Callable

from . import errors

# Names of JSON types as the live API writes them after "but got".
_GOT_NAMES: dict[type, str] = {
    str: "a string",
    bool: "a boolean",
    int: "an integer",
    float: "a decimal number",
    dict: "an object",
    list: "an array",
}


def got_name(value: Any) -> str:
    return "null" if value is None else _GOT_NAMES.get(type(value), "an unknown type")


def join_path(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


class Shape:
    """One JSON value's expected form. `expected` is the phrase after "expected"."""

    expected = "a value"
    nullable = False

    def accepts_type(self, value: Any) -> bool:
        raise NotImplementedError

    def check(self, value: Any, path: str) -> None:
        if value is None:
            if self.nullable:
                return
            raise errors.invalid_type(path, self.expected, "null")
        if not self.accepts_type(value):
            raise errors.invalid_type(path, self.expected, got_name(value))
        self.check_value(value, path)

    def check_value(self, value: Any, path: str) -> None:
        """Range and structure checks, once the JSON type is right."""

    def is_valid(self, value: Any) -> bool:
        """The fast question (no paths, no messages): most requests are valid, and only an invalid one
        pays for `check`, which finds and words the first error."""
        if value is None:
            return self.nullable
        return self.accepts_type(value) and self.value_ok(value)

    def value_ok(self, value: Any) -> bool:
        try:
            self.check_value(value, "")
        except errors.ApiError:
            return False
        return True


class AnyValue(Shape):
    expected = "any value"
    nullable = True

    def accepts_type(self, value: Any) -> bool:
        return True

    def is_valid(self, value: Any) -> bool:
        return True


class Boolean(Shape):
    expected = "a boolean"

    def __init__(self, nullable: bool = False) -> None:
        self.nullable = nullable

    def accepts_type(self, value: Any) -> bool:
        return value is True or value is False

    def value_ok(self, value: Any) -> bool:
        return True


class _Bounded(Shape):
    """A number with optional bounds; `kind` names it in the range errors (`integer`, `decimal`)."""

    kind = ""

    def __init__(self, minimum: float | None = None, maximum: float | None = None, nullable: bool = False) -> None:
        self.minimum, self.maximum, self.nullable = minimum, maximum, nullable

    def check_value(self, value: Any, path: str) -> None:
        if self.maximum is not None and value > self.maximum:
            raise errors.out_of_range(path, self.kind, True, self.maximum, value)
        if self.minimum is not None and value < self.minimum:
            raise errors.out_of_range(path, self.kind, False, self.minimum, value)

    def value_ok(self, value: Any) -> bool:
        return (self.maximum is None or value <= self.maximum) and (self.minimum is None or value >= self.minimum)


class Integer(_Bounded):
    expected, kind = "an integer", "integer"

    def accepts_type(self, value: Any) -> bool:
        t = type(value)
        return t is int or (t is float and value.is_integer())


class Number(_Bounded):
    expected, kind = "a decimal", "decimal"

    def accepts_type(self, value: Any) -> bool:
        t = type(value)
        return t is float or t is int


class String(Shape):
    expected = "a string"

    def __init__(
        self,
        *,
        enum: tuple[str, ...] | None = None,
        min_length: int | None = None,
        max_length: int | None = None,
        nullable: bool = False,
    ) -> None:
        self.enum, self.min_length, self.max_length, self.nullable = enum, min_length, max_length, nullable

    def accepts_type(self, value: Any) -> bool:
        return type(value) is str

    def check_value(self, value: Any, path: str) -> None:
        if self.enum is not None and value not in self.enum:
            raise errors.invalid_value(path, value, self.enum)
        if self.max_length is not None and len(value) > self.max_length:
            raise errors.string_too_long(path, self.max_length, len(value))
        if self.min_length is not None and len(value) < self.min_length:
            raise errors.string_too_short(path, self.min_length, len(value))

    def value_ok(self, value: Any) -> bool:
        return ((self.enum is None or value in self.enum)
                and (self.max_length is None or len(value) <= self.max_length)
                and (self.min_length is None or len(value) >= self.min_length))


class Array(Shape):
    def __init__(
        self, items: Shape, *, min_items: int = 0, max_items: int | None = None, nullable: bool = False
    ) -> None:
        self.items, self.min_items, self.max_items, self.nullable = items, min_items, max_items, nullable
        self.expected = f"an array of {_plural(items)}" if not isinstance(items, AnyValue) else "an array"

    def accepts_type(self, value: Any) -> bool:
        return type(value) is list

    def check_value(self, value: Any, path: str) -> None:
        count = len(value)
        if count < self.min_items:
            if count == 0:
                raise errors.empty_array(path)
            raise errors.array_too_short(path, self.min_items, count)
        if self.max_items is not None and count > self.max_items:
            raise errors.array_too_long(path, self.max_items, count)
        items = self.items
        for index, item in enumerate(value):
            items.check(item, f"{path}[{index}]")

    def value_ok(self, value: Any) -> bool:
        count = len(value)
        if count < self.min_items or (self.max_items is not None and count > self.max_items):
            return False
        is_valid = self.items.is_valid
        return all(is_valid(item) for item in value)


class Object(Shape):
    """A JSON object with known fields. Unknown keys are rejected unless `open`."""

    expected = "an object"

    def __init__(
        self,
        fields: dict[str, Shape],
        *,
        required: tuple[str, ...] = (),
        open: bool = False,
        nullable: bool = False,
        missing: dict[str, Callable[[], errors.ApiError]] | None = None,
        required_first: bool = False,
    ) -> None:
        self.fields, self.required, self.open, self.nullable = fields, required, open, nullable
        self.missing = missing or {}
        # Some live checks report a missing required key before an unknown one (Responses' `text.format`).
        self.required_first = required_first

    def accepts_type(self, value: Any) -> bool:
        return type(value) is dict

    def check_value(self, value: Any, path: str) -> None:
        fields = self.fields
        if self.required_first:
            self._check_required(value, path)
        if not self.open:
            for key in value:
                if key not in fields:
                    raise errors.unknown_parameter(join_path(path, key))
        self._check_required(value, path)
        for key, shape in fields.items():
            if key in value:
                shape.check(value[key], join_path(path, key))

    def _check_required(self, value: dict[str, Any], path: str) -> None:
        for key in self.required:
            if key not in value:
                make = self.missing.get(key)
                raise make() if make else errors.missing_parameter(join_path(path, key))

    def value_ok(self, value: Any) -> bool:
        fields = self.fields
        for key, item in value.items():
            shape = fields.get(key)
            if shape is None:
                if not self.open:
                    return False
            elif not shape.is_valid(item):
                return False
        return all(key in value for key in self.required)


class MapOf(Shape):
    """An object whose keys are free-form strings (`metadata`, `logit_bias`)."""

    expected = "an object"

    def __init__(
        self, values: Shape, *, max_properties: int | None = None, max_key_length: int | None = None,
        nullable: bool = False,
    ) -> None:
        self.values, self.max_properties, self.max_key_length = values, max_properties, max_key_length
        self.nullable = nullable

    def accepts_type(self, value: Any) -> bool:
        return type(value) is dict

    def check_value(self, value: Any, path: str) -> None:
        if self.max_properties is not None and len(value) > self.max_properties:
            raise errors.too_many_properties(path, self.max_properties, len(value))
        for key, item in value.items():
            item_path = join_path(path, key)
            if self.max_key_length is not None and len(key) > self.max_key_length:
                raise errors.string_too_long(item_path, self.max_key_length, len(key))
            self.values.check(item, item_path)

    def value_ok(self, value: Any) -> bool:
        if self.max_properties is not None and len(value) > self.max_properties:
            return False
        limit, is_valid = self.max_key_length, self.values.is_valid
        return all((limit is None or len(k) <= limit) and is_valid(v) for k, v in value.items())


class OneOf(Shape):
    """Alternatives told apart by JSON type (`stop`: a string or an array of strings)."""

    def __init__(self, *options: Shape, nullable: bool = False) -> None:
        self.options, self.nullable = options, nullable
        self.expected = "one of " + " or ".join(o.expected.removeprefix("an ").removeprefix("a ")
                                                 if i else o.expected for i, o in enumerate(options))

    def accepts_type(self, value: Any) -> bool:
        return any(o.accepts_type(value) for o in self.options)

    def check_value(self, value: Any, path: str) -> None:
        for option in self.options:
            if option.accepts_type(value):
                option.check_value(value, path)
                return

    def value_ok(self, value: Any) -> bool:
        for option in self.options:
            if option.accepts_type(value):
                return option.value_ok(value)
        return False


class Tagged(Shape):
    """Objects discriminated by one key (`role` for messages, `type` for parts and tools)."""

    expected = "an object"

    def __init__(self, key: str, variants: dict[str, Shape], *, nullable: bool = False,
                 default: str | None = None, value_param_on_item: bool = False) -> None:
        self.key, self.variants, self.nullable = key, variants, nullable
        self.supported = tuple(variants)
        self.default = default  # the variant of an object without the key (Responses' easy messages)
        # Whether an unsupported tag is reported at the object's path rather than the key's (as the
        # live Responses API does for content parts: `input[1].content[0]`).
        self.value_param_on_item = value_param_on_item

    def accepts_type(self, value: Any) -> bool:
        return type(value) is dict

    def check_value(self, value: Any, path: str) -> None:
        tag_path = join_path(path, self.key)
        if self.key not in value and self.default is None:
            raise errors.missing_parameter(tag_path)
        tag = value.get(self.key, self.default)
        if type(tag) is not str:
            raise errors.invalid_type(tag_path, "a string", got_name(tag))
        variant = self.variants.get(tag)
        if variant is None:
            raise errors.invalid_value(path if self.value_param_on_item else tag_path, tag, self.supported)
        variant.check_value(value, path)

    def value_ok(self, value: Any) -> bool:
        tag = value.get(self.key, self.default)
        variant = self.variants.get(tag) if type(tag) is str else None
        return variant is not None and variant.value_ok(value)


def _plural(shape: Shape) -> str:
    if isinstance(shape, (Object, Tagged, MapOf)):
        return "objects"
    return {"a string": "strings", "an integer": "integers", "a decimal": "decimals", "a boolean": "booleans"}.get(
        shape.expected, "values"
    )
