"""The schema checks the live API makes on `parameters` and `json_schema` schemas.

Two levels, as on the live API:

* every schema must be a valid JSON Schema whose root is an object
  (`schema_problem`);
* with `strict: true` the schema must also fit Structured Outputs' subset
  (`strict_schema_problem`): objects close with `additionalProperties: false`
  and list every property in `required`, arrays have `items`, every node has
  a `type` (or is an `anyOf`/`$ref`), `$ref`s resolve, unsupported keywords
  are refused, and size limits hold.

Messages are the live API's own words, with the location as a Python tuple of
the keywords walked from the root: "In context=('properties', 'flights'),
array schema missing items."  Texts marked [INF] in comments were not seen
live; the others are quoted from real 400 responses (see NOTES.md §10.1 and
docs/structured-output.md).  Where the evidence is thin we accept rather than
refuse: an emulator stricter than the API breaks code that works in production.
"""

from __future__ import annotations

from typing import Any, Iterator

from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match

from emulator.contract.refs import UnresolvedRef, resolve_local_ref

__all__ = [
    "function_schema_error",
    "response_format_schema_error",
    "schema_problem",
    "strict_schema_problem",
]

# Keywords strict mode refuses with "'<keyword>' is not permitted."  Seen live:
# allOf, oneOf, propertyNames, minLength, maxLength, uniqueItems, default.  The
# rest are outside the Structured Outputs guide's supported list [INF].
NOT_PERMITTED = (
    "allOf", "oneOf", "not", "if", "then", "else", "dependentRequired", "dependentSchemas",
    "dependencies", "patternProperties", "unevaluatedProperties", "unevaluatedItems", "propertyNames",
    "minProperties", "maxProperties", "minLength", "maxLength", "uniqueItems", "contains", "minContains",
    "maxContains", "prefixItems", "additionalItems", "default",
)
MAX_NESTING = 10
MAX_PROPERTIES = 5000
MAX_ENUM_VALUES = 1000

Context = tuple[str, ...]
_META_VALIDATOR = Draft202012Validator(Draft202012Validator.META_SCHEMA)


def response_format_schema_error(name: str, schema: Any, strict: bool) -> str | None:
    """The full message for a bad `response_format.json_schema.schema`, or None."""
    problem = strict_schema_problem(schema) if strict else schema_problem(schema)
    return None if problem is None else f"Invalid schema for response_format '{name}': {problem}"


def function_schema_error(name: str, schema: Any, strict: bool) -> str | None:
    """The full message for a bad `tools[i].function.parameters`, or None."""
    problem = strict_schema_problem(schema) if strict else schema_problem(schema)
    return None if problem is None else f"Invalid schema for function '{name}': {problem}"


def schema_problem(schema: Any) -> str | None:
    """Checks made with or without strict mode: a valid JSON Schema with an object root.

    An empty schema `{}` is accepted: it is how clients spell "no parameters".
    """
    problem = _meta_problem(schema)
    if problem is not None:
        return problem
    if isinstance(schema, bool) or schema == {}:
        return None
    declared = schema.get("type")
    if declared is None and "properties" in schema:
        return None
    return _root_type_problem(declared)


def strict_schema_problem(schema: Any) -> str | None:
    """None when `schema` satisfies strict mode; otherwise the live API's description."""
    problem = _meta_problem(schema)
    if problem is not None:
        return problem
    if not isinstance(schema, dict):
        return _root_type_problem(None)
    # Keywords are checked before the root's type: a root `oneOf` is reported as
    # "'oneOf' is not permitted", a root `anyOf` as "got 'type: \"None\"'".
    for problem in _node_problems(schema, (), schema, is_root=True):
        return problem
    return _limit_problem(schema)


def _meta_problem(schema: Any) -> str | None:
    error = best_match(_META_VALIDATOR.iter_errors(schema))
    return None if error is None else f"{error.message}."  # live: "[] is not of type 'object', 'boolean'."


def _root_type_problem(declared: Any) -> str | None:
    if declared == "object":
        return None
    shown = "None" if declared is None else declared
    return f"schema must be a JSON Schema of 'type: \"object\"', got 'type: \"{shown}\"'."


def _node_problems(node: Any, context: Context, document: dict[str, Any], *, is_root: bool = False) -> Iterator[str]:
    """Problems of one schema node, then of its subschemas, depth first."""
    where = f"In context={context!r}, "
    if not isinstance(node, dict):
        yield where + "schema must have a 'type' key."  # a boolean schema has none
        return
    for keyword in node:
        if keyword in NOT_PERMITTED:
            yield where + f"'{keyword}' is not permitted."
            return
    if is_root:
        problem = _root_type_problem(node.get("type"))
        if problem is not None:
            yield problem
            return
    yield from _shape_problems(node, context, document)
    for defs in ("$defs", "definitions"):
        for name, sub in (node.get(defs) or {}).items():
            yield from _node_problems(sub, (*context, defs, name), document)


def _shape_problems(node: dict[str, Any], context: Context, document: dict[str, Any]) -> Iterator[str]:
    where = f"In context={context!r}, "
    if "$ref" in node:
        ref = node["$ref"]
        if not _resolves(document, ref):
            yield where + f"reference to component '{ref}' which was not found in the schema."
        return
    if "anyOf" in node:
        for index, branch in enumerate(node["anyOf"]):
            yield from _node_problems(branch, (*context, "anyOf", str(index)), document)
        return
    declared = node.get("type")
    if declared is None:
        yield where + "schema must have a 'type' key."
        return
    if isinstance(declared, str):
        yield from _typed_problems(declared, node, context, document)
        return
    # A type list is checked one type at a time, each in its own context (seen live:
    # "In context=('properties', 'change', 'type', '0'), 'additionalProperties' ...").
    for index, kind in enumerate(declared):
        yield from _typed_problems(kind, node, (*context, "type", str(index)), document)


def _typed_problems(kind: str, node: dict[str, Any], context: Context, document: dict[str, Any]) -> Iterator[str]:
    where = f"In context={context!r}, "
    if kind == "array":
        if "items" not in node:
            yield where + "array schema missing items."
            return
        yield from _node_problems(node["items"], (*context, "items"), document)
        return
    if kind != "object":
        return
    if "properties" not in node:
        yield where + "object schema missing properties."
        return
    if node.get("additionalProperties") is not False:
        yield where + "'additionalProperties' is required to be supplied and to be false."
        return
    properties: dict[str, Any] = node["properties"]
    required = node.get("required", [])
    every_key = "'required' is required to be supplied and to be an array including every key in properties."
    missing = [key for key in properties if key not in required]
    if missing:
        yield where + f"{every_key} Missing '{missing[0]}'."
        return
    extra = [key for key in required if key not in properties]
    if extra:
        yield where + f"{every_key} Extra required key '{extra[0]}' supplied."
        return
    for name, sub in properties.items():
        yield from _node_problems(sub, (*context, "properties", name), document)


def _resolves(document: dict[str, Any], ref: Any) -> bool:
    try:
        resolve_local_ref(document, ref)
    except UnresolvedRef:
        return False
    return True


def _limit_problem(schema: dict[str, Any]) -> str | None:
    depth = max(_depth(root) for root in _roots(schema))
    if depth > MAX_NESTING:
        return f"{depth} levels of nesting exceeds limit of {MAX_NESTING}."
    properties = enums = 0
    for node in _all_nodes(schema):
        properties += len(node.get("properties") or {})
        enums += len(node.get("enum") or ())
    if properties > MAX_PROPERTIES:
        return f"{properties} parameters exceeds limit of {MAX_PROPERTIES}."
    if enums > MAX_ENUM_VALUES:
        return f"{enums} enum values exceeds limit of {MAX_ENUM_VALUES}."  # [INF] wording by analogy
    return None


def _children(node: dict[str, Any]) -> Iterator[tuple[bool, Any]]:
    """(is a nesting level?, subschema): properties and items nest, anyOf does not."""
    for sub in (node.get("properties") or {}).values():
        yield True, sub
    if isinstance(node.get("items"), dict):
        yield True, node["items"]
    if isinstance(node.get("additionalProperties"), dict):
        yield True, node["additionalProperties"]
    for sub in node.get("anyOf") or ():
        yield False, sub


def _roots(schema: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """The document and its definitions; a $ref is not followed, so each is measured alone."""
    yield schema
    for node in _all_nodes(schema):
        for defs in ("$defs", "definitions"):
            yield from (sub for sub in (node.get(defs) or {}).values() if isinstance(sub, dict))


def _depth(node: Any) -> int:
    if not isinstance(node, dict):
        return 0
    return max((int(nests) + _depth(sub) for nests, sub in _children(node)), default=0)


def _all_nodes(node: Any) -> Iterator[dict[str, Any]]:
    if not isinstance(node, dict):
        return
    yield node
    for _, sub in _children(node):
        yield from _all_nodes(sub)
    for defs in ("$defs", "definitions"):
        for sub in (node.get(defs) or {}).values():
            yield from _all_nodes(sub)
