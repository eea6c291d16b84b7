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

from emulator.contract.linear_regex import PatternError, linear_pattern
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
# Structured Outputs' documented limits (OpenAI guide, "Supported schemas"): nesting, object
# properties, enum values; the characters of property names, definition names, enum and const
# values together; and the characters of one string enum of more than 250 values.
MAX_NESTING = 10
MAX_PROPERTIES = 5000
MAX_ENUM_VALUES = 1000
MAX_STRING_CHARS = 120_000
LARGE_ENUM_VALUES = 250
MAX_LARGE_ENUM_CHARS = 15_000
_OPT_OUT = "Consider reducing the number of enums, or use 'strict: false' to opt out of structured outputs."

Context = tuple[str, ...]
_META_VALIDATOR = Draft202012Validator(Draft202012Validator.META_SCHEMA)


class WholeMessage(str):
    """A problem the live API words on its own, without the "Invalid schema for ..." prefix."""


def response_format_schema_error(name: str, schema: Any, strict: bool) -> str | None:
    """The full message for a bad `response_format.json_schema.schema`, or None."""
    return _full_message(f"Invalid schema for response_format '{name}'", schema, strict)


def function_schema_error(name: str, schema: Any, strict: bool) -> str | None:
    """The full message for a bad `tools[i].function.parameters`, or None."""
    return _full_message(f"Invalid schema for function '{name}'", schema, strict)


def _full_message(prefix: str, schema: Any, strict: bool) -> str | None:
    try:
        problem = strict_schema_problem(schema) if strict else schema_problem(schema)
    except RecursionError:  # deeper than the body parser lets through; reached only from elsewhere
        problem = f"{_depth(schema)} levels of nesting exceeds limit of {MAX_NESTING}." if strict else None
    if problem is None or isinstance(problem, WholeMessage):
        return problem
    return f"{prefix}: {problem}"


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
    return _limit_problem(schema) or _pattern_problem(schema)


def _meta_problem(schema: Any) -> str | None:
    try:
        error = best_match(_META_VALIDATOR.iter_errors(schema))
    except RecursionError:
        return None  # nesting is measured (and refused in strict mode) on its own
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
    properties = enums = chars = 0
    for node in _all_nodes(schema):
        names = node.get("properties") or {}
        properties += len(names)
        values = node.get("enum") or ()
        enums += len(values)
        strings = [v for v in values if isinstance(v, str)]
        if len(strings) > LARGE_ENUM_VALUES and sum(map(len, strings)) > MAX_LARGE_ENUM_CHARS:
            return (f"Expected at most {MAX_LARGE_ENUM_CHARS} characters in total for the values of an enum "  # [INF]
                    f"with more than {LARGE_ENUM_VALUES} values when using structured outputs, but received "
                    f"{sum(map(len, strings))}. {_OPT_OUT}")
        chars += sum(map(len, names)) + sum(map(len, strings))
        chars += len(node["const"]) if isinstance(node.get("const"), str) else 0
        for defs in ("$defs", "definitions"):
            chars += sum(map(len, node.get(defs) or {}))
    if properties > MAX_PROPERTIES:
        return f"{properties} parameters exceeds limit of {MAX_PROPERTIES}."
    if enums > MAX_ENUM_VALUES:
        # Seen live when the limit was 500 (community.openai.com, "500 Enums Limitation in Structured Output").
        return (f"Expected at most {MAX_ENUM_VALUES} enum values in total within a single schema when using "
                f"structured outputs, but received {enums}. {_OPT_OUT}")
    if chars > MAX_STRING_CHARS:
        return (f"Expected at most {MAX_STRING_CHARS} characters of property names, definition names, enum "  # [INF]
                f"values and const values in total within a single schema when using structured outputs, but "
                f"received {chars}. {_OPT_OUT}")
    return None


def _pattern_problem(schema: dict[str, Any]) -> str | None:
    """Patterns must be regexes a linear engine runs. Seen live (2026, any model):
    "Invalid JSON schema: regex lookaround is not supported. Found at $.properties.email.pattern."
    Backreferences get the same sentence by analogy [INF]."""
    for path, pattern in _patterns(schema):
        if not isinstance(pattern, str):
            continue
        try:
            unsupported = linear_pattern(pattern).unsupported
        except PatternError:
            return f"In context={path[1]!r}, 'pattern' {pattern!r} is not a valid regular expression."  # [INF]
        if unsupported is not None:
            return WholeMessage(f"Invalid JSON schema: regex {unsupported} is not supported. "
                                f"Found at {path[0]}.pattern.")
    return None


def _patterns(schema: dict[str, Any]) -> Iterator[tuple[tuple[str, Context], Any]]:
    """(($.json.path, context), pattern) of every `pattern`, in document order."""
    stack: list[tuple[Any, str, Context]] = [(schema, "$", ())]
    while stack:
        node, path, context = stack.pop()
        if not isinstance(node, dict):
            continue
        if "pattern" in node:
            yield (path, context), node["pattern"]
        children: list[tuple[Any, str, Context]] = []
        for name, sub in (node.get("properties") or {}).items():
            children.append((sub, f"{path}.properties.{name}", (*context, "properties", name)))
        if "items" in node:
            children.append((node["items"], f"{path}.items", (*context, "items")))
        for index, sub in enumerate(node.get("anyOf") or ()):
            children.append((sub, f"{path}.anyOf[{index}]", (*context, "anyOf", str(index))))
        for defs in ("$defs", "definitions"):
            for name, sub in (node.get(defs) or {}).items():
                children.append((sub, f"{path}.{defs}.{name}", (*context, defs, name)))
        stack.extend(reversed(children))


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
    """Nesting levels below `node` (iterative: a hostile schema may nest hundreds deep)."""
    deepest = 0
    stack = [(node, 0)]
    while stack:
        current, depth = stack.pop()
        if not isinstance(current, dict):
            continue
        deepest = max(deepest, depth)
        stack.extend((sub, depth + int(nests)) for nests, sub in _children(current))
    return deepest


def _all_nodes(node: Any) -> Iterator[dict[str, Any]]:
    stack = [node]
    while stack:
        current = stack.pop()
        if not isinstance(current, dict):
            continue
        yield current
        stack.extend(sub for _, sub in _children(current))
        for defs in ("$defs", "definitions"):
            stack.extend((current.get(defs) or {}).values())
