"""Values for `type: string`: a mentioned value, the schema's `examples`/`default`, a plausible or
formatted string, strings a `pattern` matches, then padding to `minLength`; a string longer than
the reply can hold is cut where the reply ends."""

from __future__ import annotations

from typing import AbstractSet, Any

from emulator.model.schema_values.formats import format_example
from emulator.model.schema_values.mentioned_strings import mentioned_strings
from emulator.model.schema_values.merge import canonical
from emulator.model.schema_values.plausible import plausible_string
from emulator.model.schema_values.regex_examples import RegexExampleError, Size, regex_example
from emulator.model.schema_values.walk_state import Candidates, Unsatisfiable, WalkState

# (size, pleasant characters?) of the strings tried for a `pattern`; the even picks give a
# lookahead such as `(?=.*\d)` its chance.
_PATTERN_TRIES: tuple[tuple[Size, bool], ...] = (
    ("normal", True), ("min", True), ("long", True), ("normal", True), ("normal", True), ("min", True),
    ("normal", False), ("normal", False), ("long", False), ("normal", False))
# Words a filler string is made of (a string longer than the reply is cut anyway).
_FILLER_WORDS = 32


class StringValues(WalkState):
    def string_value(self, schema: dict[str, Any], path: str, name: str,
                     exclude: AbstractSet[str] = frozenset()) -> str:
        room = self.budget.room
        fewest = schema.get("minLength", 0)
        if isinstance(fewest, int) and fewest > room:
            return self._cut(self._filler("", room + 1))
        for candidate, mention in self._string_candidates(schema, name):
            if not isinstance(candidate, str) or canonical(candidate) in exclude:
                continue
            if len(candidate) > room:
                return self._cut(candidate)
            if self.fits(schema, candidate):
                if mention is not None:
                    self.used.add(mention)
                return candidate
        raise Unsatisfiable(path, "no string satisfies the constraints")

    def _cut(self, text: str) -> str:
        """A string longer than the reply can hold: the reply is cut inside it, so nothing after
        it is made and it is not checked."""
        text = text[: self.budget.room + 1]
        self.budget.spend(len(text))
        return text

    def _string_candidates(self, schema: dict[str, Any], name: str) -> Candidates:
        fmt = schema.get("format")
        pattern = schema.get("pattern")
        fewest, most = schema.get("minLength", 0), schema.get("maxLength")
        if self.mentions is not None:
            yield from mentioned_strings(self.mentions, self.used, name, fmt, pattern)
        for sample in (*schema.get("examples", ()), schema.get("default")):
            yield sample, None
        if self.mentions is not None and not pattern:
            made = format_example(fmt, self.rng, self.fake) if fmt else None
            text = made if made is not None else plausible_string(name, self.rng, self.fake)
            yield text, None
            yield self._fit_length(text, fewest, most), None
        elif fmt:
            yield format_example(fmt, self.rng, self.fake), None
        if pattern:
            for size, pleasant in _PATTERN_TRIES:
                try:
                    example = regex_example(pattern, self.rng, size=size, limit=self.budget.room, pleasant=pleasant)
                    yield example, None
                except RegexExampleError:
                    break
        yield self._fit_length("", fewest, most), None

    def _fit_length(self, text: str, fewest: int, most: int | None) -> str:
        if most is not None and len(text) > most:
            text = text[:most].rstrip() or text[:most]
        if len(text) < fewest:
            text = self._filler(text, min(fewest, self.budget.room + 1))
        return text[:most] if most is not None else text

    def _filler(self, start: str, length: int) -> str:
        """`start` lengthened with words to at least `length` characters, in linear time: past a
        few words, the words made so far repeat."""
        if self.mentions is None:
            word = "x" * (length - len(start))
            return f"{start} {word}" if start else word
        parts = [start] if start else []
        total = len(start)
        while total < length and len(parts) < _FILLER_WORDS:
            word = self.fake.word()
            total += len(word) + (1 if parts else 0)
            parts.append(word)
        text = " ".join(parts)
        if len(text) < length:
            cycle = " " + text
            text += cycle * ((length - len(text)) // len(cycle) + 1)
        return text
