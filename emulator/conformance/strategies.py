"""Hypothesis strategies built from the contract's request schema (``chat_request.json``).

``valid_requests`` draws requests any faithful server must answer with 200: the
sampling and output fields of the schema, messages of the text roles, and the
cross-field rules the live API adds (contract/rules.py) applied.
``invalid_requests`` takes one of those and breaks it in exactly one way the schema
forbids, returning the request and the ``param`` the live API would name.
Strings, lists and maps are kept small so hundreds of examples run in seconds.
"""

from __future__ import annotations

import string
from functools import cache
from typing import Any

from hypothesis import strategies as st

from emulator.contract.json_schemas import schema, schema_errors

MAX_LIST = 3
MAX_TEXT = 16
TEXT = st.text(alphabet=string.ascii_letters + string.digits + " .,!?'-é", max_size=MAX_TEXT)

# Only text content: other part types and tool history need context the generator does not build.
SKIPPED_DEFS = frozenset({"part_image_url", "part_input_audio", "part_file", "part_refusal", "tool_call", "cache_breakpoint"})
SKIPPED_KEYS = frozenset({"tool_calls", "function_call", "audio", "prompt_cache_breakpoint"})

# Fields a server must accept for any schema-valid value; the rest need a model, a tool or a store to make sense.
VALID_FIELDS = ("temperature", "top_p", "frequency_penalty", "presence_penalty", "n", "stop", "seed", "user",
                "safety_identifier", "prompt_cache_key", "max_completion_tokens", "logprobs", "top_logprobs",
                "stream", "stream_options")
OVERRIDES: dict[str, st.SearchStrategy[Any]] = {
    "n": st.integers(1, 3),
    "max_completion_tokens": st.integers(1, 32),
    "stop": st.one_of(st.text(alphabet=string.ascii_letters, min_size=1, max_size=4),
                      st.lists(st.text(alphabet=string.ascii_letters, min_size=1, max_size=4), min_size=1, max_size=4)),
}
MESSAGE_DEFS = ("message_developer", "message_system", "message_user", "message_assistant")
# Setting the key field without its dependents keeps a one-field mutation a one-error request.
DEPENDENTS = {"logprobs": ("top_logprobs",), "stream": ("stream_options",)}
# ...and setting a dependent sets what it depends on.
REQUIRES = {"top_logprobs": ("logprobs", True), "stream_options": ("stream", True)}


def _root() -> dict[str, Any]:
    return schema("chat_request")


def _resolve(node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        node = _root()["$defs"][node["$ref"].rsplit("/", 1)[-1]]
    return node


def _skipped(node: dict[str, Any]) -> bool:
    if "$ref" in node:
        return node["$ref"].rsplit("/", 1)[-1] in SKIPPED_DEFS
    if node.get("type") == "array" and isinstance(node.get("items"), dict):
        return _skipped(node["items"])
    branches = node.get("anyOf") or node.get("oneOf") or []
    return bool(branches) and all(_skipped(b) for b in branches)


def from_schema(node: dict[str, Any]) -> st.SearchStrategy[Any]:
    """Values valid against a node of the request schema (the subset of JSON Schema it uses)."""
    node = _resolve(node)
    if "const" in node:
        return st.just(node["const"])
    if "enum" in node:
        return st.sampled_from(node["enum"])
    branches = node.get("anyOf") or node.get("oneOf")
    if branches:
        return st.one_of([from_schema(b) for b in branches if not _skipped(b)])
    kind = node.get("type")
    if kind == "null":
        return st.none()
    if kind == "boolean":
        return st.booleans()
    if kind == "integer":
        return st.integers(node.get("minimum"), node.get("maximum"))
    if kind == "number":
        return st.floats(node.get("minimum"), node.get("maximum"), allow_nan=False, allow_infinity=False)
    if kind == "string":
        if "pattern" in node:
            return st.from_regex(node["pattern"], fullmatch=True).filter(lambda s: len(s) <= MAX_TEXT * 4)
        return TEXT.filter(lambda s: len(s) <= node.get("maxLength", MAX_TEXT))
    if kind == "array":
        low = node.get("minItems", 0)
        return st.lists(from_schema(node["items"]), min_size=low, max_size=max(low, min(MAX_LIST, node.get("maxItems", MAX_LIST))))
    if kind == "object" and "properties" in node:
        props = {k: v for k, v in node["properties"].items() if k not in SKIPPED_KEYS}
        required = set(node.get("required", ()))
        return st.fixed_dictionaries({k: from_schema(v) for k, v in props.items() if k in required},
                                     optional={k: from_schema(v) for k, v in props.items() if k not in required})
    if kind == "object":
        values = node.get("additionalProperties")
        keys = TEXT if not isinstance(node.get("propertyNames"), dict) else from_schema({"type": "string", **node["propertyNames"]})
        return st.dictionaries(keys, from_schema(values) if isinstance(values, dict) else st.integers(0, 9), max_size=MAX_LIST)
    return st.none()


def _message(definition: str) -> st.SearchStrategy[dict[str, Any]]:
    # An assistant turn with null content needs tool_calls, which are not generated.
    return from_schema({"$ref": f"#/$defs/{definition}"}).map(
        lambda m: m if m.get("content") is not None else {**m, "content": "ok"})


@cache
def _parts() -> tuple[st.SearchStrategy[dict[str, Any]], st.SearchStrategy[list[dict[str, Any]]]]:
    """The optional fields and the messages of a valid request, built once (building is slow)."""
    props = _root()["properties"]
    fields = st.fixed_dictionaries({}, optional={f: OVERRIDES.get(f, from_schema(props[f])) for f in VALID_FIELDS})
    messages = st.lists(st.one_of([_message(d) for d in MESSAGE_DEFS]), min_size=1, max_size=MAX_LIST)
    return fields, messages


@st.composite
def valid_requests(draw: st.DrawFn, model: str) -> dict[str, Any]:
    fields, messages = _parts()
    request = {"model": model, "messages": draw(messages), **draw(fields)}
    for field, (key, needed) in REQUIRES.items():
        if request.get(field) is not None:
            request[key] = needed
    return request


@cache
def _numeric_bounds() -> dict[str, tuple[str, float | None, float | None]]:
    """Top-level fields with a small numeric range: (type, minimum, maximum)."""
    found = {}
    for name, node in _root()["properties"].items():
        for branch in node.get("anyOf", [node]):
            bounds = [branch[k] for k in ("minimum", "maximum") if k in branch]
            if branch.get("type") in ("integer", "number") and bounds and max(map(abs, bounds)) < 10**6:
                found[name] = (branch["type"], branch.get("minimum"), branch.get("maximum"))
    return found


@cache
def _string_enums() -> dict[str, list[str]]:
    found = {}
    for name, node in _root()["properties"].items():
        for branch in node.get("anyOf", [node]):
            if branch.get("type") == "string" and "enum" in branch:
                found[name] = branch["enum"]
    return found


WRONG_TYPED = ["text", 1.5, 7, True, [1], {"a": 1}]


def _invalid(request: dict[str, Any]) -> bool:
    return bool(schema_errors("chat_request", request))


def _set(request: dict[str, Any], field: str, value: Any) -> dict[str, Any]:
    changed = {k: v for k, v in request.items() if k not in DEPENDENTS.get(field, ())}
    if field in REQUIRES:
        key, needed = REQUIRES[field]
        changed[key] = needed
    changed[field] = value
    return changed


@st.composite
def invalid_requests(draw: st.DrawFn, model: str, unknown_fields: bool = True) -> tuple[dict[str, Any], str | None, str]:
    """A valid request broken in one way: (request, the param the live API names, what was broken)."""
    request = draw(valid_requests(model))
    kinds = ["wrong_type", "out_of_range", "bad_enum", "bad_role", "missing", "empty_messages", "long_stop"]
    kind = draw(st.sampled_from(kinds + (["unknown_field"] if unknown_fields else [])))
    if kind == "wrong_type":
        field = draw(st.sampled_from(sorted(_root()["properties"])))
        value = draw(st.sampled_from(WRONG_TYPED).filter(lambda v: _invalid(_set(request, field, v))))
        return _set(request, field, value), field, f"{field} of the wrong type"
    if kind == "out_of_range":
        field, (number, low, high) = draw(st.sampled_from(sorted(_numeric_bounds().items())))
        step = st.integers(1, 1000) if number == "integer" else st.floats(0.01, 10).map(lambda x: round(x, 2))
        if high is not None and (low is None or draw(st.booleans())):
            value = high + draw(step)
        else:
            assert low is not None  # every bounded field has a bound on one side at least
            value = low - draw(step)
        return _set(request, field, value), field, f"{field} out of range"
    if kind == "bad_enum":
        field, allowed = draw(st.sampled_from(sorted(_string_enums().items())))
        value = draw(st.text(alphabet=string.ascii_lowercase, min_size=1, max_size=8).filter(lambda v: v not in allowed))
        return _set(request, field, value), field, f"{field} not one of its values"
    if kind == "bad_role":
        role = draw(st.text(alphabet=string.ascii_lowercase, min_size=1, max_size=8).filter(
            lambda r: r not in ("developer", "system", "user", "assistant", "tool", "function")))
        messages = [{**request["messages"][0], "role": role}, *request["messages"][1:]]
        return {**request, "messages": messages}, "messages[0].role", "an unknown message role"
    if kind == "missing":
        field = draw(st.sampled_from(["model", "messages"]))
        # The live API names no param for a missing model.
        return {k: v for k, v in request.items() if k != field}, None if field == "model" else field, f"no {field}"
    if kind == "empty_messages":
        return {**request, "messages": []}, "messages", "an empty messages array"
    if kind == "long_stop":
        stop = draw(st.lists(st.text(alphabet=string.ascii_letters, min_size=1, max_size=3), min_size=5, max_size=8))
        return {**request, "stop": stop}, "stop", "more than 4 stop sequences"
    name = "x_" + draw(st.text(alphabet=string.ascii_lowercase, min_size=1, max_size=8))
    return {**request, name: draw(st.sampled_from(WRONG_TYPED))}, name, "an unknown field"
