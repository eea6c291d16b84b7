"""Match conditions, compiled once when a scenario is loaded into small predicate objects.

Each condition answers `holds(request)` on the hot path and, only for unmatched requests,
`why_not(request)`: the near-miss explanation ("last_user: expected text containing 'weather',
got 'hello'"), as pytest-httpserver's `RequestMatcher.difference()` and WireMock's near misses do.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any, Callable

from ..contract.chat_request import ChatRequest, message_text
from . import conversation as conv
from .near_miss import FailedCondition

_SHOWN = 60  # characters of the request shown in a near-miss explanation


def _show(text: str | None) -> str:
    if text is None:
        return "nothing"
    text = " ".join(text.split())
    return repr(text if len(text) <= _SHOWN else text[: _SHOWN - 1] + "…")


class TextTest:
    """`contains` / `not_contains` / `equals` / `regex` (all given must hold), optionally ignoring case."""

    def __init__(self, spec: str | dict[str, Any]) -> None:
        if isinstance(spec, str):
            spec = {"contains": spec}
        self.ignore_case = bool(spec.get("ignore_case"))
        fold = self._fold
        self.contains = [fold(s) for s in _as_list(spec.get("contains"))]
        self.not_contains = [fold(s) for s in _as_list(spec.get("not_contains"))]
        self.equals = None if spec.get("equals") is None else fold(spec["equals"])
        self.regex = None
        if spec.get("regex") is not None:
            self.regex = re.compile(spec["regex"], re.IGNORECASE if self.ignore_case else 0)
        self.spec = spec

    def _fold(self, text: str) -> str:
        return text.casefold() if self.ignore_case else text

    def __call__(self, text: str) -> bool:
        folded = self._fold(text)
        return (all(s in folded for s in self.contains)
                and not any(s in folded for s in self.not_contains)
                and (self.equals is None or folded == self.equals)
                and (self.regex is None or self.regex.search(text) is not None))

    def describe(self) -> str:
        parts = [f"containing {s!r}" for s in _as_list(self.spec.get("contains"))]
        parts += [f"not containing {s!r}" for s in _as_list(self.spec.get("not_contains"))]
        if self.spec.get("equals") is not None:
            parts.append(f"equal to {self.spec['equals']!r}")
        if self.spec.get("regex") is not None:
            parts.append(f"matching /{self.spec['regex']}/")
        return "text " + " and ".join(parts) + (" (ignoring case)" if self.ignore_case else "")


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


# What conditions test: a `ChatRequest`, or one input of an embeddings request (`EmbeddingInput`,
# which has `body`, `model`, `headers`, `api` and `text`: the keys `api: embeddings` scenarios may use).
Target = Any


@dataclass
class Condition:
    """One named condition: `key` as written in the file, a test, and how to show what the request had."""

    key: str
    test: Callable[[Target], bool]
    expected: str
    actual: Callable[[Target], str]

    def holds(self, request: Target) -> bool:
        return self.test(request)

    def why_not(self, request: Target) -> FailedCondition:
        return FailedCondition(self.key, self.expected, self.actual(request))


def _text_condition(key: str, spec: Any, get: Callable[[Target], str | None]) -> Condition:
    test = TextTest(spec)
    return Condition(key, lambda r: (t := get(r)) is not None and test(t), test.describe(), lambda r: _show(get(r)))


def _model(spec: str | list[str]) -> Condition:
    patterns = _as_list(spec)

    def test(request: Target) -> bool:
        names = (request.body.get("model", ""), request.model.id, request.model.snapshot)
        return any(fnmatchcase(name, p) for p in patterns for name in names)

    return Condition("model", test, " or ".join(map(repr, patterns)), lambda r: repr(r.body.get("model")))


def _any_message(spec: Any) -> Condition:
    test = TextTest(spec)
    return Condition("any_message", lambda r: any(test(message_text(m)) for m in r.messages),
                     "a message with " + test.describe(), lambda r: f"{len(r.messages)} messages, none matching")


def _last_role(spec: str | list[str]) -> Condition:
    roles = set(_as_list(spec))
    return Condition("last_role", lambda r: r.last_message.get("role") in roles,
                     " or ".join(map(repr, sorted(roles))), lambda r: repr(r.last_message.get("role")))


def _tool_name(pattern: str) -> Condition:
    return Condition("tool_name", lambda r: any(fnmatchcase(t["name"], pattern) for t in r.tool_results),
                     f"a tool result from {pattern!r}",
                     lambda r: ", ".join(repr(t["name"]) for t in r.tool_results) or "no tool results")


def _tool_result(spec: Any) -> Condition:
    test = TextTest(spec)
    return Condition("tool_result", lambda r: any(test(t["content"]) for t in r.tool_results),
                     "a tool result with " + test.describe(),
                     lambda r: ", ".join(_show(t["content"]) for t in r.tool_results) or "no tool results")


def _offered(request: ChatRequest) -> list[str]:
    names = [(t.get("function") or t.get("custom") or {}).get("name", "") for t in request.tools]
    return names + [f.get("name", "") for f in request.functions]


def _has_tools(flag: bool) -> Condition:
    return Condition("has_tools", lambda r: bool(_offered(r)) == flag, "tools" if flag else "no tools",
                     lambda r: f"{len(_offered(r))} tools")


def _tool_offered(pattern: str) -> Condition:
    return Condition("tool_offered", lambda r: any(fnmatchcase(n, pattern) for n in _offered(r)),
                     f"a tool named {pattern!r} offered", lambda r: repr(_offered(r)))


def _format_type(request: ChatRequest) -> str | None:
    return (request.response_format or {}).get("type")


def _has_response_format(spec: bool | str) -> Condition:
    if isinstance(spec, str):
        return Condition("has_response_format", lambda r: _format_type(r) == spec, f"response_format {spec!r}",
                         lambda r: repr(_format_type(r)))
    # `{type: text}` is the default format, so it counts as none.
    test = (lambda r: _format_type(r) not in (None, "text")) if spec else (lambda r: _format_type(r) in (None, "text"))
    return Condition("has_response_format", test, "a response_format" if spec else "no response_format",
                     lambda r: repr(_format_type(r)))


def _stream(flag: bool) -> Condition:
    return Condition("stream", lambda r: r.stream == flag, repr(flag), lambda r: repr(r.stream))


def _entry(key: str, name: str, spec: Any, get: Callable[[Target], str | None]) -> Condition:
    label = f"{key}[{name}]"
    if spec is None:
        return Condition(label, lambda r: get(r) is None, "no such entry", lambda r: _show(get(r)))
    return _text_condition(label, spec, get)


def _headers(specs: dict[str, Any]) -> list[Condition]:
    def getter(name: str) -> Callable[[Target], str | None]:
        return lambda r: r.headers.get(name)

    return [_entry("headers", name, spec, getter(name.lower())) for name, spec in specs.items()]


def _metadata(specs: dict[str, Any]) -> list[Condition]:
    def getter(name: str) -> Callable[[ChatRequest], str | None]:
        return lambda r: (r.body.get("metadata") or {}).get(name)

    return [_entry("metadata", name, spec, getter(name)) for name, spec in specs.items()]


def _turn(spec: int | dict[str, int]) -> Condition:
    if isinstance(spec, int):
        low = high = spec
        expected = f"turn {spec}"
    else:
        low, high = spec.get("min", 0), spec.get("max", 1 << 30)
        expected = f"turn in {low}..{spec['max'] if 'max' in spec else ''}"
    return Condition("turn", lambda r: low <= r.turn <= high, expected, lambda r: f"turn {r.turn}")


@dataclass
class Recorded(Condition):
    """A recorded value the request's canonical form must equal; the near miss names the first difference
    ("conversation differs at messages[3].content: recorded 'a', the request has 'b'")."""

    difference: Callable[[ChatRequest], tuple[str, Any, Any] | None] = lambda r: None

    def why_not(self, request: ChatRequest) -> FailedCondition:
        found = self.difference(request)
        if found is None:
            return FailedCondition(self.key, "the same", "the same")
        path, expected, actual = found
        return FailedCondition(self.key, _value(expected), _value(actual), at=path)


def _exact(key: str, spec: Any, get: Callable[[ChatRequest], Any], where: Callable[[ChatRequest], str],
           differ: Callable[[Any, Any, str], tuple[str, Any, Any] | None] = conv.first_difference) -> Condition:
    return Recorded(key, lambda r: differ(spec, get(r), "") is None, "", lambda r: "",
                    lambda r: differ(spec, get(r), where(r)))


def _value(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, dict) and set(value) == {"sha256", "chars"}:
        return f"a {value['chars']}-character text (sha256 {value['sha256']})"
    if isinstance(value, str):
        return _show(value)
    return _show(conv.canonical_json(value))


def _canonical(request: ChatRequest, what: Callable[[dict[str, Any]], Any]) -> Any:
    """`what(body)` once per request, however many recorded scenarios ask."""
    cache = getattr(request, "canonical_forms", None)  # an embeddings input (near misses) has none at first
    if cache is None:
        cache = request.canonical_forms = {}
    if what not in cache:
        cache[what] = what(request.body)
    return cache[what]


def _conversation(spec: list[Any]) -> Condition:
    return _exact("conversation", spec, lambda r: _canonical(r, conv.conversation),
                  lambda r: "messages", conv.turn_difference)


def _tools(spec: list[Any]) -> Condition:
    return _exact("tools", spec, lambda r: _canonical(r, conv.tool_set), lambda r: "tools")


def _response_format(spec: Any) -> Condition:
    return _exact("response_format", spec, lambda r: _canonical(r, conv.output_format),
                  lambda r: "response_format")


def _params(spec: dict[str, Any]) -> list[Condition]:
    """`{field: value}`: each top-level body field equals the value (null: the field is absent)."""
    def field(name: str, value: Any) -> Condition:
        return _exact(f"params[{name}]", value, lambda r: r.body.get(name), lambda r: name)

    return [field(name, value) for name, value in spec.items()]


# Each match key and how it becomes conditions (headers and metadata give one per named key).
_BUILDERS: dict[str, Callable[[Any], list[Condition]]] = {
    "model": lambda spec: [_model(spec)],
    "last_user": lambda spec: [_text_condition("last_user", spec, lambda r: r.last_user_text)],
    "any_message": lambda spec: [_any_message(spec)],
    "system": lambda spec: [_text_condition("system", spec, lambda r: r.system_text)],
    "last_role": lambda spec: [_last_role(spec)],
    "tool_name": lambda spec: [_tool_name(spec)],
    "tool_result": lambda spec: [_tool_result(spec)],
    "has_tools": lambda spec: [_has_tools(spec)],
    "tool_offered": lambda spec: [_tool_offered(spec)],
    "has_response_format": lambda spec: [_has_response_format(spec)],
    "stream": lambda spec: [_stream(spec)],
    "api": lambda spec: [Condition("api", lambda r: r.api == spec, repr(spec), lambda r: repr(r.api))],
    "input": lambda spec: [_text_condition("input", spec, lambda r: r.text)],
    "headers": _headers,
    "metadata": _metadata,
    "user": lambda spec: [_text_condition("user", spec, lambda r: r.body.get("user"))],
    "turn": lambda spec: [_turn(spec)],
    "conversation": lambda spec: [_conversation(spec)],
    "tools": lambda spec: [_tools(spec)],
    "response_format": lambda spec: [_response_format(spec)],
    "params": _params,
}


def compile_match(match: dict[str, Any] | None) -> list[Condition]:
    """The conditions of a `match:` block, in the order written (all must hold)."""
    conditions: list[Condition] = []
    for key, spec in (match or {}).items():
        build = _BUILDERS.get(key)
        if build is None:
            raise ValueError(f"unknown match condition {key!r}")  # the schema rejects it first
        conditions.extend(build(spec))
    return conditions
