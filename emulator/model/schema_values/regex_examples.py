"""Produce a string that a regular expression (a JSON Schema `pattern`) matches.

The pattern is parsed with the standard library's own regex parser, so every
construct Python accepts has a known shape; we then walk the tree and emit
text.  Lookarounds and other constructs we cannot honour are skipped, which is
why callers must still check the result with `re.search` (JSON Schema's
semantics) before using it.
"""

from __future__ import annotations

import random
import re
from typing import Any, Literal

from re import _constants as c  # type: ignore[attr-defined]
from re import _parser  # type: ignore[attr-defined]

Size = Literal["min", "normal", "long"]

# Pleasant characters first: a class like \w or [^"] is answered from these.
_PREFERRED = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_PRINTABLE = _PREFERRED + " -_.,:;!?@#$%&*+=/()[]{}<>'\"|\\^~`"
_UNBOUNDED_EXTRA = {"min": 0, "normal": 5, "long": 12}
# Opcodes added in Python 3.11 are looked up by name so older parsers still load.
_REPEATS = {c.MAX_REPEAT, c.MIN_REPEAT} | {getattr(c, "POSSESSIVE_REPEAT", c.MAX_REPEAT)}
_ATOMIC = {getattr(c, "ATOMIC_GROUP", None)} - {None}


class RegexExampleError(ValueError):
    """The pattern cannot be parsed or uses something we cannot produce."""


def regex_example(pattern: str, rng: random.Random, *, size: Size = "normal") -> str:
    """Text built to match `pattern`; check it with `re.search` before trusting it."""
    try:
        tree = _parser.parse(pattern)
    except (re.error, RecursionError, OverflowError) as exc:
        raise RegexExampleError(f"invalid pattern {pattern!r}: {exc}") from exc
    groups: dict[int, str] = {}
    return _emit(list(tree), rng, size, groups)


def _emit(items: list[tuple[Any, Any]], rng: random.Random, size: Size, groups: dict[int, str]) -> str:
    out: list[str] = []
    for op, arg in items:
        out.append(_emit_one(op, arg, rng, size, groups))
    return "".join(out)


def _emit_one(op: Any, arg: Any, rng: random.Random, size: Size, groups: dict[int, str]) -> str:
    if op is c.LITERAL:
        return chr(arg)
    if op is c.NOT_LITERAL:
        return _pick(_class_chars([(c.NEGATE, None), (c.LITERAL, arg)]), rng)
    if op is c.ANY:
        return rng.choice(_PREFERRED[:26])
    if op is c.IN:
        return _pick(_class_chars(arg), rng)
    if op is c.BRANCH:
        alternatives = arg[1]
        return _emit(list(rng.choice(alternatives)), rng, size, groups)
    if op is c.SUBPATTERN:
        group, _add_flags, _del_flags, body = arg
        text = _emit(list(body), rng, size, groups)
        if group is not None:
            groups[group] = text
        return text
    if op in _REPEATS:
        low, high, body = arg
        return "".join(_emit(list(body), rng, size, groups) for _ in range(_count(low, high, rng, size)))
    if op in _ATOMIC:
        return _emit(list(arg), rng, size, groups)
    if op is c.GROUPREF:
        return groups.get(arg, "")
    if op in (c.AT, c.ASSERT, c.ASSERT_NOT):
        return ""  # anchors hold by construction; lookarounds are left to the final check
    if op is c.CATEGORY:
        return _pick(_class_chars([(c.CATEGORY, arg)]), rng)
    raise RegexExampleError(f"unsupported regex construct {op}")


def _count(low: int, high: int, rng: random.Random, size: Size) -> int:
    if size == "min":
        return low
    extra = _UNBOUNDED_EXTRA[size]
    top = low + extra if high == c.MAXREPEAT else min(high, low + extra)
    if size == "long":
        return top
    # Optional parts are included: "x?" reads better as "x" than as nothing.
    return rng.randint(min(max(low, 1), top), top)


def _class_chars(items: list[tuple[Any, Any]]) -> list[str] | tuple[int, int]:
    """The characters a class allows, from the printable ASCII we like to emit.

    When none of those qualify (a class of CJK, say), return the first allowed
    code-point range instead so the caller can pick from it.
    """
    negate = bool(items) and items[0][0] is c.NEGATE
    body = items[1:] if negate else items
    allowed = [ch for ch in _PRINTABLE if _in_class(ord(ch), body) != negate]
    if allowed:
        return allowed
    if not negate:
        for op, arg in body:
            if op is c.RANGE:
                return arg
            if op is c.LITERAL:
                return (arg, arg)
    raise RegexExampleError("character class matches nothing printable")


def _in_class(code: int, body: list[tuple[Any, Any]]) -> bool:
    ch = chr(code)
    for op, arg in body:
        if op is c.LITERAL and code == arg:
            return True
        if op is c.RANGE and arg[0] <= code <= arg[1]:
            return True
        if op is c.CATEGORY and _in_category(ch, arg):
            return True
    return False


_CATEGORY_TESTS = {
    "CATEGORY_DIGIT": str.isdigit,
    "CATEGORY_NOT_DIGIT": lambda ch: not ch.isdigit(),
    "CATEGORY_SPACE": str.isspace,
    "CATEGORY_NOT_SPACE": lambda ch: not ch.isspace(),
    "CATEGORY_WORD": lambda ch: ch.isalnum() or ch == "_",
    "CATEGORY_NOT_WORD": lambda ch: not (ch.isalnum() or ch == "_"),
}


def _in_category(ch: str, category: Any) -> bool:
    test = _CATEGORY_TESTS.get(str(category))
    return bool(test and test(ch))


def _pick(choices: list[str] | tuple[int, int], rng: random.Random) -> str:
    if isinstance(choices, tuple):
        return chr(rng.randint(*choices))
    # Bias towards the first (pleasant) characters so examples read like words.
    if len(choices) > 8 and rng.random() < 0.8:
        return rng.choice(choices[: max(8, len(choices) // 2)])
    return rng.choice(choices)
