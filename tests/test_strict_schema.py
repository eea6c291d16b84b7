"""Strict-mode and basic schema checks, with the live API's exact texts."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any, Literal, Optional, Union

import openai
import pytest
from openai.lib._pydantic import to_strict_json_schema
from pydantic import BaseModel

from emulator.contract.strict_schema import (
    function_schema_error,
    response_format_schema_error,
    schema_problem,
    strict_schema_problem,
)


def closed(properties: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """A strict-valid object schema around `properties`."""
    return {"type": "object", "properties": properties, "required": list(properties),
            "additionalProperties": False, **extra}


STRING = {"type": "string"}


# -- accepted -------------------------------------------------------------------------------

class Unit(enum.Enum):
    C = "celsius"
    F = "fahrenheit"


class Leg(BaseModel):
    origin: str
    destination: str
    departs: dt.datetime


class Booking(BaseModel):
    reference: str
    legs: list[Leg]
    unit: Unit
    seat: Optional[str]
    cabin: Literal["economy", "business"]
    contact: Union[Leg, str, None]


class Tree(BaseModel):
    label: str
    children: list[Tree]


class NoFields(BaseModel):
    pass


@pytest.mark.parametrize("model", [Booking, Tree, Leg, NoFields])
def test_schemas_built_by_the_sdk_for_parse_are_accepted(model: type[BaseModel]) -> None:
    assert strict_schema_problem(to_strict_json_schema(model)) is None


def test_pydantic_function_tool_parameters_are_accepted() -> None:
    tool = openai.pydantic_function_tool(Booking)
    assert function_schema_error(tool["function"]["name"], tool["function"]["parameters"], True) is None


@pytest.mark.parametrize("schema", [
    closed({"when": {"type": "string", "format": "date-time"}, "code": {"type": "string", "pattern": "^[A-Z]+$"},
            "n": {"type": "integer", "minimum": 1, "exclusiveMaximum": 10, "multipleOf": 1},
            "tags": {"type": "array", "items": STRING, "minItems": 1, "maxItems": 3}}),
    closed({"maybe": {"type": ["string", "null"]}, "kind": {"type": "string", "enum": ["a", "b"]},
            "fixed": {"type": "string", "const": "x"}}),
    closed({"node": {"$ref": "#"}}, title="Recursive", description="refers to the root"),
    {"$defs": {"P": closed({"x": {"type": "number"}})}, **closed({"p": {"$ref": "#/$defs/P"}})},
    closed({"either": {"anyOf": [closed({"a": STRING}), {"type": "null"}]}}),
])
def test_supported_keywords_are_accepted(schema: dict[str, Any]) -> None:
    assert strict_schema_problem(schema) is None


# -- refused, with the live texts ------------------------------------------------------------

@pytest.mark.parametrize(("schema", "message"), [
    ({"type": "object", "properties": {"a": STRING}, "required": ["a"]},
     "In context=(), 'additionalProperties' is required to be supplied and to be false."),
    ({"type": "object", "properties": {"a": STRING}, "required": ["a"], "additionalProperties": True},
     "In context=(), 'additionalProperties' is required to be supplied and to be false."),
    ({"type": "object", "properties": {"a": STRING, "foo": STRING}, "required": ["a"],
      "additionalProperties": False},
     "In context=(), 'required' is required to be supplied and to be an array including every key in "
     "properties. Missing 'foo'."),
    (closed({"a": STRING}, required=["a", "b"]),
     "In context=(), 'required' is required to be supplied and to be an array including every key in "
     "properties. Extra required key 'b' supplied."),
    (closed({"flights": {"type": "array"}}), "In context=('properties', 'flights'), array schema missing items."),
    (closed({"orgs": {"type": "array", "items": {"type": "object", "properties": {"name": STRING, "roles": STRING},
                                                 "required": ["name"], "additionalProperties": False}}}),
     "In context=('properties', 'orgs', 'items'), 'required' is required to be supplied and to be an array "
     "including every key in properties. Missing 'roles'."),
    ({"type": "object", "additionalProperties": False}, "In context=(), object schema missing properties."),
    (closed({"ok": {"description": "no type"}}), "In context=('properties', 'ok'), schema must have a 'type' key."),
    (closed({"kind": {"const": "fact"}}), "In context=('properties', 'kind'), schema must have a 'type' key."),
    (closed({"v": {"$ref": "#/$defs/Verdict"}}),
     "In context=('properties', 'v'), reference to component '#/$defs/Verdict' which was not found in the schema."),
    (closed({"change": {"type": ["object", "null"], "properties": {}}}),
     "In context=('properties', 'change', 'type', '0'), 'additionalProperties' is required to be supplied "
     "and to be false."),
    (closed({"f": {"anyOf": [{"type": "string"}, {"type": "object", "properties": {}}]}}),
     "In context=('properties', 'f', 'anyOf', '1'), 'additionalProperties' is required to be supplied and "
     "to be false."),
    ({"$defs": {"Foo": {"type": "object", "properties": {}}}, **closed({})},
     "In context=('$defs', 'Foo'), 'additionalProperties' is required to be supplied and to be false."),
    ({"type": "array", "items": STRING}, "schema must be a JSON Schema of 'type: \"object\"', got 'type: \"array\"'."),
    ({"anyOf": [closed({})]}, "schema must be a JSON Schema of 'type: \"object\"', got 'type: \"None\"'."),
])
def test_structural_rules(schema: dict[str, Any], message: str) -> None:
    assert strict_schema_problem(schema) == message


@pytest.mark.parametrize("keyword, value", [
    ("allOf", [STRING]), ("oneOf", [STRING]), ("not", STRING), ("if", STRING),
    ("patternProperties", {"^x": STRING}), ("propertyNames", STRING), ("unevaluatedProperties", False),
    ("dependentRequired", {}), ("minLength", 1), ("maxLength", 3), ("uniqueItems", True),
    ("minProperties", 1), ("contains", STRING), ("default", "x"),
])
def test_unsupported_keywords_are_named(keyword: str, value: Any) -> None:
    schema = closed({"field": {"type": "string", keyword: value}})
    assert strict_schema_problem(schema) == f"In context=('properties', 'field'), '{keyword}' is not permitted."


def test_unsupported_keyword_at_the_root() -> None:
    assert strict_schema_problem({"oneOf": [closed({})]}) == "In context=(), 'oneOf' is not permitted."


def test_pydantic_defaults_are_refused_as_live() -> None:
    class WithDefault(BaseModel):
        status: str = "open"

    assert strict_schema_problem(to_strict_json_schema(WithDefault)) == \
        "In context=('properties', 'status'), 'default' is not permitted."


def _nested(levels: int) -> dict[str, Any]:
    schema = closed({"leaf": STRING})
    for _ in range(levels - 1):
        schema = closed({"child": schema})
    return schema


def test_limits() -> None:
    assert strict_schema_problem(_nested(10)) is None
    assert strict_schema_problem(_nested(11)) == "11 levels of nesting exceeds limit of 10."
    many = closed({f"p{i}": STRING for i in range(5001)})
    assert strict_schema_problem(many) == "5001 parameters exceeds limit of 5000."
    enums = closed({"e": {"type": "string", "enum": [str(i) for i in range(1001)]}})
    assert strict_schema_problem(enums) == (
        "Expected at most 1000 enum values in total within a single schema when using structured outputs, "
        "but received 1001. Consider reducing the number of enums, or use 'strict: false' to opt out of "
        "structured outputs.")


# -- without strict: any valid JSON Schema with an object root ---------------------------------

@pytest.mark.parametrize("schema", [
    {}, {"type": "object"}, {"type": "object", "properties": {"a": {"type": "string", "minLength": 2}}},
    {"properties": {"a": STRING}}, {"type": "object", "properties": {"a": {"oneOf": [STRING, {"type": "null"}]}}},
])
def test_non_strict_accepts_open_schemas(schema: dict[str, Any]) -> None:
    assert schema_problem(schema) is None


@pytest.mark.parametrize(("schema", "message"), [
    ({"type": "object", "properties": {"a": []}}, "[] is not of type 'object', 'boolean'."),
    ({"type": "object", "properties": {"a": {"type": "strin"}}}, "'strin' is not valid under any of the given schemas."),
    ({"type": "array", "items": STRING}, "schema must be a JSON Schema of 'type: \"object\"', got 'type: \"array\"'."),
    ({"anyOf": [{"type": "object"}]}, "schema must be a JSON Schema of 'type: \"object\"', got 'type: \"None\"'."),
])
def test_non_strict_refusals(schema: dict[str, Any], message: str) -> None:
    assert schema_problem(schema) == message


def test_full_messages_name_the_function_or_response_format() -> None:
    open_object = {"type": "object", "properties": {"a": STRING}, "required": ["a"]}
    assert response_format_schema_error("Answer", open_object, True) == (
        "Invalid schema for response_format 'Answer': In context=(), 'additionalProperties' is required to be "
        "supplied and to be false.")
    assert function_schema_error("book_reservation", closed({"flights": {"type": "array"}}), True) == (
        "Invalid schema for function 'book_reservation': In context=('properties', 'flights'), array schema "
        "missing items.")
    assert response_format_schema_error("Answer", open_object, False) is None
    assert function_schema_error("f", {"type": "string"}, False) == (
        "Invalid schema for function 'f': schema must be a JSON Schema of 'type: \"object\"', got 'type: \"string\"'.")
