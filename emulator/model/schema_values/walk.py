"""The schema walk behind `generate_value`: one value per schema node.

Each node is answered by trying candidates in order of plausibility and
keeping the first that its own subschema accepts.  Recursion through `$ref`
switches to "minimal" mode (null branch, fewest items, required properties
only) so that recursive schemas end.
"""

from __future__ import annotations

import random
import re
from typing import AbstractSet, Any, Iterator

from faker import Faker
from jsonschema.protocols import Validator

from emulator.contract.linear_regex import PatternError, search
from emulator.contract.refs import UnresolvedRef, resolve_local_ref
from emulator.model.schema_values.budget import OutputBudget, WorkLimit, json_size
from emulator.model.schema_values.formats import format_example
from emulator.model.schema_values.mentions import Mentions
from emulator.model.schema_values.merge import canonical, merge_schemas
from emulator.model.schema_values.number_candidates import numbers_within
from emulator.model.schema_values.plausible import (
    CODE_WORDS,
    QUERY_WORDS,
    name_words,
    place_role,
    plausible_number,
    plausible_string,
    singular,
)
from emulator.model.schema_values.regex_examples import RegexExampleError, Size, regex_example

_MAX_DEPTH = 64
_MAX_SAME_REF = 3
_ELEMENT_TRIES = 8
_MAX_MENTIONED_ITEMS = 10
# Items (and extra properties) made anew; past these, a long array repeats them, so
# `minItems: 1000000` costs what the reply can hold at a few microseconds an item.
_FRESH_ITEMS = 16
# (size, pleasant characters?) of the strings tried for a `pattern`; the even picks give a
# lookahead such as `(?=.*\d)` its chance.
_PATTERN_TRIES: tuple[tuple[Size, bool], ...] = (
    ("normal", True), ("min", True), ("long", True), ("normal", True), ("normal", True), ("min", True),
    ("normal", False), ("normal", False), ("long", False), ("normal", False))
# Words a filler string is made of (a string longer than the reply is cut anyway).
_FILLER_WORDS = 32
_FOLDED = "x-emulator-folded"
# Keys beside a $ref that add no constraint, so the ref can be followed alone.
_NOT_CONSTRAINTS = frozenset({"$ref", "$defs", "definitions", "$schema", "$id", "$anchor", "$comment", "title",
                              "description", "examples", "default", "deprecated", "readOnly", "writeOnly"})
_TYPE_FAMILIES = (
    ("object", ("properties", "required", "additionalProperties", "patternProperties", "minProperties",
                "maxProperties", "propertyNames", "dependentRequired", "dependentSchemas")),
    ("array", ("items", "prefixItems", "minItems", "maxItems", "uniqueItems", "contains", "minContains",
               "maxContains", "additionalItems")),
    ("string", ("minLength", "maxLength", "pattern", "format", "contentEncoding", "contentMediaType")),
    ("number", ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf")),
)
# Properties that hold a person's name, and name-like properties that do not.
_PERSON_WORDS = frozenset({"name", "fullname", "author", "customer", "person", "owner", "recipient", "sender",
                           "contact", "attendee", "assignee", "guest", "patient", "employee", "speaker"})
_NOT_PERSON_WORDS = frozenset({"file", "filename", "domain", "host", "company", "product", "city", "country",
                               "street", "project", "model", "tool", "function", "event", "team", "brand"})
_EMAIL_WORDS = frozenset({"email", "mail", "cc", "bcc"})
_URL_WORDS = frozenset({"url", "uri", "link", "website", "homepage", "href"})
_DATE_WORDS = frozenset({"date", "day", "birthday", "dob", "deadline"})
# Identifiers and machine formats should not swallow a quoted phrase meant for a text field.
_NOT_FOR_QUOTES = frozenset({"id", "uuid", "guid", "identifier", "email", "mail", "url", "uri", "link",
                             "phone", "date", "time", "at", "timestamp", "zip", "postcode"})
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


# Candidate values with what of the user's message each uses (None: nothing).
Candidates = Iterator[tuple[Any, "str | tuple[str, int] | None"]]


class Unsatisfiable(Exception):
    """No candidate fits; the message names the JSON path."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"cannot generate a value at {path}: {reason}")


class TooMuchWork(Exception):
    """The schema asks for more values than one generation may make; the message names the path."""

    def __init__(self, path: str) -> None:
        super().__init__(f"cannot generate a value at {path}: the schema asks for more distinct values "
                         "than the emulator makes for one reply")


class Walker:
    """One generation attempt. `mentions` is None in the plain (constraints-only) strategy."""

    def __init__(self, root: Any, validator: Validator, rng: random.Random, fake: Faker,
                 mentions: Mentions | None, budget: OutputBudget | None = None,
                 work: WorkLimit | None = None) -> None:
        self.root = root
        # What the reply can still hold; once spent, values are placeholders the cut removes.
        self.budget = budget or OutputBudget(None)
        self.work = work or WorkLimit(root)
        self.validator = validator
        self.rng = rng
        self.fake = fake
        self.mentions = mentions
        # Mentions already given to a property: texts, and numbers by position (the user
        # may well say "2 adults and 2 children").
        self.used: set[str | tuple[str, int]] = set()
        self.refs: list[str] = []
        self.depth = 0
        self._checkers: dict[int, tuple[Any, Validator]] = {}

    # -- dispatch ---------------------------------------------------------------

    def value(self, schema: Any, path: str, name: str, minimal: bool, exclude: AbstractSet[str]) -> Any:
        if self.budget.exhausted:
            return None  # past the completion budget: the reply is cut before this value
        if not self.work.visit():
            raise TooMuchWork(path)
        if schema is True or schema == {}:
            return self._string({}, path, name)
        if not isinstance(schema, dict):
            raise Unsatisfiable(path, "the schema is false" if schema is False else "the schema is not an object")
        if self.depth > _MAX_DEPTH:
            raise Unsatisfiable(path, "the schema nests too deeply")
        self.depth += 1
        try:
            return self._dispatch(schema, path, name, minimal, exclude)
        finally:
            self.depth -= 1

    def _dispatch(self, schema: dict[str, Any], path: str, name: str, minimal: bool,
                  exclude: AbstractSet[str]) -> Any:
        if "$ref" in schema:
            return self._ref(schema, path, name, minimal, exclude)
        if "allOf" in schema and _FOLDED not in schema:
            return self.value(self._fold_all_of(schema, path), path, name, minimal, exclude)
        if "const" in schema:
            if canonical(schema["const"]) in exclude:
                raise Unsatisfiable(path, "const cannot repeat in a uniqueItems array")
            return schema["const"]
        if "enum" in schema:
            return self._enum(schema, path, exclude)
        if "anyOf" in schema or "oneOf" in schema:
            return self._union(schema, path, name, minimal, exclude)
        return self._typed(schema, path, name, minimal, exclude)

    def fits(self, schema: Any, value: Any) -> bool:
        # Keyed by id(): the schema is stored alongside so its id cannot be reused
        # by a later temporary (merged) schema while this walker lives.
        entry = self._checkers.get(id(schema))
        if entry is None:
            entry = self._checkers[id(schema)] = (schema, self.validator.evolve(schema=schema))
        return entry[1].is_valid(value)

    # -- composition --------------------------------------------------------------

    def _ref(self, schema: dict[str, Any], path: str, name: str, minimal: bool, exclude: AbstractSet[str]) -> Any:
        ref = schema["$ref"]
        seen = self.refs.count(ref)
        if seen >= _MAX_SAME_REF:
            raise Unsatisfiable(path, f"recursive $ref {ref!r} has no finite value")
        try:
            target = resolve_local_ref(self.root, ref)
        except UnresolvedRef as exc:
            raise UnresolvedRef(f"{exc} (at {path})") from exc
        siblings = {k: v for k, v in schema.items() if k not in _NOT_CONSTRAINTS}
        if siblings:
            target = {"allOf": [target, siblings]}
        self.refs.append(ref)
        try:
            # Meeting a $ref we are already inside: take the shortest way out.
            return self.value(target, path, name, minimal or seen > 0, exclude)
        finally:
            self.refs.pop()

    def _fold_all_of(self, schema: dict[str, Any], path: str) -> dict[str, Any]:
        merged = {k: v for k, v in schema.items() if k != "allOf"}
        for part in schema["allOf"]:
            if part is False:
                raise Unsatisfiable(path, "allOf contains false")
            if not isinstance(part, dict):
                continue
            for _ in range(_MAX_SAME_REF * 4):
                if "$ref" not in part:
                    break
                rest = {k: v for k, v in part.items() if k not in _NOT_CONSTRAINTS}
                part = merge_schemas(resolve_local_ref(self.root, part["$ref"]), rest)
            else:
                raise Unsatisfiable(path, "$ref cycle with no schema to stop at")
            if "allOf" in part:
                part = self._fold_all_of(part, path)
            merged = merge_schemas(merged, part)
        # What could not be folded stays under allOf for the checks to enforce; the
        # marker (ignored by jsonschema as an unknown keyword) stops us folding again.
        return {**merged, _FOLDED: True} if "allOf" in merged else merged

    def _union(self, schema: dict[str, Any], path: str, name: str, minimal: bool, exclude: AbstractSet[str]) -> Any:
        keyword = "oneOf" if "oneOf" in schema else "anyOf"
        base = {k: v for k, v in schema.items() if k != keyword}
        branches = list(schema[keyword])
        for branch in self._branch_order(branches, minimal):
            candidate = merge_schemas(base, branch) if isinstance(branch, dict) and base else branch
            for _ in range(3):  # a oneOf value may also match a sibling branch; vary it
                try:
                    found = self.value(candidate, path, name, minimal, exclude)
                except Unsatisfiable:
                    break
                if self.budget.exhausted or self.fits(schema, found):
                    return found
        raise Unsatisfiable(path, f"no branch of {keyword} can be satisfied")

    def _branch_order(self, branches: list[Any], minimal: bool) -> list[Any]:
        def is_null(branch: Any) -> bool:
            return isinstance(branch, dict) and branch.get("type") == "null"

        def loops(branch: Any) -> bool:
            return isinstance(branch, dict) and branch.get("$ref") in self.refs

        # Listed order otherwise: authors put the main type first (pydantic's Decimal is
        # number-then-string, Optional[X] is X-then-null), and a model would answer with it.
        middle = [b for b in branches if not is_null(b) and not loops(b)]
        nulls = [b for b in branches if is_null(b)]
        looping = [b for b in branches if loops(b)]
        return [*nulls, *middle, *looping] if minimal or looping else [*middle, *nulls, *looping]

    def _enum(self, schema: dict[str, Any], path: str, exclude: AbstractSet[str]) -> Any:
        options = list(schema["enum"])
        self.rng.shuffle(options)
        mentions = self.mentions
        if mentions is not None:
            # A value the user named wins ("in celsius" -> "celsius").
            options.sort(key=lambda v: not (isinstance(v, str) and mentions.mentions_word(v)))
        for option in options:
            if canonical(option) not in exclude and self.fits(schema, option):
                return option
        raise Unsatisfiable(path, "no enum value satisfies the other keywords")

    # -- types --------------------------------------------------------------------

    def _typed(self, schema: dict[str, Any], path: str, name: str, minimal: bool, exclude: AbstractSet[str]) -> Any:
        types = self._types(schema)
        if not types:
            raise Unsatisfiable(path, "no type is allowed")
        if minimal and "null" in types:
            types = ["null", *(t for t in types if t != "null")]
        last: Unsatisfiable | None = None
        for kind in types:
            try:
                found = self._of_type(kind, schema, path, name, minimal, exclude)
            except Unsatisfiable as exc:
                last = exc
                continue
            if len(types) == 1 or self.budget.exhausted or self.fits(schema, found):
                return found
        raise last or Unsatisfiable(path, f"no value of type {types} fits")

    def _types(self, schema: dict[str, Any]) -> list[str]:
        declared = schema.get("type")
        if declared is not None:
            listed = [declared] if isinstance(declared, str) else list(declared)
            # Non-null first: a real value is more useful than null when both are allowed.
            return [t for t in listed if t != "null"] + [t for t in listed if t == "null"]
        inferred = [kind for kind, keys in _TYPE_FAMILIES if any(k in schema for k in keys)]
        for sample in (schema.get("default"), *schema.get("examples", ())):
            kind = _json_type(sample)
            if kind and kind not in inferred and sample is not None:
                inferred.append(kind)
        return inferred or ["string"]

    def _of_type(self, kind: str, schema: dict[str, Any], path: str, name: str, minimal: bool,
                 exclude: AbstractSet[str]) -> Any:
        if kind == "object":
            return self._object(schema, path, name, minimal)
        if kind == "array":
            return self._array(schema, path, name, minimal)
        if kind == "string":
            return self._string(schema, path, name, exclude)
        if kind in ("number", "integer"):
            return self._number(schema, path, name, kind == "integer", exclude)
        if kind == "boolean":
            options = [True, False] if self.rng.random() < 0.5 else [False, True]
            return _first_unused(options, exclude, path)
        if kind == "null":
            return _first_unused([None], exclude, path)
        raise Unsatisfiable(path, f"unknown type {kind!r}")

    # -- objects and arrays ---------------------------------------------------------

    def _object(self, schema: dict[str, Any], path: str, name: str, minimal: bool) -> dict[str, Any]:
        properties: dict[str, Any] = schema.get("properties") or {}
        required = [r for r in schema.get("required", ()) if isinstance(r, str)]
        optional = [] if minimal else [p for p in properties if p not in required]
        keys = [p for p in properties if p in required or p in optional]
        keys += [r for r in required if r not in properties]
        most = schema.get("maxProperties")
        if most is not None and len(keys) > most:
            keys = [k for k in keys if k in required] + [k for k in keys if k not in required]
            keys = keys[:max(most, len(required))]
        result: dict[str, Any] = {}
        for key in keys:
            try:
                self._put(result, key, self.value(self._property_schema(schema, key, path), _child(path, key), key,
                                                  minimal, frozenset()))
            except Unsatisfiable:
                if key in required:
                    raise
        for key in list(result):
            for needed in schema.get("dependentRequired", {}).get(key, ()):
                if needed not in result:
                    self._put(result, needed, self.value(self._property_schema(schema, needed, path),
                                                         _child(path, needed), needed, minimal, frozenset()))
        self._fill_properties(schema, result, path, name, minimal)
        return result

    def _put(self, result: dict[str, Any], key: str, value: Any) -> None:
        result[key] = value
        self.budget.commit(value, key)

    def _fill_properties(self, schema: dict[str, Any], result: dict[str, Any], path: str, name: str,
                         minimal: bool) -> None:
        """Extra properties up to `minProperties`; past a few, values are reused (keys stay distinct)."""
        fewest = schema.get("minProperties", 0)
        made: dict[int, tuple[Any, int]] = {}  # id(property schema) -> (a value made for it, its size)
        extra = 0
        while len(result) < fewest and not self.budget.exhausted:
            extra += 1
            if extra > 4 * fewest + 8:
                raise Unsatisfiable(path, "cannot find enough property names for minProperties")
            key = self._extra_key(schema, path, name, extra)
            if key in result:
                continue
            sub = self._property_schema(schema, key, path)
            if id(sub) in made and extra > _FRESH_ITEMS:
                value, size = made[id(sub)]
                result[key] = value
                self.budget.spend(size + len(key) + 3)
                continue
            self._put(result, key, self.value(sub, _child(path, key), key, minimal, frozenset()))
            made[id(sub)] = (result[key], json_size(result[key]))

    def _property_schema(self, schema: dict[str, Any], key: str, path: str) -> Any:
        properties = schema.get("properties") or {}
        if key in properties:
            return properties[key]
        for pattern, sub in (schema.get("patternProperties") or {}).items():
            try:
                if search(pattern, key):
                    return sub
            except PatternError as exc:
                raise Unsatisfiable(path, str(exc)) from None
        additional = schema.get("additionalProperties", True)
        if additional is False:
            raise Unsatisfiable(_child(path, key), "required but not allowed by additionalProperties")
        return additional

    def _extra_key(self, schema: dict[str, Any], path: str, name: str, index: int) -> str:
        patterns = list((schema.get("patternProperties") or {}))
        if patterns and schema.get("additionalProperties") is False:
            try:
                return regex_example(patterns[index % len(patterns)], self.rng, limit=self.budget.room)
            except RegexExampleError as exc:
                raise Unsatisfiable(path, str(exc)) from exc
        names = schema.get("propertyNames")
        if isinstance(names, dict) and names:
            return str(self.value({**names, "type": "string"}, path, "key", False, frozenset()))
        return f"{singular(name) or 'key'}_{index}"

    def _array(self, schema: dict[str, Any], path: str, name: str, minimal: bool) -> list[Any]:
        prefix = list(schema.get("prefixItems", ()))
        items = schema.get("items", True)
        if isinstance(items, list):  # draft-04 tuple form
            prefix, items = items, schema.get("additionalItems", True)
        fewest = schema.get("minItems", 0)
        most = schema.get("maxItems")
        if items is False:
            most = len(prefix) if most is None else min(most, len(prefix))
        contains = schema.get("contains")
        must_contain = schema.get("minContains", 1) if contains is not None else 0
        size = fewest if minimal else max(fewest, self.rng.randint(1, 3))
        size = max(size, must_contain)
        if most is not None:
            size = min(size, most)
        unique = bool(schema.get("uniqueItems"))
        item_name = singular(name)
        result: list[Any] = []
        seen: set[str] = set()
        first_was_mentioned = False
        # Items past the prefix and `contains` all follow `items`: past a few, they are repeated.
        uniform_from = max(len(prefix), must_contain)
        sizes: list[int] = []
        index = -1
        while (index := index + 1) < size and not self.budget.exhausted:
            if not unique and index >= uniform_from + _FRESH_ITEMS and not first_was_mentioned:
                slot = (index - uniform_from) % _FRESH_ITEMS
                result.append(result[uniform_from + slot])
                self.budget.spend(sizes[slot] + 1)
                continue
            element = prefix[index] if index < len(prefix) else items
            if index < must_contain:
                element = contains if element in (True, {}) else {"allOf": [element, contains]}
            used_before = len(self.used)
            found = self._element(element, _child(path, index), item_name, minimal, seen if unique else None)
            mentioned = len(self.used) > used_before
            if found is _NOTHING or (first_was_mentioned and not mentioned):
                # "Email alice@corp.com" is a list of one: once the user's values run out, stop.
                if index >= fewest:
                    break
                if found is _NOTHING:
                    raise Unsatisfiable(_child(path, index), "cannot find enough distinct items for uniqueItems")
            if index == 0 and mentioned:
                # Take every value the user listed, not just as many as we would have made up.
                first_was_mentioned = True
                size = max(size, min(most if most is not None else _MAX_MENTIONED_ITEMS, _MAX_MENTIONED_ITEMS))
            result.append(found)
            self.budget.commit(found)
            if unique:
                seen.add(canonical(found))
            elif index >= uniform_from and len(sizes) < _FRESH_ITEMS:
                sizes.append(json_size(found))
        return result

    def _element(self, schema: Any, path: str, name: str, minimal: bool, seen: set[str] | None) -> Any:
        if seen is None:
            return self.value(schema, path, name, minimal, frozenset())
        for _ in range(_ELEMENT_TRIES):
            try:
                found = self.value(schema, path, name, minimal, seen)  # read only: no copy per item
            except Unsatisfiable:
                return _NOTHING
            if self.budget.exhausted or canonical(found) not in seen:
                return found
        return _NOTHING

    # -- strings ----------------------------------------------------------------------

    def _string(self, schema: dict[str, Any], path: str, name: str, exclude: AbstractSet[str] = frozenset()) -> str:
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
        yield from self._mentioned_strings(name, fmt, pattern)
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

    def _mentioned_strings(self, name: str, fmt: str | None, pattern: str | None) -> Iterator[tuple[str, str]]:
        if self.mentions is None:
            return
        words = set(name_words(name))
        pools: list[tuple[str, tuple[str, ...]]] = []
        role = place_role(name)
        if role is not None and not fmt:  # before codes: "JFK" fills `origin` as a place, by its role in the trip
            pools.append(("place", self._places_for(role)))
        if (pattern or words & CODE_WORDS) and not fmt:
            pools.append(("code", self.mentions.codes))
        if fmt == "email" or words & _EMAIL_WORDS:
            pools.append(("email", self.mentions.emails))
        if fmt in ("uri", "url") or words & _URL_WORDS:
            pools.append(("url", self.mentions.urls))
        if fmt == "date" or words & _DATE_WORDS:
            pools.append(("date", self.mentions.dates))
        if words & _PERSON_WORDS and not words & _NOT_PERSON_WORDS and not fmt:
            pools.append(("name", self.mentions.names))
        if not fmt and not words & _NOT_FOR_QUOTES:
            pools.append(("quoted", self.mentions.quoted))
        if words & QUERY_WORDS and not fmt and not pattern and self.mentions.topic:
            pools.append(("topic", (self.mentions.topic,)))  # after quotes: 'search "x"' means x
        for _, pool in pools:
            for text in pool:
                if text not in self.used:
                    yield text, text

    def _places_for(self, role: str) -> tuple[str, ...]:
        """The places (and airport codes) a place-like property takes, best first. In a trip ("from X to
        Y", "X to Y") the property's end of it, then every stop in the order the message gives them."""
        assert self.mentions is not None
        m = self.mentions
        ends = m.origins if role == "origin" else m.destinations if role == "destination" else ()
        if m.origins or m.destinations:
            return ends + m.stops
        return m.places + m.stops

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

    # -- numbers ----------------------------------------------------------------------

    def _number(self, schema: dict[str, Any], path: str, name: str, integer: bool, exclude: AbstractSet[str]) -> Any:
        for candidate, mention in self._number_candidates(schema, name, integer):
            if candidate is None or isinstance(candidate, bool) or not isinstance(candidate, (int, float)):
                continue
            if integer and not float(candidate).is_integer():
                continue
            value = int(candidate) if float(candidate).is_integer() and abs(candidate) < 2**53 else candidate
            if canonical(value) not in exclude and self.fits(schema, value):
                if mention is not None:
                    self.used.add(mention)
                return value
        raise Unsatisfiable(path, "no number satisfies the constraints")

    def _number_candidates(self, schema: dict[str, Any], name: str, integer: bool) -> Candidates:
        if self.mentions is not None:
            for index, number in enumerate(self.mentions.numbers):
                if ("number", index) not in self.used:
                    yield number, ("number", index)
        for sample in (*schema.get("examples", ()), schema.get("default")):
            yield sample, None
        if self.mentions is not None:
            yield plausible_number(name, self.rng), None
        for value in numbers_within(schema, integer, self.rng):
            yield value, None


_NOTHING = object()


def _first_unused(options: list[Any], exclude: AbstractSet[str], path: str) -> Any:
    for option in options:
        if canonical(option) not in exclude:
            return option
    raise Unsatisfiable(path, "no distinct value left for uniqueItems")


def _child(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if _IDENTIFIER.fullmatch(key) else f"{path}[{key!r}]"


def _json_type(value: Any) -> str | None:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    for kind, python in (("string", str), ("array", list), ("object", dict)):
        if isinstance(value, python):
            return kind
    return None
