"""A tiny declarative validator that speaks the live API's error grammar.

jsonschema would tell us *that* a request is wrong; the live API tells the client *how*, in
sentences such as `Invalid type for 'n': expected an integer, but got a string instead.` with a
`param` path like `messages[0].content[1].type`. Shapes are built once at import time.

Two questions are asked of a shape. `is_valid` (and `value_ok`) answers yes or no, and is asked of
every request: on first use each shape compiles it into a closure specialised to its own fields
and bounds (`validator`), so a well-formed body costs one tight pass with no method dispatch.
`check` finds and words the first error, and runs only for a body that is not valid.
"""
from __future__ import annotations

from typing import Any, Callable

from mypy_extensions import mypyc_attr

from . import errors

Validator = Callable[[Any], bool]

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


@mypyc_attr(allow_interpreted_subclasses=True)  # contract/responses_shape.py subclasses it
class Shape:
    """One JSON value's expected form. `expected` is the phrase after "expected"."""

    expected = "a value"
    nullable = False
    # The exact Python types of the values `accepts_type` takes, each without condition (None: it
    # depends on the value, as an integral float for `Integer`); `OneOf` dispatches on it.
    json_types: tuple[type, ...] | None = None
    _validator: Validator | None = None  # `validator`'s closure, once compiled

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
        return self.validator()(value)

    def value_ok(self, value: Any) -> bool:
        """`is_valid` for a value `accepts_type` takes (the same answer, asked after the type)."""
        return self.validator()(value)

    def types_only(self) -> frozenset[type] | None:
        """The exact Python types of the values this shape takes when their type is all it checks
        (a plain string, a boolean), else None. A container checks such a field inline, with no call."""
        return None

    def validator(self) -> Validator:
        """`is_valid` as one closure, compiled on first use and kept."""
        compiled = self._validator
        if compiled is None:
            compiled = self._validator = self.compile()
        return compiled

    def compile(self) -> Validator:
        """The closure `validator` keeps. This general one serves shapes defined elsewhere: it asks
        their own `is_valid` or `value_ok` if they define one, else `check_value` (an error is a no)."""
        cls = type(self)
        if cls.is_valid is not Shape.is_valid:
            return self.is_valid
        nullable, accepts = self.nullable, self.accepts_type
        value_ok = self.value_ok if cls.value_ok is not Shape.value_ok else self._checks_out

        def valid(value: Any) -> bool:
            if value is None:
                return nullable
            return accepts(value) and value_ok(value)
        return valid

    def _checks_out(self, value: Any) -> bool:
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

    def types_only(self) -> frozenset[type] | None:
        return JSON_TYPES

    def compile(self) -> Validator:
        return _always


class Boolean(Shape):
    expected = "a boolean"
    json_types: tuple[type, ...] | None = (bool,)

    def __init__(self, nullable: bool = False) -> None:
        self.nullable = nullable

    def accepts_type(self, value: Any) -> bool:
        return value is True or value is False

    def types_only(self) -> frozenset[type] | None:
        return _with_null(frozenset((bool,)), self.nullable)

    def compile(self) -> Validator:
        if self.nullable:
            return lambda value: value is True or value is False or value is None
        return lambda value: value is True or value is False


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

    def in_range(self) -> Validator:
        """The bounds alone, for a number of an accepted type."""
        low, high = self.minimum, self.maximum
        if low is None and high is None:
            return _always
        if low is None:
            return lambda value: value <= high
        if high is None:
            return lambda value: value >= low
        return lambda value: value <= high and value >= low


class Integer(_Bounded):
    expected = "an integer"  # one name a line: mypyc takes no tuple assignment in a class body
    kind = "integer"

    def accepts_type(self, value: Any) -> bool:
        t = type(value)
        return t is int or (t is float and value.is_integer())

    def compile(self) -> Validator:
        nullable, in_range = self.nullable, self.in_range()

        def valid(value: Any) -> bool:
            t = type(value)
            if t is int or (t is float and value.is_integer()):
                return in_range(value)
            return nullable and value is None
        return valid


class Number(_Bounded):
    expected = "a decimal"
    kind = "decimal"
    json_types: tuple[type, ...] | None = (float, int)

    def accepts_type(self, value: Any) -> bool:
        t = type(value)
        return t is float or t is int

    def compile(self) -> Validator:
        nullable, in_range = self.nullable, self.in_range()

        def valid(value: Any) -> bool:
            t = type(value)
            if t is float or t is int:
                return in_range(value)
            return nullable and value is None
        return valid


class String(Shape):
    expected = "a string"
    json_types: tuple[type, ...] | None = (str,)

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

    def types_only(self) -> frozenset[type] | None:
        if self.enum is None and self.min_length is None and self.max_length is None:
            return _with_null(frozenset((str,)), self.nullable)
        return None

    def check_value(self, value: Any, path: str) -> None:
        if self.enum is not None and value not in self.enum:
            raise errors.invalid_value(path, value, self.enum)
        if self.max_length is not None and len(value) > self.max_length:
            raise errors.string_too_long(path, self.max_length, len(value))
        if self.min_length is not None and len(value) < self.min_length:
            raise errors.string_too_short(path, self.min_length, len(value))

    def compile(self) -> Validator:
        nullable, low, high = self.nullable, self.min_length, self.max_length
        enum = None if self.enum is None else frozenset(self.enum)
        if enum is None and low is None and high is None:  # most strings: the type is all there is
            if nullable:
                return lambda value: type(value) is str or value is None
            return lambda value: type(value) is str

        def valid(value: Any) -> bool:
            if type(value) is not str:
                return nullable and value is None
            return ((enum is None or value in enum) and (high is None or len(value) <= high)
                    and (low is None or len(value) >= low))
        return valid


class Array(Shape):
    json_types: tuple[type, ...] | None = (list,)

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

    def compile(self) -> Validator:
        nullable, low, high = self.nullable, self.min_items, self.max_items
        item_types = self.items.types_only()
        if item_types is not None:  # strings, or anything: each item's type, checked in the loop
            any_item = item_types is JSON_TYPES

            def valid_types(value: Any) -> bool:
                if type(value) is not list:
                    return nullable and value is None
                count = len(value)
                if count < low or (high is not None and count > high):
                    return False
                if not any_item:
                    for item in value:
                        if type(item) not in item_types:
                            return False
                return True
            return valid_types
        item_valid = self.items.validator()

        def valid(value: Any) -> bool:
            if type(value) is not list:
                return nullable and value is None
            count = len(value)
            if count < low or (high is not None and count > high):
                return False
            for item in value:
                if not item_valid(item):
                    return False
            return True
        return valid


class Object(Shape):
    """A JSON object with known fields. Unknown keys are rejected unless `open`."""

    expected = "an object"
    json_types: tuple[type, ...] | None = (dict,)
    _besides: dict[str, Validator] | None = None  # `validator_besides`' closures, by the field skipped

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

    def types_only(self) -> frozenset[type] | None:
        if not self.fields and self.open and not self.required:  # a free-form object (`parameters`, `schema`)
            return _with_null(frozenset((dict,)), self.nullable)
        return None

    def compile(self) -> Validator:
        return self.compile_besides(())

    def validator_besides(self, skipped: str) -> Validator:
        """`validator` with field `skipped` taken as it is (whoever asks checks it another way)."""
        compiled = self._besides
        if compiled is None:
            compiled = self._besides = {}
        if skipped not in compiled:
            compiled[skipped] = self.compile_besides((skipped,))
        return compiled[skipped]

    def compile_besides(self, skipped: tuple[str, ...]) -> Validator:
        """The closure `validator` keeps, not checking the `skipped` fields' values."""
        nullable, closed = self.nullable, not self.open
        required = frozenset(self.required)
        types_only = self.types_only()
        if types_only is not None:
            return lambda value: type(value) in types_only
        # Fields whose type is all there is to check are checked in the loop; the others by their closure.
        typed: dict[str, frozenset[type]] = {key: JSON_TYPES for key in skipped}
        fields: dict[str, Validator] = {}
        for key, shape in self.fields.items():
            if key not in typed:
                types = shape.types_only()
                if types is not None:
                    typed[key] = types
                else:
                    fields[key] = shape.validator()

        def valid(value: Any) -> bool:
            if type(value) is not dict:
                return nullable and value is None
            for key, item in value.items():
                types = typed.get(key)
                if types is not None:
                    if type(item) not in types:
                        return False
                    continue
                field_valid = fields.get(key)
                if field_valid is None:
                    if closed:
                        return False
                elif not field_valid(item):
                    return False
            return value.keys() >= required
        return valid


class MapOf(Shape):
    """An object whose keys are free-form strings (`metadata`, `logit_bias`)."""

    expected = "an object"
    json_types: tuple[type, ...] | None = (dict,)

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

    def compile(self) -> Validator:
        nullable, most, limit, item_valid = self.nullable, self.max_properties, self.max_key_length, \
            self.values.validator()

        def valid(value: Any) -> bool:
            if type(value) is not dict:
                return nullable and value is None
            if most is not None and len(value) > most:
                return False
            for key, item in value.items():
                if (limit is not None and len(key) > limit) or not item_valid(item):
                    return False
            return True
        return valid


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

    def compile(self) -> Validator:
        nullable = self.nullable
        if all(option.json_types is not None for option in self.options):
            by_type: dict[type, Validator] = {}
            plain: set[type] = set()  # types whose option checks nothing more (`content`'s string): no call
            for option in self.options:  # the first option that takes a type decides for it
                types_only = option.types_only() or frozenset()
                for json_type in option.json_types or ():
                    if json_type not in by_type:
                        by_type[json_type] = option.validator()
                        if json_type in types_only:
                            plain.add(json_type)

            def valid(value: Any) -> bool:
                kind = type(value)
                if kind in plain:
                    return True
                option_valid = by_type.get(kind)
                if option_valid is None:
                    return nullable and value is None
                return option_valid(value)
            return valid
        options = [(option.accepts_type, option.validator()) for option in self.options]

        def valid_in_order(value: Any) -> bool:
            if value is None:
                return nullable
            for accepts, option_valid in options:
                if accepts(value):
                    return option_valid(value)
            return False
        return valid_in_order


class Tagged(Shape):
    """Objects discriminated by one key (`role` for messages, `type` for parts and tools)."""

    expected = "an object"
    json_types: tuple[type, ...] | None = (dict,)

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

    def compile(self) -> Validator:
        nullable, key, default = self.nullable, self.key, self.default
        # A variant's `is_valid` is its `value_ok` for an object when it takes every object.
        variants = {tag: shape.validator() if shape.json_types == (dict,) else shape.value_ok
                    for tag, shape in self.variants.items()}

        def valid(value: Any) -> bool:
            if type(value) is not dict:
                return nullable and value is None
            tag = value.get(key, default)
            variant_valid = variants.get(tag) if type(tag) is str else None
            return variant_valid is not None and variant_valid(value)
        return valid


def _always(value: Any) -> bool:
    return True


# Every type a parsed JSON value can have: a field of any value takes each of them.
JSON_TYPES: frozenset[type] = frozenset((dict, list, str, int, float, bool, type(None)))


def _with_null(types: frozenset[type], nullable: bool) -> frozenset[type]:
    return types | {type(None)} if nullable else types



def _plural(shape: Shape) -> str:
    if isinstance(shape, (Object, Tagged, MapOf)):
        return "objects"
    return {"a string": "strings", "an integer": "integers", "a decimal": "decimals", "a boolean": "booleans"}.get(
        shape.expected, "values"
    )
