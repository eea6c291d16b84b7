"""Read scenario files (YAML or JSON), keep each value's line, and check them against `schema.json`.

A mistake is reported as `<file>:<line>: <what is wrong> (at <json path>)`, every mistake of a
file at once, so a user fixes a file in one go. The validator is built once, on first use.
"""
from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Sequence

import yaml

SCHEMA_PATH = Path(__file__).with_name("schema.json")
SUFFIXES = (".yaml", ".yml", ".json")
INLINE = "<inline>"

PathItems = Sequence["str | int"]


@dataclass(frozen=True)
class Problem:
    source: str
    line: int | None
    message: str
    path: str = ""

    def __str__(self) -> str:
        where = f"{self.source}:{self.line}" if self.line else self.source
        return f"{where}: {self.message}" + (f" (at {self.path})" if self.path else "")


class ScenarioFileError(ValueError):
    """One or more mistakes in scenario files; `str()` lists them one per line."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(map(str, problems)))


def json_path(items: PathItems) -> str:
    out = ""
    for item in items:
        out += f"[{item}]" if isinstance(item, int) else (f".{item}" if out else str(item))
    return out


# --- parsing with lines ------------------------------------------------------------------------

class _Loader(yaml.SafeLoader):
    """SafeLoader that also reports duplicate keys (PyYAML silently keeps the last one)."""


@dataclass
class Document:
    source: str
    data: Any
    root: yaml.Node | None = None  # None for inline specs: no lines to report

    def line_of(self, items: PathItems, *, key: bool = False) -> int | None:
        """1-based line of the value at `items` (or of its key), the nearest existing ancestor if absent."""
        node = self.root
        if node is None:
            return None
        line = node.start_mark.line + 1
        for item in items:
            found = None
            if isinstance(node, yaml.MappingNode):
                for key_node, value_node in node.value:
                    if key_node.value == item:
                        found = (key_node, value_node)
                        break
            elif isinstance(node, yaml.SequenceNode) and isinstance(item, int) and item < len(node.value):
                found = (node.value[item], node.value[item])
            if found is None:
                return line
            node = found[1]
            line = (found[0] if key else found[1]).start_mark.line + 1
        return line


def parse_text(text: str, source: str) -> Document:
    """Parse YAML or JSON text (JSON is YAML too; JSON files get JSON's own syntax errors)."""
    if source.endswith(".json"):
        try:
            json.loads(text)
        except ValueError as exc:
            line = getattr(exc, "lineno", None)
            raise ScenarioFileError([Problem(source, line, f"invalid JSON: {getattr(exc, 'msg', exc)}")]) from None
        text = text.replace("\t", " ")  # tabs are legal JSON whitespace but not YAML indentation
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        what = " ".join(p for p in (exc.context, exc.problem) if p)
        raise ScenarioFileError([Problem(source, mark.line + 1 if mark else None, f"invalid YAML: {what}")]) from None
    if root is None:
        raise ScenarioFileError([Problem(source, 1, "the file is empty; expected a mapping with 'scenarios'")])
    problems = list(_duplicate_keys(root, source))
    if problems:
        raise ScenarioFileError(problems)
    loader = _Loader("")
    try:
        data = loader.construct_document(root)
    except yaml.constructor.ConstructorError as exc:
        mark = exc.problem_mark
        raise ScenarioFileError([Problem(source, mark.line + 1 if mark else None, f"invalid YAML: {exc.problem}")]) \
            from None
    finally:
        loader.dispose()
    return Document(source, data, root)


def _duplicate_keys(node: yaml.Node, source: str, path: tuple = ()) -> Iterable[Problem]:
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = key_node.value
            if key in seen:
                yield Problem(source, key_node.start_mark.line + 1, f"duplicate key '{key}'", json_path(path))
            seen.add(key)
            yield from _duplicate_keys(value_node, source, path + (key,))
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            yield from _duplicate_keys(item, source, path + (index,))


def read_file(path: Path) -> Document:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioFileError([Problem(str(path), None, f"cannot read the file: {exc}")]) from None
    return parse_text(text, str(path))


def scenario_files(paths: Iterable[Path]) -> list[Path]:
    """The files named, and the .yaml/.yml/.json files under the folders named, in sorted order.

    Hidden files and folders under a folder are passed over: a Kubernetes ConfigMap volume holds each
    file twice (`name.yaml` and `..<timestamp>/name.yaml`), and `.git` or editors' `.name.yaml.swp`
    are no scenarios either."""
    files: list[Path] = []
    for path in paths:
        path = Path(path)
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*") if p.suffix in SUFFIXES and p.is_file()
                                and not _hidden(p.relative_to(path))))
        elif path.exists():
            files.append(path)
        else:
            raise ScenarioFileError([Problem(str(path), None, "no such file or folder")])
    return files


def _hidden(relative: Path) -> bool:
    return any(part.startswith(".") for part in relative.parts)


# --- checking ----------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def schema() -> dict[str, Any]:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def _validator() -> Any:
    from jsonschema import Draft202012Validator  # lazy: only when a file is checked

    return Draft202012Validator(schema())


def check(document: Document) -> None:
    """Raise `ScenarioFileError` listing every mistake: schema first, then what a schema cannot say."""
    problems = [_schema_problem(document, error) for error in _validator().iter_errors(document.data)]
    if not problems:
        from .semantics import semantic_problems

        problems = [Problem(document.source, document.line_of(path, key=key), message, json_path(path))
                    for path, message, key in semantic_problems(document.data)]
    if problems:
        problems.sort(key=lambda p: (p.line or 0, p.path))
        raise ScenarioFileError(_dedupe(problems))


def _dedupe(problems: list[Problem]) -> list[Problem]:
    seen, out = set(), []
    for problem in problems:
        if str(problem) not in seen:
            seen.add(str(problem))
            out.append(problem)
    return out


_TYPE_NAMES = {dict: "an object", list: "a list", str: "a string", bool: "a boolean", int: "an integer",
               float: "a number", type(None): "null"}


def _describe(value: Any) -> str:
    return _TYPE_NAMES.get(type(value), type(value).__name__)


def _schema_problem(document: Document, error: Any) -> Problem:
    path = list(error.absolute_path)
    validator, sub = error.validator, error.schema if isinstance(error.schema, dict) else {}
    key = False
    if validator == "additionalProperties":
        allowed = list(sub.get("properties", {}))
        extras = [k for k in error.instance if k not in allowed]
        path.append(extras[0])
        key = True
        hint = difflib.get_close_matches(str(extras[0]), allowed, n=1)
        message = f"unknown key '{extras[0]}'" + (f" (did you mean '{hint[0]}'?)" if hint else "")
        if not hint and allowed:
            message += "; allowed: " + ", ".join(allowed)
    elif validator == "required":
        missing = re.findall(r"'([^']+)' is a required property", error.message)
        message = sub.get("x-error-required") or f"missing required key '{missing[0] if missing else error.message}'"
    elif validator == "type":
        message = sub.get("x-error-type") or f"expected {_expected(error.validator_value)}"
        message += f", got {_describe(error.instance)}"
    elif validator == "enum":
        hint = difflib.get_close_matches(str(error.instance), [str(v) for v in error.validator_value], n=1)
        message = f"unknown value {error.instance!r}; expected one of: " + ", ".join(map(str, error.validator_value))
        if hint:
            message += f" (did you mean '{hint[0]}'?)"
    elif validator in ("minItems", "minProperties") and not error.instance:
        message = sub.get(f"x-error-{validator}") or "must not be empty"
    else:
        message = error.message
    return Problem(document.source, document.line_of(path, key=key), message, json_path(path))


def _expected(types: Any) -> str:
    names = {"object": "an object", "array": "a list", "string": "a string", "boolean": "a boolean (true/false)",
             "integer": "an integer", "number": "a number", "null": "null"}
    if isinstance(types, str):
        return names.get(types, types)
    return " or ".join(names.get(t, t) for t in types)


# --- whole files and inline specs -------------------------------------------------------------

def normalize_spec(spec: Any) -> dict[str, Any]:
    """An inline spec as a file's content: `{scenarios: [...]}`, one scenario, or a list of them."""
    if isinstance(spec, dict) and "scenarios" in spec:
        return spec
    if isinstance(spec, dict):
        return {"scenarios": [spec]}
    if isinstance(spec, (list, tuple)):
        return {"scenarios": list(spec)}
    raise ScenarioFileError([Problem(INLINE, None, f"expected a scenario (a dict) or a list of them, "
                                                   f"got {_describe(spec)}")])


def load_document(document: Document) -> list[dict[str, Any]]:
    check(document)
    return document.data["scenarios"]


def load_files(paths: Iterable[Path]) -> list[tuple[Document, list[dict[str, Any]]]]:
    """Every file under `paths`, checked; all mistakes of all files in one error."""
    loaded, problems = [], []
    for path in scenario_files(paths):
        try:
            document = read_file(path)
            loaded.append((document, load_document(document)))
        except ScenarioFileError as error:
            problems.extend(error.problems)
    if problems:
        raise ScenarioFileError(problems)
    return loaded
