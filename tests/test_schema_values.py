"""The schema-driven generator: valid, plausible, deterministic values."""

from __future__ import annotations

import datetime as dt
import decimal
import enum
import ipaddress
import json
import os
import re
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Annotated, Any, Literal, Optional, Union

import openai
import pytest
from jsonschema import Draft202012Validator
from openai.lib._pydantic import to_strict_json_schema
from pydantic import BaseModel, Field, HttpUrl

import emulator
from emulator.model.schema_values.mentions import KNOWN_CITIES
from emulator.model.schema_values import SchemaGenerationError, generate_arguments, generate_value

SEEDS = range(12)


def assert_valid(schema: dict[str, Any], value: Any) -> None:
    validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    errors = [f"{e.json_path}: {e.message}" for e in validator.iter_errors(value)]
    assert not errors, (value, errors)


def values(schema: dict[str, Any], hint_text: str = "") -> list[Any]:
    """Generated for several seeds, each checked against the schema."""
    found = [generate_value(schema, seed=seed, hint_text=hint_text) for seed in SEEDS]
    for value in found:
        assert_valid(schema, value)
    return found


# -- types ------------------------------------------------------------------------------

@pytest.mark.parametrize(("kind", "python"), [
    ("string", str), ("integer", int), ("number", (int, float)), ("boolean", bool),
    ("null", type(None)), ("object", dict), ("array", list),
])
def test_each_type_gives_a_value_of_that_type(kind: str, python: Any) -> None:
    for value in values({"type": kind}):
        assert isinstance(value, python)
        if kind in ("integer", "number"):
            assert not isinstance(value, bool)


def test_type_list_prefers_a_real_value_over_null() -> None:
    assert all(v is not None for v in values({"type": ["string", "null"]}))


def test_nullable_keyword_keeps_the_value_valid_under_json_schema() -> None:
    # OpenAPI's `nullable` is not JSON Schema: null would fail validation, so a string is given.
    assert all(isinstance(v, str) for v in values({"type": "string", "nullable": True}))


@pytest.mark.parametrize(("schema", "python"), [
    ({"properties": {"a": {"type": "string"}}, "required": ["a"]}, dict),
    ({"items": {"type": "integer"}, "minItems": 1}, list),
    ({"minLength": 3}, str),
    ({"minimum": 10, "maximum": 20}, (int, float)),
    ({}, str),
])
def test_missing_type_is_inferred_from_keywords(schema: dict[str, Any], python: Any) -> None:
    assert all(isinstance(v, python) for v in values(schema))


# -- enum, const, default, examples ---------------------------------------------------------

def test_enum_values_come_from_the_enum_and_vary_with_the_seed() -> None:
    found = values({"type": "string", "enum": ["red", "green", "blue"]})
    assert set(found) <= {"red", "green", "blue"} and len(set(found)) > 1


def test_enum_respects_the_other_keywords() -> None:
    assert set(values({"enum": ["a", 1, "bb"], "type": "string", "maxLength": 1})) == {"a"}


def test_const_is_returned_as_is() -> None:
    assert values({"const": {"k": [1, 2]}}) == [{"k": [1, 2]}] * len(SEEDS)


def test_examples_and_default_are_used_when_valid() -> None:
    assert set(values({"type": "string", "examples": ["sku-123"]})) == {"sku-123"}
    assert set(values({"type": "integer", "default": 7, "minimum": 0})) == {7}
    assert 7 not in values({"type": "integer", "default": 7, "minimum": 10})


# -- numbers ----------------------------------------------------------------------------

@pytest.mark.parametrize("schema", [
    {"type": "integer", "minimum": 5, "maximum": 5},
    {"type": "integer", "exclusiveMinimum": 5, "exclusiveMaximum": 7},
    {"type": "integer", "minimum": -1000, "maximum": -990},
    {"type": "integer", "multipleOf": 7, "minimum": 50},
    {"type": "integer", "multipleOf": 2.5},
    {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1},
    {"type": "number", "minimum": 0.1, "maximum": 0.2},
    {"type": "number", "multipleOf": 0.1, "minimum": 1, "maximum": 2},
    {"type": "number", "multipleOf": 0.01},
    {"type": "number", "minimum": 1e6},
    {"type": "number", "maximum": -1e6},
    {"type": "integer", "maximum": 0},
])
def test_numbers_respect_bounds_and_multiple_of(schema: dict[str, Any]) -> None:
    values(schema)


def test_exclusive_bounds_exclude_the_bound() -> None:
    assert set(values({"type": "integer", "exclusiveMinimum": 5, "exclusiveMaximum": 7})) == {6}


# -- strings ----------------------------------------------------------------------------

@pytest.mark.parametrize(("low", "high"), [(0, 0), (1, 1), (5, 5), (20, 25), (200, None), (0, 3)])
def test_string_lengths(low: int, high: int | None) -> None:
    schema: dict[str, Any] = {"type": "string", "minLength": low}
    if high is not None:
        schema["maxLength"] = high
    values(schema)


def _is_datetime(text: str) -> bool:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).tzinfo is not None


@pytest.mark.parametrize(("fmt", "check"), [
    ("date", lambda v: dt.date.fromisoformat(v)),
    ("date-time", _is_datetime),
    ("time", lambda v: re.fullmatch(r"\d{2}:\d{2}:\d{2}Z", v)),
    ("email", lambda v: re.fullmatch(r"[^@\s]+@[^@\s]+\.[a-z]+", v)),
    ("uri", lambda v: re.match(r"https?://", v)),
    ("url", lambda v: re.match(r"https?://", v)),
    ("uuid", lambda v: uuid.UUID(v).version == 4),
    ("hostname", lambda v: re.fullmatch(r"[a-z0-9-]+(\.[a-z0-9-]+)+", v)),
    ("ipv4", lambda v: ipaddress.IPv4Address(v)),
    ("ipv6", lambda v: ipaddress.IPv6Address(v)),
    ("duration", lambda v: re.fullmatch(r"P.+", v)),
])
def test_formats_give_well_formed_values(fmt: str, check: Any) -> None:
    for value in values({"type": "string", "format": fmt}):
        assert check(value), value


def test_datetime_values_parse_with_pydantic() -> None:
    class Event(BaseModel):
        when: dt.datetime
        day: dt.date

    for seed in SEEDS:
        Event.model_validate_json(generate_arguments(Event.model_json_schema(), seed=seed))


@pytest.mark.parametrize("pattern", [
    r"^[A-Z]{3}-\d{4}$",
    r"^\+?[1-9]\d{6,14}$",
    r"^(red|green|blue)$",
    r"^[a-z0-9._%+-]+@[a-z0-9.-]+\.[a-z]{2,}$",
    r"^\d{5}(-\d{4})?$",
    r"^[^\s]+$",
    r"^(\w+)\s\1$",
    r"ab+c",
    r"^[\u00c0-\u00ff]{2,3}$",
    r"^(?=.*\d)[a-z\d]{6}$",
])
def test_patterns_are_matched(pattern: str) -> None:
    for value in values({"type": "string", "pattern": pattern}):
        assert re.search(pattern, value)


def test_pattern_with_length_bounds() -> None:
    values({"type": "string", "pattern": "^[a-z]+$", "minLength": 10, "maxLength": 12})


# -- objects ----------------------------------------------------------------------------

def test_objects_include_required_and_optional_properties_in_schema_order() -> None:
    schema = {
        "type": "object",
        "properties": {"b": {"type": "string"}, "a": {"type": "integer"}, "c": {"type": "boolean"}},
        "required": ["a"],
        "additionalProperties": False,
    }
    for value in values(schema):
        assert list(value) == ["b", "a", "c"]


def test_required_property_without_a_declared_schema() -> None:
    for value in values({"type": "object", "required": ["token"]}):
        assert "token" in value


def test_min_and_max_properties() -> None:
    values({"type": "object", "minProperties": 3, "additionalProperties": {"type": "integer"}})
    schema = {"type": "object", "properties": {k: {"type": "string"} for k in "abcde"},
              "required": ["e"], "maxProperties": 2}
    for value in values(schema):
        assert "e" in value


def test_pattern_properties_supply_extra_keys() -> None:
    schema = {"type": "object", "patternProperties": {"^x-[a-z]+$": {"type": "integer"}},
              "additionalProperties": False, "minProperties": 2}
    values(schema)


def test_dependent_required_is_honoured() -> None:
    schema = {"type": "object", "properties": {"card": {"type": "string"}},
              "dependentRequired": {"card": ["billing"]}}
    for value in values(schema):
        assert "billing" in value


# -- arrays -----------------------------------------------------------------------------

def test_arrays_respect_item_count_bounds() -> None:
    for value in values({"type": "array", "items": {"type": "string"}, "minItems": 4, "maxItems": 6}):
        assert 4 <= len(value) <= 6
    assert values({"type": "array", "maxItems": 0}) == [[]] * len(SEEDS)


def test_unique_items_from_a_small_enum() -> None:
    schema = {"type": "array", "items": {"enum": ["a", "b", "c"]}, "minItems": 3, "uniqueItems": True}
    assert all(sorted(v) == ["a", "b", "c"] for v in values(schema))
    values({"type": "array", "items": {"type": "boolean"}, "minItems": 2, "uniqueItems": True})
    values({"type": "array", "items": {"type": "integer", "minimum": 0, "maximum": 3},
            "minItems": 4, "uniqueItems": True})


def test_prefix_items_and_contains() -> None:
    values({"type": "array", "prefixItems": [{"type": "string"}, {"type": "integer"}],
            "items": False, "minItems": 2})
    values({"type": "array", "items": {"type": "integer"}, "contains": {"const": 42}, "minItems": 2})
    values({"type": "array", "contains": {"type": "string", "format": "email"}, "minContains": 2})


# -- references and composition -------------------------------------------------------------

def test_refs_to_defs_and_definitions() -> None:
    values({"$defs": {"Id": {"type": "string", "format": "uuid"}},
            "type": "object", "properties": {"id": {"$ref": "#/$defs/Id"}}, "required": ["id"]})
    values({"definitions": {"N": {"type": "integer", "minimum": 3}},
            "type": "array", "items": {"$ref": "#/definitions/N"}, "minItems": 1})


def test_recursive_refs_terminate() -> None:
    tree = {"type": "object", "properties": {"name": {"type": "string"},
                                             "children": {"type": "array", "items": {"$ref": "#"}}},
            "required": ["name", "children"]}
    linked = {"$defs": {"Node": {"type": "object", "properties": {
        "value": {"type": "integer"}, "next": {"anyOf": [{"$ref": "#/$defs/Node"}, {"type": "null"}]}},
        "required": ["value", "next"]}}, "$ref": "#/$defs/Node"}
    values(tree)
    values(linked)


def test_ref_with_sibling_keywords() -> None:
    schema = {"$defs": {"S": {"type": "string"}}, "$ref": "#/$defs/S", "minLength": 30}
    values(schema)


def test_any_of_one_of_all_of() -> None:
    values({"anyOf": [{"type": "integer", "minimum": 10}, {"type": "string", "format": "date"}]})
    values({"oneOf": [{"type": "number"}, {"type": "integer"}]})  # must not be an integer
    values({"oneOf": [{"type": "string", "maxLength": 5}, {"type": "string", "minLength": 3}]})
    values({"allOf": [{"type": "object", "properties": {"a": {"type": "integer"}}, "required": ["a"]},
                      {"properties": {"a": {"minimum": 10}, "b": {"type": "string"}}, "required": ["b"]}]})
    values({"allOf": [{"type": "string", "pattern": "^[a-z]+$"}, {"minLength": 5}, {"maxLength": 6}]})


def test_values_for_a_subschema_resolve_refs_against_the_root() -> None:
    root = {"$defs": {"Unit": {"enum": ["c", "f"]}},
            "type": "object", "properties": {"unit": {"$ref": "#/$defs/Unit"}}}
    assert generate_value(root["properties"]["unit"], seed=1, root=root) in ("c", "f")


def test_older_drafts_named_in_dollar_schema_are_honoured() -> None:
    draft7_tuple = {"$schema": "http://json-schema.org/draft-07/schema#", "type": "array",
                    "items": [{"type": "string"}, {"type": "integer", "minimum": 3}],
                    "additionalItems": False, "minItems": 2}
    for value in [generate_value(draft7_tuple, seed=s) for s in SEEDS]:
        assert isinstance(value[0], str) and value[1] >= 3 and len(value) == 2
    draft4_flags = {"$schema": "http://json-schema.org/draft-04/schema#", "type": "integer",
                    "minimum": 5, "exclusiveMinimum": True, "maximum": 7, "exclusiveMaximum": True}
    assert {generate_value(draft4_flags, seed=s) for s in SEEDS} == {6}


# -- errors -----------------------------------------------------------------------------

@pytest.mark.parametrize(("schema", "where"), [
    ({"type": "object", "properties": {"a": {"type": "integer", "minimum": 5, "maximum": 3}},
      "required": ["a"]}, "$.a"),
    ({"type": "object", "properties": {"tags": {"type": "array", "items": {"enum": ["x"]},
                                                 "minItems": 2, "uniqueItems": True}},
      "required": ["tags"]}, "$.tags"),
    ({"type": "object", "required": ["a"], "additionalProperties": False}, "$.a"),
    ({"type": "object", "properties": {"a": {"$ref": "#/$defs/Missing"}}}, "#/$defs/Missing"),
    ({"type": "strin"}, "$['type']"),
    ({"type": "string", "not": {"$ref": "#/$defs/nowhere"}}, "nowhere"),
    ({"allOf": [{"type": "string"}, {"type": "integer"}]}, "$"),
])
def test_unsatisfiable_or_invalid_schemas_raise_with_the_location(schema: dict[str, Any], where: str) -> None:
    with pytest.raises(SchemaGenerationError) as caught:
        generate_value(schema, seed=0)
    assert where in str(caught.value)


# -- plausibility and the user's words ------------------------------------------------------

# A typical tool's parameters; bench/tool_arguments.py times the generator on the same schema.
WEATHER = json.loads((Path(__file__).parent.parent / "fixtures" / "schemas" / "weather_parameters.json").read_text())


def test_location_property_gets_a_city() -> None:
    for value in values(WEATHER):
        assert value["location"].split(",")[0] in KNOWN_CITIES


def test_property_names_pick_the_kind_of_value() -> None:
    schema = {"type": "object", "properties": {
        "email": {"type": "string"}, "name": {"type": "string"}, "start_date": {"type": "string"},
        "website": {"type": "string"}, "age": {"type": "integer"}, "price": {"type": "number"},
        "quantity": {"type": "integer"}, "description": {"type": "string"}, "city": {"type": "string"},
        "user_id": {"type": "string"}, "query": {"type": "string"}}}
    for value in values(schema):
        assert re.fullmatch(r"[^@\s]+@[^@\s]+\.\w+", value["email"])
        assert " " in value["name"]
        dt.date.fromisoformat(value["start_date"])
        assert value["website"].startswith("http")
        assert 18 <= value["age"] <= 80 and 1 <= value["quantity"] <= 10
        assert value["price"] == round(value["price"], 2)
        assert value["description"].endswith(".") and len(value["description"].split()) >= 4
        assert value["city"] in KNOWN_CITIES
        assert len(value["query"].split()) >= 2


def test_city_mentioned_by_the_user_is_used() -> None:
    for text, city in [("What's the weather in Paris today?", "Paris"),
                       ("weather for tokyo please", "Tokyo"),
                       ("Is it raining in Springfield?", "Springfield")]:
        assert all(v["location"] == city for v in values(WEATHER, hint_text=text))


def test_enum_value_mentioned_by_the_user_is_used() -> None:
    assert all(v["unit"] == "fahrenheit" for v in values(WEATHER, hint_text="Boston in fahrenheit"))


def test_number_mentioned_by_the_user_is_used_when_in_bounds() -> None:
    schema = {"type": "object", "properties": {"guests": {"type": "integer", "minimum": 1, "maximum": 10}},
              "required": ["guests"]}
    assert {v["guests"] for v in values(schema, hint_text="A table for 4 tonight")} == {4}
    assert 40 not in {v["guests"] for v in values(schema, hint_text="A table for 40 tonight")}


def test_codes_typed_by_the_user_fill_patterns_and_ids() -> None:
    flight = {"type": "object", "properties": {"origin": {"type": "string", "pattern": "^[A-Z]{3}$"},
                                               "destination": {"type": "string", "pattern": "^[A-Z]{3}$"}},
              "required": ["origin", "destination"]}
    assert values(flight, hint_text="Book JFK to LHR tomorrow")[0] == {"origin": "JFK", "destination": "LHR"}
    order = {"type": "object", "properties": {"order_id": {"type": "string"}}, "required": ["order_id"]}
    assert {v["order_id"] for v in values(order, hint_text="Cancel order A1B2C3, it broke")} == {"A1B2C3"}


def test_search_query_is_what_the_user_asked_for() -> None:
    schema = {"type": "object", "properties": {"query": {"type": "string"}}, "required": ["query"]}
    assert {v["query"] for v in values(schema, hint_text="Find red shoes under 80 dollars?")} == \
        {"red shoes under 80 dollars"}
    assert {v["query"] for v in values(schema, hint_text='Search for "red shoes" please')} == {"red shoes"}


def test_a_list_of_mentioned_values_holds_just_those() -> None:
    schema = {"type": "object", "properties": {"to": {"type": "array", "items": {"type": "string", "format": "email"}}},
              "required": ["to"]}
    assert {json.dumps(v["to"]) for v in values(schema, hint_text="Mail ann@x.org and bo@y.org")} == \
        {'["ann@x.org", "bo@y.org"]'}
    schema["properties"]["to"]["minItems"] = 3
    assert all(v["to"][:2] == ["ann@x.org", "bo@y.org"] and len(v["to"]) >= 3
               for v in values(schema, hint_text="Mail ann@x.org and bo@y.org"))


def test_birthdays_are_in_the_past_and_people_lists_hold_names() -> None:
    schema = {"type": "object", "properties": {"dob": {"type": "string"},
                                               "attendees": {"type": "array", "items": {"type": "string"}}}}
    for value in values(schema):
        assert dt.date.fromisoformat(value["dob"]) < dt.date(2010, 1, 1)
        assert all(" " in name for name in value["attendees"])


def test_digits_inside_names_and_clock_times_are_not_taken_as_numbers() -> None:
    schema = {"type": "object", "properties": {"count": {"type": "integer"}}, "required": ["count"]}
    assert len({v["count"] for v in values(schema, hint_text="ask gpt-4o at 10:30 about v2.1")}) > 1


def test_quoted_text_is_used_for_free_text_properties() -> None:
    schema = {"type": "object", "properties": {"id": {"type": "string"}, "title": {"type": "string"}},
              "required": ["id", "title"]}
    for value in values(schema, hint_text='Create a ticket titled "Printer on fire"'):
        assert value["title"] == "Printer on fire" and value["id"] != "Printer on fire"


def test_mentioned_email_is_used() -> None:
    schema = {"type": "object", "properties": {"to": {"type": "string", "format": "email"}}, "required": ["to"]}
    assert {v["to"] for v in values(schema, hint_text="mail ann@example.com the report")} == {"ann@example.com"}


# -- determinism and output format ------------------------------------------------------------

def test_same_inputs_same_output_and_seeds_vary_it() -> None:
    first = [generate_arguments(WEATHER, seed=s) for s in SEEDS]
    assert first == [generate_arguments(WEATHER, seed=s) for s in SEEDS]
    assert len(set(first)) >= len(SEEDS) // 2
    assert generate_arguments(WEATHER, seed="chatcmpl-abc") == generate_arguments(WEATHER, seed="chatcmpl-abc")


def test_output_is_the_same_in_another_process() -> None:
    code = ("import json,sys; from emulator.model.schema_values import generate_arguments as g; "
            "print(g(json.loads(sys.argv[1]), seed='s1', hint_text='in Rome'))")
    env = {**os.environ, "PYTHONHASHSEED": "12345", "PYTHONPATH": str(Path(emulator.__file__).resolve().parents[1])}
    out = subprocess.run([sys.executable, "-c", code, json.dumps(WEATHER)], env=env, check=True,
                         capture_output=True, text=True).stdout.strip()
    assert out == generate_arguments(WEATHER, seed="s1", hint_text="in Rome")


def test_arguments_are_compact_json_with_raw_unicode() -> None:
    schema = {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}
    text = generate_arguments(schema, seed=1, hint_text='Weather in "Zürich"')
    assert text == '{"city":"Zürich"}'
    assert generate_arguments(None, seed=1) == "{}" and generate_arguments({}, seed=1) == "{}"


# -- pydantic models, as sent by client.chat.completions.parse() and pydantic_function_tool() ---

class Priority(enum.Enum):
    LOW = "low"
    HIGH = "high"


class Address(BaseModel):
    street: str
    city: str
    postcode: str


class LineItem(BaseModel):
    sku: str
    quantity: int = Field(ge=1, le=99)
    unit_price: float = Field(gt=0)


class Order(BaseModel):
    order_id: str
    customer_email: str
    placed_at: dt.datetime
    priority: Priority
    channel: Literal["web", "phone", "store"]
    shipping: Address
    billing: Optional[Address]
    items: list[LineItem]
    notes: Optional[str]
    tags: list[str]


class Category(BaseModel):
    name: str
    subcategories: list[Category]


class GetWeather(BaseModel):
    """Get the current weather."""

    location: str
    unit: Literal["celsius", "fahrenheit"]


@pytest.mark.parametrize("model", [Order, Category, Address, GetWeather])
def test_strict_pydantic_schemas_parse_back_into_the_model(model: type[BaseModel]) -> None:
    schema = to_strict_json_schema(model)
    for seed in SEEDS:
        model.model_validate_json(generate_arguments(schema, seed=seed, hint_text="ship to Berlin"))


class Cat(BaseModel):
    kind: Literal["cat"]
    lives: int = Field(ge=1, le=9)


class Dog(BaseModel):
    kind: Literal["dog"]
    good: bool


class Constrained(BaseModel):
    """Non-strict pydantic features: constraints, discriminated unions, special types."""

    pet: Union[Cat, Dog] = Field(discriminator="kind")
    code: Annotated[str, Field(pattern=r"^[A-Z]{3}\d{2}$")]
    tags: Annotated[list[str], Field(min_length=2, max_length=4)]
    n: Annotated[int, Field(gt=0, multiple_of=5)]
    id: uuid.UUID
    day: dt.date
    at: dt.time
    span: dt.timedelta
    price: decimal.Decimal
    ip: ipaddress.IPv4Address
    site: HttpUrl
    unique: set[str]
    pair: tuple[int, str]
    weights: dict[str, float]
    maybe: Optional[float] = None
    ratio: float = Field(gt=0, lt=1)


def test_non_strict_pydantic_schemas_parse_back_into_the_model() -> None:
    schema = Constrained.model_json_schema()
    for seed in range(30):
        Constrained.model_validate_json(generate_arguments(schema, seed=seed, hint_text='book "Dune" for 3'))


def test_pydantic_function_tool_parameters() -> None:
    parameters = openai.pydantic_function_tool(GetWeather)["function"]["parameters"]
    parsed = GetWeather.model_validate_json(
        generate_arguments(parameters, seed=3, hint_text="How warm is it in Lisbon, in celsius?"))
    assert parsed == GetWeather(location="Lisbon", unit="celsius")


# -- property test: any schema the strategy builds gets a valid value -------------------------

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

NAMES = st.sampled_from(["id", "name", "email", "city", "count", "price", "tags", "notes", "when",
                         "a", "b", "items", "user_id", "location", "unit", "score", "data"])
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-50, 50), st.text(max_size=6),
                    st.floats(-10, 10, allow_nan=False).map(lambda f: round(f, 2)))
FORMATS = ["date", "date-time", "time", "email", "uri", "uuid", "hostname", "ipv4", "ipv6", "duration"]
PATTERNS = [r"^[A-Z]{2}\d{3}$", r"^(yes|no|maybe)$", r"^[a-z]+(-[a-z]+)*$", r"\d{3}", r"^\S+@\S+$"]


@st.composite
def integer_schemas(draw: st.DrawFn) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "integer"}
    low = draw(st.none() | st.integers(-1000, 1000))
    width = draw(st.integers(0, 500))
    exclusive = draw(st.booleans())
    if low is not None:
        schema["exclusiveMinimum" if exclusive else "minimum"] = low
        schema["maximum"] = low + width + (2 if exclusive else 0)
    if draw(st.booleans()):
        schema["multipleOf"] = draw(st.integers(1, 7))
        if low is not None:
            schema["maximum"] += 7 * schema["multipleOf"]
    return schema


@st.composite
def number_schemas(draw: st.DrawFn) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "number"}
    low = draw(st.none() | st.floats(-1e6, 1e6, allow_nan=False))
    step = draw(st.none() | st.sampled_from([0.5, 0.25, 2, 10, 0.1, 0.01, 3]))
    if step is not None:
        schema["multipleOf"] = step
    if low is not None:
        schema[draw(st.sampled_from(["minimum", "exclusiveMinimum"]))] = low
        width = draw(st.floats(0.5, 1e4))
        # Wide enough to hold a multiple strictly inside the bounds.
        schema[draw(st.sampled_from(["maximum", "exclusiveMaximum"]))] = low + max(width, 3 * (step or 0))
    return schema


@st.composite
def string_schemas(draw: st.DrawFn) -> dict[str, Any]:
    kind = draw(st.sampled_from(["plain", "format", "pattern"]))
    if kind == "format":
        return {"type": "string", "format": draw(st.sampled_from(FORMATS))}
    if kind == "pattern":
        schema = {"type": "string", "pattern": draw(st.sampled_from(PATTERNS))}
        if schema["pattern"] == PATTERNS[2] and draw(st.booleans()):
            schema.update(minLength=6, maxLength=9)  # lengths the pattern can meet
        return schema
    schema: dict[str, Any] = {"type": "string"}
    low = draw(st.integers(0, 30))
    if draw(st.booleans()):
        schema["minLength"] = low
    if draw(st.booleans()):
        schema["maxLength"] = low + draw(st.integers(0, 20))
    return schema


def leaf_schemas() -> st.SearchStrategy[dict[str, Any]]:
    return st.one_of(
        integer_schemas(), number_schemas(), string_schemas(),
        st.just({"type": "boolean"}), st.just({"type": "null"}),
        st.lists(SCALARS, min_size=1, max_size=5, unique_by=lambda v: json.dumps(v)).map(lambda v: {"enum": v}),
        SCALARS.map(lambda v: {"const": v}),
    )


def nullable(schema: dict[str, Any]) -> dict[str, Any]:
    if isinstance(schema.get("type"), str) and schema["type"] != "null":
        return {**schema, "type": [schema["type"], "null"]}
    return {"anyOf": [schema, {"type": "null"}]}


def one_of_distinct_types(children: list[dict[str, Any]]) -> dict[str, Any]:
    """oneOf over branches of different JSON types, so exactly one branch can match."""
    by_type = {json.dumps(c.get("type")): c for c in children if isinstance(c.get("type"), str)}
    branches = [b for b in by_type.values() if b["type"] not in ("integer", "number")] or [{"type": "null"}]
    return {"oneOf": branches}


def compound(children: st.SearchStrategy[dict[str, Any]]) -> st.SearchStrategy[dict[str, Any]]:
    def obj(props: dict[str, dict[str, Any]], data: st.DataObject) -> dict[str, Any]:
        required = data.draw(st.lists(st.sampled_from(sorted(props)), unique=True)) if props else []
        schema: dict[str, Any] = {"type": "object", "properties": props, "required": required}
        if data.draw(st.booleans()):
            schema["additionalProperties"] = False
        return schema

    def arr(items: dict[str, Any], data: st.DataObject) -> dict[str, Any]:
        low = data.draw(st.integers(0, 3))
        schema: dict[str, Any] = {"type": "array", "items": items, "minItems": low,
                                  "maxItems": low + data.draw(st.integers(0, 3))}
        if items.get("type") in ("string", "integer") and not set(items) - {"type"} and data.draw(st.booleans()):
            schema["uniqueItems"] = True
        return schema

    return st.one_of(
        st.tuples(st.dictionaries(NAMES, children, max_size=4), st.data()).map(lambda t: obj(*t)),
        st.tuples(children, st.data()).map(lambda t: arr(*t)),
        st.lists(children, min_size=1, max_size=3).map(lambda c: {"anyOf": c}),
        st.lists(children, min_size=1, max_size=4).map(one_of_distinct_types),
        children.map(nullable),
        children.map(lambda c: {HOIST: c}),
    )


HOIST = "x-to-defs"


def hoist_defs(schema: dict[str, Any]) -> dict[str, Any]:
    """Move each {HOIST: s} into the root's $defs and point at it with a $ref."""
    defs: dict[str, Any] = {}

    def walk(node: Any) -> Any:
        if isinstance(node, list):
            return [walk(n) for n in node]
        if not isinstance(node, dict):
            return node
        if HOIST in node:
            name = f"D{len(defs)}"
            defs[name] = None
            defs[name] = walk(node[HOIST])
            return {"$ref": f"#/$defs/{name}"}
        return {k: (walk(v) if k not in ("enum", "const") else v) for k, v in node.items()}

    root = walk(schema)
    return {**root, "$defs": defs} if defs else root


SCHEMAS = st.recursive(leaf_schemas(), compound, max_leaves=12).map(hoist_defs)


@settings(max_examples=150, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(schema=SCHEMAS, seed=st.integers(0, 2**32), hint=st.sampled_from(["", "in Paris, 3 items", '"x"']))
def test_generated_values_always_validate(schema: dict[str, Any], seed: int, hint: str) -> None:
    value = generate_value(schema, seed=seed, hint_text=hint)
    assert_valid(schema, value)
    assert json.loads(json.dumps(value)) == value  # plain JSON, nothing Python-only
