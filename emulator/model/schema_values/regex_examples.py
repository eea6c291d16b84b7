"""Produce a string that a regular expression (a JSON Schema `pattern`) matches.

The pattern is parsed with the standard library's own regex parser, so every
construct Python accepts has a known shape; we then walk the tree and emit
text.  Lookarounds and other constructs we cannot honour are skipped, which is
why callers must still check the result (in linear time, with
`contract.linear_regex`) before using it.  Parsing never matches, so a pattern
that would make a backtracking matcher run for ever costs nothing here.
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
_FRESH_REPEATS = 4  # iterations of a repeat made anew; later ones repeat them
_SURROGATES = (0xD800, 0xDFFF)  # not characters: a reply holding one could not be encoded
# Opcodes added in Python 3.11 are looked up by name so older parsers still load.
_REPEATS = {c.MAX_REPEAT, c.MIN_REPEAT} | {getattr(c, "POSSESSIVE_REPEAT", c.MAX_REPEAT)}
_ATOMIC = {getattr(c, "ATOMIC_GROUP", None)} - {None}


class RegexExampleError(ValueError):
    """The pattern cannot be parsed or uses something we cannot produce."""


class _Full(Exception):
    """The text reached the caller's limit: what was written so far is a prefix of a match."""


class _Writer:
    def __init__(self, limit: int | None, pleasant: bool) -> None:
        self.pleasant = pleasant  # favour letters in classes (reads better) or pick evenly
        self.parts: list[str] = []
        self.length = 0
        self.limit = limit

    def write(self, text: str) -> None:
        self.parts.append(text)
        self.length += len(text)
        if self.limit is not None and self.length > self.limit:
            raise _Full

    def text(self) -> str:
        joined = "".join(self.parts)
        return joined if self.limit is None else joined[: self.limit + 1]


def regex_example(pattern: str, rng: random.Random, *, size: Size = "normal", limit: int | None = 1_000_000,
                  pleasant: bool = True) -> str:
    """Text built to match `pattern`; check it (see `contract.linear_regex`) before trusting it.

    With a `limit`, writing stops once the text is longer than `limit` characters, so
    `^(a{1000}){10000}$` costs what the reply can hold, not ten million characters; a result
    longer than `limit` is such a cut prefix. `pleasant=False` picks class characters evenly,
    which a lookahead such as `(?=.*\\d)` may need.
    """
    try:
        tree = _parser.parse(pattern)
    except (re.error, RecursionError, OverflowError, ValueError) as exc:
        raise RegexExampleError(f"invalid pattern {pattern!r}: {exc}") from exc
    writer = _Writer(limit, pleasant)
    try:
        _emit(list(tree), rng, size, {}, writer)
    except _Full:
        pass
    except RecursionError as exc:
        raise RegexExampleError(f"pattern nests too deeply: {pattern[:40]!r}") from exc
    return writer.text()


def _emit(items: list[tuple[Any, Any]], rng: random.Random, size: Size, groups: dict[int, str],
          writer: _Writer) -> None:
    for op, arg in items:
        _emit_one(op, arg, rng, size, groups, writer)


def _captured(items: list[tuple[Any, Any]], rng: random.Random, size: Size, groups: dict[int, str],
              writer: _Writer) -> str:
    """Emit `items` and return the text they wrote (for a group a backreference repeats)."""
    start = len(writer.parts)
    try:
        _emit(items, rng, size, groups, writer)
    finally:
        text = "".join(writer.parts[start:])
    return text


def _emit_one(op: Any, arg: Any, rng: random.Random, size: Size, groups: dict[int, str],
              writer: _Writer) -> None:
    if op is c.LITERAL:
        writer.write(chr(arg))
    elif op is c.NOT_LITERAL:
        writer.write(_pick(_class_chars([(c.NEGATE, None), (c.LITERAL, arg)]), rng, writer.pleasant))
    elif op is c.ANY:
        writer.write(rng.choice(_PREFERRED[:26]))
    elif op is c.IN:
        writer.write(_pick(_class_chars(arg), rng, writer.pleasant))
    elif op is c.BRANCH:
        _emit(list(rng.choice(arg[1])), rng, size, groups, writer)
    elif op is c.SUBPATTERN:
        group, _add_flags, _del_flags, body = arg
        text = _captured(list(body), rng, size, groups, writer)
        if group is not None:
            groups[group] = text
    elif op in _REPEATS:
        low, high, body = arg
        _repeat(list(body), _count(low, high, rng, size), rng, size, groups, writer)
    elif op in _ATOMIC:
        _emit(list(arg), rng, size, groups, writer)
    elif op is c.GROUPREF:
        writer.write(groups.get(arg, ""))
    elif op in (c.AT, c.ASSERT, c.ASSERT_NOT):
        pass  # anchors hold by construction; lookarounds are left to the final check
    elif op is c.CATEGORY:
        writer.write(_pick(_class_chars([(c.CATEGORY, arg)]), rng, writer.pleasant))
    else:
        raise RegexExampleError(f"unsupported regex construct {op}")


def _repeat(body: list[tuple[Any, Any]], count: int, rng: random.Random, size: Size, groups: dict[int, str],
            writer: _Writer) -> None:
    """`count` matches of `body`: a few made fresh, the rest repeat them (each is a match on its
    own), written in bulk so a count of 10,000 costs one write, not 10,000."""
    fresh = [_captured(body, rng, size, groups, writer) for _ in range(min(count, _FRESH_REPEATS))]
    left = count - len(fresh)
    cycle = "".join(fresh)
    if left <= 0 or not cycle:
        return
    whole, rest = divmod(left, len(fresh))
    if writer.limit is not None:
        whole = min(whole, (writer.limit - writer.length) // len(cycle) + 1)
    writer.write(cycle * whole)
    writer.write("".join(fresh[:rest]))


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


def _pick(choices: list[str] | tuple[int, int], rng: random.Random, pleasant: bool = True) -> str:
    if isinstance(choices, tuple):
        low, high = choices
        if _SURROGATES[0] <= low and high <= _SURROGATES[1]:
            raise RegexExampleError("character class holds only surrogates, which no text can carry")
        code = rng.randint(low, high)
        return chr(code) if not _SURROGATES[0] <= code <= _SURROGATES[1] else chr(low if low < _SURROGATES[0] else high)
    # Bias towards the first (pleasant) characters so examples read like words.
    if pleasant and len(choices) > 8 and rng.random() < 0.8:
        return rng.choice(choices[: max(8, len(choices) // 2)])
    return rng.choice(choices)
