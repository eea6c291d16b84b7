"""Client-chosen regular expressions (`pattern`, `patternProperties`, regex grammars), matched in
linear time.

Python's `re` backtracks: `^(a+)+$` against 31 characters takes minutes, and one such request
would stall every client of the server. RE2 (google-re2) matches in time linear in the text and
refuses what needs backtracking: lookarounds and backreferences, as the live API's own regex
support does ("regex lookaround is not supported"). JSON Schema patterns are ECMA-262 regexes;
the few spellings RE2 writes differently (`\\uXXXX`, `\\Z`) are translated.

Lookaheads right after a leading `^` (`^(?=.*\\d)(?!\\.)...`, how password and e-mail rules are
written) are checked exactly: each is its own RE2 pattern anchored at the start. Any other
pattern RE2 cannot take whole is widened to one it can: other lookarounds are dropped, a
backreference matches any text, a repeat count above RE2's 1000 becomes "at least 1000". The
widened pattern accepts everything the original does (and more), so a check with it never
refuses a right value; `LinearPattern.exact` says whether the check is exact.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from re import _parser  # type: ignore[attr-defined]

__all__ = ["LinearPattern", "PatternError", "linear_pattern", "search"]

_MAX_REPEAT = 1000  # RE2's largest repeat count
_MAX_CACHED_LENGTH = 4096  # longer patterns are compiled per use, so the cache stays small
_CACHED_PATTERNS = 128  # with max_mem, at most 32 MiB however hostile the patterns
_LOOKAROUNDS = ("(?=", "(?!", "(?<=", "(?<!")
_REPEAT = re.compile(r"\{(\d+)(,(\d*))?\}")
_HEX4 = re.compile(r"[0-9a-fA-F]{4}")
_LOOKAROUND_OR_BACKREFERENCE = re.compile(r"\(\?<?[=!]|\\[1-9k]|\(\?P=")


class PatternError(ValueError):
    """The text is not a regular expression at all (unbalanced parenthesis, bad escape...)."""

    def __init__(self, pattern: str, reason: str) -> None:
        super().__init__(f"invalid pattern {pattern!r}: {reason}")
        self.reason = reason


@dataclass(frozen=True)
class LinearPattern:
    source: str
    regexp: Any  # a compiled RE2 pattern; None when even the widened pattern is beyond RE2
    exact: bool  # False when lookarounds or backreferences were widened away
    unsupported: str | None  # "lookaround" or "backreference": what a linear engine cannot do
    # Lookaheads after a leading `^`: (must match?, RE2 pattern anchored at the start).
    leading: tuple[tuple[bool, Any], ...] = ()

    def search(self, text: str) -> bool:
        """True when the pattern (widened when not exact) matches somewhere in `text`.

        Without a compiled form nothing can be checked in linear time, so every text passes:
        the value was built from the pattern's own parse tree (see `regex_examples`).
        """
        if self.regexp is None:
            return True
        try:
            return (all((ahead.search(text) is not None) == wanted for wanted, ahead in self.leading)
                    and self.regexp.search(text) is not None)
        except UnicodeEncodeError:  # a lone surrogate cannot be matched as UTF-8
            return False


def search(pattern: str, text: str) -> bool:
    return linear_pattern(pattern).search(text)


def linear_pattern(pattern: str) -> LinearPattern:
    """The linear-time form of `pattern`; raises `PatternError` when it is not a regex."""
    if len(pattern) <= _MAX_CACHED_LENGTH:
        return _cached(pattern)
    return _build(pattern)


@lru_cache(maxsize=_CACHED_PATTERNS)
def _cached(pattern: str) -> LinearPattern:
    return _build(pattern)


@lru_cache(maxsize=1)
def _re2() -> tuple[Any, Any]:
    """The `re2` module and the options every pattern compiles with. Imported at the first pattern a
    client sends, not at start-up: it is 2.6 MiB of the served process, and most servers never
    see a pattern."""
    import re2  # type: ignore[import-untyped]  # google-re2 ships no type hints

    options = re2.Options()
    options.log_errors = False  # RE2 would print every refused pattern on stderr
    # Memory one compiled pattern may use, its match-time DFA cache included (RE2's default is 8 MiB);
    # a pattern needing more is left unchecked, a DFA needing more falls back to RE2's (linear) NFA.
    options.max_mem = 256 * 1024
    return re2, options


def _build(pattern: str) -> LinearPattern:
    try:
        _parser.parse(pattern)  # parsing does not match, so it cannot backtrack
    except RecursionError:
        raise PatternError(pattern, "it nests too deeply") from None
    except (re.error, OverflowError, ValueError) as exc:
        raise PatternError(pattern, str(exc)) from None
    rest, leading = _leading_lookaheads(pattern)
    translated, unsupported, widened = _translate(rest)
    re2, options = _re2()
    try:
        regexp = re2.compile(translated, options)
        lookaheads = tuple((wanted, re2.compile("^(?:" + _translate(body)[0] + ")", options))
                           for wanted, body in leading)
    except re2.error:
        return LinearPattern(pattern, None, False, unsupported or ("lookaround" if leading else None))
    unsupported = unsupported or ("lookaround" if leading else None)
    exact = not widened and not any(_LOOKAROUND_OR_BACKREFERENCE.search(body) for _, body in leading)
    return LinearPattern(pattern, regexp, exact, unsupported, lookaheads)


def _leading_lookaheads(pattern: str) -> tuple[str, list[tuple[bool, str]]]:
    """`^(?=A)(?!B)rest` -> ("^rest", [(True, "A"), (False, "B")]); other patterns unchanged."""
    if not pattern.startswith("^"):
        return pattern, []
    found: list[tuple[bool, str]] = []
    i = 1
    while pattern.startswith(("(?=", "(?!"), i):
        end = _group_end(pattern, i)
        found.append((pattern[i + 2] == "=", pattern[i + 3:end - 1]))
        i = end
    return "^" + pattern[i:], found


def _translate(pattern: str) -> tuple[str, str | None, bool]:
    """RE2 syntax for an ECMA/Python `pattern`, widened where RE2 cannot follow; the first
    construct RE2 cannot express ("lookaround", "backreference") or None; and whether anything
    was widened."""
    out: list[str] = []
    unsupported: str | None = None
    widened = False
    i, n = 0, len(pattern)
    while i < n:
        if pattern.startswith(_LOOKAROUNDS, i):
            unsupported = unsupported or "lookaround"
            i = _group_end(pattern, i)
            continue
        if pattern.startswith("(?P=", i):
            unsupported = unsupported or "backreference"
            out.append(r"[\s\S]*")
            i = pattern.find(")", i) + 1 or n
            continue
        char = pattern[i]
        if char == "[":
            end = _class_end(pattern, i)
            out.append(_escapes(pattern[i:end], in_class=True)[0])
            i = end
            continue
        if char == "\\" and i + 1 < n:
            text, is_backreference, i = _escape(pattern, i)
            if is_backreference:
                unsupported = unsupported or "backreference"
            out.append(text)
            continue
        repeat = _REPEAT.match(pattern, i) if char == "{" else None
        if repeat is not None:
            clamped = _clamped(repeat)
            widened = widened or clamped != repeat.group(0)
            out.append(clamped)
            i = repeat.end()
            continue
        out.append(char)
        i += 1
    return "".join(out), unsupported, widened or unsupported is not None


def _escape(pattern: str, i: int) -> tuple[str, bool, int]:
    """One escape at `i` outside a class: (RE2 text, is it a backreference?, next index)."""
    nxt = pattern[i + 1]
    if nxt in "123456789":
        end = i + 2 + (pattern[i + 2: i + 3].isdigit())
        return r"[\s\S]*", True, end
    if nxt == "k" and pattern.startswith("<", i + 2):
        return r"[\s\S]*", True, (pattern.find(">", i) + 1) or len(pattern)
    text, end = _escapes(pattern[i: i + 6], in_class=False)
    return text, False, i + end


def _escapes(text: str, *, in_class: bool) -> tuple[str, int]:
    """Translate the escapes RE2 spells differently. Outside a class only the first escape of
    `text` is translated; returns (translated text, characters consumed)."""
    out: list[str] = []
    i = 0
    while i < len(text):
        if text[i] == "\\" and i + 1 < len(text):
            nxt = text[i + 1]
            if nxt == "u" and _HEX4.fullmatch(text, i + 2, i + 6):
                out.append(f"\\x{{{text[i + 2:i + 6]}}}")
                i += 6
            elif nxt == "Z" and not in_class:
                out.append(r"\z")
                i += 2
            else:
                out.append(text[i:i + 2])
                i += 2
        else:
            out.append(text[i])
            i += 1
        if not in_class:
            break
    return "".join(out), i


def _clamped(repeat: re.Match[str]) -> str:
    low = int(repeat.group(1))
    high = repeat.group(3)
    if low <= _MAX_REPEAT and (not high or int(high) <= _MAX_REPEAT):
        return repeat.group(0)
    return f"{{{min(low, _MAX_REPEAT)},}}"  # "at least": accepts every count the original does


def _class_end(pattern: str, start: int) -> int:
    """Index just after the character class opening at `start`."""
    i = start + 1
    if pattern.startswith("^", i):
        i += 1
    if pattern.startswith("]", i):
        i += 1  # a leading ] is a literal
    while i < len(pattern):
        if pattern[i] == "\\":
            i += 2
            continue
        if pattern[i] == "]":
            return i + 1
        i += 1
    return len(pattern)


def _group_end(pattern: str, start: int) -> int:
    """Index just after the group opening at `start`, skipping escapes and classes."""
    depth, i = 0, start
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            i += 2
            continue
        if char == "[":
            i = _class_end(pattern, i)
            continue
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return len(pattern)
