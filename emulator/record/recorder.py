"""`Recorder`: exchanges → scenarios, appended in order to one YAML file per namespace (or to one given file).

The same request recorded again (same match) becomes the next step of that scenario's `sequence`,
so replay answers in the order the upstream did: a 429 then a success replays as a 429 then a
success. Files hold no wall-clock fields and keys keep a fixed order: recording the same traffic
again writes the same bytes. A file that existed before keeps its text; new scenarios follow it.
"""
from __future__ import annotations

import os
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

import yaml

from ..scenarios.conversation import canonical_json
from ..scenarios.engine import EMBEDDINGS
from .answers import step_for
from .embeddings import embedding_recordings
from .exchange import Exchange
from .redact import Redactor
from .request_match import description, match_for
from .yaml_writer import dump, dump_items, plain

HEADER = ("# Recorded by chat-emulator: each scenario is a request's match and the answer it got.\n"
          "# Replay: chat-emulator serve --scenarios <this folder> --strict (docs/record-replay.md).\n")
_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")


def recordings_of(exchange: Exchange, timing: bool = False) -> list[tuple[dict[str, Any], str, dict[str, Any]]]:
    """`(match, description, step)` of each scenario the exchange records: one per call, and for
    embeddings one per input (their scenarios match per input)."""
    if exchange.api == EMBEDDINGS:
        return embedding_recordings(exchange)
    return [(match_for(exchange.api, exchange.match_body, exchange.namespace), description(exchange.match_body),
             step_for(exchange, timing))]


def file_stem(namespace: str) -> str:
    return _UNSAFE.sub("_", namespace).strip("._") or "default"


@dataclass
class _Recording:
    name: str
    description: str
    match: dict[str, Any]
    steps: list[dict[str, Any]] = field(default_factory=list)

    def as_scenario(self) -> dict[str, Any]:
        scenario: dict[str, Any] = {"name": self.name, "description": self.description, "match": self.match}
        if len(self.steps) == 1:
            return scenario | self.steps[0]
        return scenario | {"sequence": self.steps}


class _File:
    """One recording file: the text it had before (kept as is) and the scenarios recorded since."""

    def __init__(self, path: Path, fresh: bool, prefix: str | None = None) -> None:
        self.path = path
        self.prefix = prefix or path.stem  # scenario names: `<prefix>-<n>`, unique across a folder
        self.before = "" if fresh or not path.exists() else path.read_text(encoding="utf-8")
        data = yaml.safe_load(self.before) if self.before.strip() else None
        existing: list[Any] = (data.get("scenarios") or []) if isinstance(data, dict) else []
        self.names = {s.get("name") for s in existing if isinstance(s, dict)}
        self.indent = 2
        if existing:
            found = re.search(r"^scenarios:[ \t]*\n(?:[ \t]*(?:#.*)?\n)*([ \t]*)- ", self.before, re.M)
            if found is None or not isinstance(data, dict) or set(data) != {"scenarios"}:  # not a plain block list: write it out again
                self.before = HEADER + dump({"scenarios": existing})
            else:
                self.indent = len(found.group(1))
        self.recorded: list[_Recording] = []
        self.by_match: dict[str, _Recording] = {}

    def add(self, match: dict[str, Any], description: str, step: dict[str, Any]) -> str:
        key = canonical_json(plain(match))
        recording = self.by_match.get(key)
        if recording is None:
            recording = _Recording(self._new_name(), description, match)
            self.recorded.append(recording)
            self.by_match[key] = recording
        recording.steps.append(step)
        return recording.name

    def _new_name(self) -> str:
        stem = self.prefix
        index = len(self.recorded) + 1
        while f"{stem}-{index}" in self.names:
            index += 1
        self.names.add(f"{stem}-{index}")
        return f"{stem}-{index}"

    def text(self) -> str:
        items = [r.as_scenario() for r in self.recorded]
        if not self.before.strip():
            return HEADER + dump({"scenarios": items})
        text = self.before if self.before.endswith("\n") else self.before + "\n"
        return text + dump_items(items, self.indent)

    def write(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        temporary.write_text(self.text(), encoding="utf-8")
        os.replace(temporary, self.path)  # readers (and a crash) see the old file or the new one, never half


class Recorder:
    """Writes exchanges as scenarios. `Recorder(folder)` keeps one file per namespace
    (`<folder>/<namespace>.yaml`); `Recorder(file=path)` writes every exchange to that file."""

    def __init__(self, folder: Path | None = None, *, file: Path | None = None, redact: Iterable[str] = (),
                 timing: bool = False, fresh: bool = False, name_prefix: str | None = None) -> None:
        if (folder is None) == (file is None):
            raise ValueError("give a folder or a file to record to")
        self.folder, self.file = folder, file
        self.redactor = Redactor(redact)
        self.timing = timing
        self.fresh = fresh  # start the files anew instead of adding to what they hold
        self.name_prefix = name_prefix
        self._files: dict[Path, _File] = {}
        self._lock = threading.Lock()

    def path_for(self, namespace: str) -> Path:
        if self.file is not None:
            return self.file
        assert self.folder is not None
        return self.folder / f"{file_stem(namespace)}.yaml"

    def record(self, exchange: Exchange) -> str:
        """Add the exchange to its file and write the file; returns the scenarios' names."""
        exchange = self.redactor.exchange(exchange)
        entries = recordings_of(exchange, self.timing)
        path = self.path_for(exchange.namespace)
        with self._lock:
            recording = self._files.get(path)
            if recording is None:
                recording = self._files[path] = _File(path, self.fresh, self.name_prefix)
            names = [recording.add(*entry) for entry in entries]
            recording.write()
        return ", ".join(dict.fromkeys(names))

    @property
    def paths(self) -> list[Path]:
        return sorted(self._files)
