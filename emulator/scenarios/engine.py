"""`ScenarioEngine`: which scenario answers a request, sequence state per namespace, near misses.

Order (documented in docs/scenarios.md): higher `priority` first; at equal priority, scenarios
added at run time (`add`, `reply_with_text`, `fail_next`, ...) before file scenarios, the most
recently added batch first; file scenarios in file order (files sorted by path). The first
scenario whose conditions all hold and that still has a step to give answers.

Sequence positions and `times` are counted per namespace, named by the `x-emulator-namespace`
request header ("default" without it), so parallel tests do not share state.
"""
from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Iterable

from mypy_extensions import mypyc_attr

from ..contract.chat_request import ChatRequest
from ..contract.embedding_request import EmbeddingInput, EmbeddingRequest
from ..reply import Reply
from .matching import Condition, compile_match
from .near_miss import FailedCondition, NearMiss, explain
from .positions import Positions
from .steps import ScriptedVector, Step

EMBEDDINGS = "embeddings"
NAMESPACE_HEADER = "x-emulator-namespace"
DEFAULT_NAMESPACE = "default"
_NEAREST = 3  # scenarios named in a near-miss explanation


@dataclass
class Scenario:
    name: str
    source: str
    line: int | None
    priority: int
    rank: tuple[int, int, int]  # (group, batch, position): the order at equal priority
    match: dict[str, Any]
    conditions: list[Condition]
    steps: list[Step]
    on_end: str  # "repeat_last", "fall_through" or "restart"
    times: int | None
    added: bool
    fail_next: bool = False  # added by `fail_next`: `clear_fail_next()` removes it

    @property
    def where(self) -> str:
        return f"{self.source}:{self.line}" if self.line else self.source

    @property
    def for_embeddings(self) -> bool:
        """Whether it answers embeddings requests (`api: embeddings`), and only those."""
        return self.match.get("api") == EMBEDDINGS

    def failures(self, request: Any) -> list[FailedCondition]:
        return [c.why_not(request) for c in self.conditions if not c.holds(request)]


def _compile(spec: dict[str, Any], source: str, line: int | None, rank: tuple[int, int, int],
             added: bool, fail_next: bool = False) -> Scenario:
    chaos = spec.get("chaos")
    steps = [Step(s, chaos) for s in spec["sequence"]] if "sequence" in spec else [Step(spec, chaos)]
    return Scenario(spec["name"], source, line, spec.get("priority", 0), rank, spec.get("match") or {},
                    compile_match(spec.get("match")), steps, spec.get("on_end", "repeat_last"), spec.get("times"),
                    added, fail_next)


def _step_index(scenario: Scenario, taken: int) -> int | None:
    """The step a scenario runs after `taken` steps, None when it has none left."""
    if scenario.times is not None and taken >= scenario.times:
        return None
    count = len(scenario.steps)
    if taken < count:
        return taken
    if scenario.on_end == "repeat_last":
        return count - 1
    if scenario.on_end == "restart":
        return taken % count
    return None


@mypyc_attr(allow_interpreted_subclasses=True)  # --workers subclasses it (emulator/workers/)
class ScenarioEngine:
    """The scenarios of one emulator: base ones from files, plus ones added at run time."""

    def __init__(self, positions: Positions | None = None) -> None:
        self._lock = threading.RLock()
        self._paths: list[Path] = []
        self._base: list[Scenario] = []
        self._added: list[Scenario] = []
        self._ordered: list[Scenario] = []
        # The matching order split by what a scenario answers: chat (and Responses) requests, or the
        # inputs of embeddings requests; neither is tried against the other's conditions.
        self._chat: list[Scenario] = []
        self._embeddings: list[Scenario] = []
        self._positions = positions if positions is not None else Positions()  # (namespace, name) → steps taken
        self._usage: dict[str, int] = {}
        self._batches = itertools.count(1)
        self._names = itertools.count(1)
        self._missed: ChatRequest | EmbeddingInput | None = None
        self._watcher: Any = None

    # --- loading -------------------------------------------------------------------------------
    def load_paths(self, paths: Iterable[Path]) -> None:
        """Add the scenario files (or folders of them) to the base set; all-or-nothing."""
        paths = [Path(p) for p in paths]
        with self._lock:
            base = self._read(self._paths + paths)
            self._paths += paths
            self._set_base(base)

    def reload(self) -> None:
        """Read the base files again (used by the watcher); raises `ScenarioFileError`, keeping the old set."""
        with self._lock:
            self._set_base(self._read(self._paths))

    @property
    def paths(self) -> list[Path]:
        return list(self._paths)

    def _read(self, paths: list[Path]) -> list[Scenario]:
        from .loader import load_files

        scenarios = []
        for file_index, (document, specs) in enumerate(load_files(paths)):
            for index, spec in enumerate(specs):
                line = document.line_of(("scenarios", index))
                scenarios.append(_compile(spec, document.source, line, (1, file_index, index), added=False))
        self._check_unique(scenarios, [])
        return scenarios

    def _set_base(self, base: list[Scenario]) -> None:
        self._check_unique(base, self._added)
        self._base = base
        self._reorder()

    def _check_unique(self, new: list[Scenario], existing: list[Scenario]) -> None:
        from .loader import Problem, ScenarioFileError

        seen = {s.name: s for s in existing}
        problems = []
        for scenario in new:
            first = seen.get(scenario.name)
            if first is not None:
                problems.append(Problem(scenario.source, scenario.line,
                                        f"duplicate scenario name '{scenario.name}' (also at {first.where})"))
            seen.setdefault(scenario.name, scenario)
        if problems:
            raise ScenarioFileError(problems)

    def add(self, spec: Any, *, source: str = "<inline>", fail_next: bool = False) -> list[str]:
        """Add scenarios given in the file format (one, a list, or `{scenarios: [...]}`; anything else is
        refused here, as the admin API passes on any JSON); they take precedence over file scenarios
        and go on `reset()`."""
        from .loader import Document, check, normalize_spec

        document = Document(source, normalize_spec(spec))
        check(document)
        with self._lock:
            batch = next(self._batches)
            new = [_compile(s, source, None, (0, -batch, i), added=True, fail_next=fail_next)
                   for i, s in enumerate(document.data["scenarios"])]
            self._check_unique(new, self._base + self._added)
            self._added += new
            self._reorder()
        return [s.name for s in new]

    def add_paths(self, paths: Iterable[Path]) -> list[str]:
        """Add the scenarios of these files (or folders) as run-time ones, with their file and line:
        a test's own files (pytest marker), dropped by `reset()` like `add`."""
        with self._lock:
            batch = next(self._batches)
            new = [replace(s, rank=(0, -batch, i), added=True)
                   for i, s in enumerate(self._read([Path(p) for p in paths]))]
            self._check_unique(new, self._base + self._added)
            self._added += new
            self._reorder()
        return [s.name for s in new]

    def replace_all(self, specs: Any, *, source: str = "<inline>") -> list[str]:
        """Replace every added scenario with these (file scenarios stay); all-or-nothing."""
        with self._lock:
            old, self._added = self._added, []
            try:
                names = self.add(specs, source=source)
            except Exception:
                self._added = old
                self._reorder()
                raise
            self._forget(s.name for s in old)
            return names

    def remove(self, name: str) -> None:
        with self._lock:
            before = len(self._added) + len(self._base)
            self._added = [s for s in self._added if s.name != name]
            self._base = [s for s in self._base if s.name != name]
            if len(self._added) + len(self._base) == before:
                raise KeyError(f"no scenario named {name!r}")
            self._forget([name])
            self._reorder()

    def _reorder(self) -> None:
        self._ordered = sorted(self._base + self._added, key=lambda s: (-s.priority, s.rank))
        self._chat = [s for s in self._ordered if not s.for_embeddings]
        self._embeddings = [s for s in self._ordered if s.for_embeddings]

    def _forget(self, names: Iterable[str]) -> None:
        gone = set(names)
        self._positions.forget(gone)
        for name in gone:
            self._usage.pop(name, None)

    # --- answering ---------------------------------------------------------------------------
    def respond(self, request: ChatRequest) -> Reply | None:
        """The reply of the first matching scenario with a step left; None when none (may raise ApiError)."""
        found = self._first(self._chat, request)
        return None if found is None else found[1].run(request, found[0].name)

    def respond_embeddings(self, request: EmbeddingRequest) -> list[ScriptedVector | None]:
        """For each input of an embeddings request, what the first matching `api: embeddings` scenario
        gives it (None: no scenario answered that input); an error step raises its ApiError."""
        answers: list[ScriptedVector | None] = []
        for index in range(len(request.inputs)):
            one = EmbeddingInput(request, index)
            found = self._first(self._embeddings, one)
            answers.append(None if found is None else found[1].embed(one, found[0].name))
        return answers

    def _first(self, ordered: list[Scenario], request: Any) -> tuple[Scenario, Step] | None:
        """The first scenario whose conditions hold and that has a step left, with that step (counted)."""
        if not ordered:
            self._missed = request
            return None
        namespace = request.headers.get(NAMESPACE_HEADER) or DEFAULT_NAMESPACE
        for scenario in ordered:
            if not all(c.holds(request) for c in scenario.conditions):
                continue
            with self._lock:
                step = self._take(scenario, namespace)
                if step is not None:
                    self._usage[scenario.name] = self._usage.get(scenario.name, 0) + 1
            if step is None:  # mypyc: no `continue` inside the `with`
                continue
            return scenario, step
        self._missed = request
        return None

    def _take(self, scenario: Scenario, namespace: str) -> Step | None:
        index = self._positions.advance(namespace, scenario.name, lambda taken: _step_index(scenario, taken))
        return None if index is None else scenario.steps[index]

    def _used_up(self, scenario: Scenario, namespace: str) -> str | None:
        taken = self._positions.taken(namespace, scenario.name)
        if scenario.times is not None and taken >= scenario.times:
            return f"its 'times: {scenario.times}' are used up"
        if scenario.on_end == "fall_through" and taken >= len(scenario.steps):
            return f"its sequence of {len(scenario.steps)} steps has ended"
        return None

    def near_misses(self, request: ChatRequest | EmbeddingInput) -> list[NearMiss]:
        """The nearest scenarios, closest first: their failed conditions, or why a match was passed over."""
        ordered = self._embeddings if isinstance(request, EmbeddingInput) else self._chat
        namespace = request.headers.get(NAMESPACE_HEADER) or DEFAULT_NAMESPACE
        ranked: list[tuple[float, int, NearMiss]] = []
        for position, scenario in enumerate(ordered):
            failures = scenario.failures(request)
            if not failures:
                miss = NearMiss(scenario.name, scenario.where, passed_over=self._used_up(scenario, namespace))
                ranked.append((0, position, miss))
            else:
                held = len(scenario.conditions) - len(failures)
                ranked.append((len(failures) - held / 100, position,
                               NearMiss(scenario.name, scenario.where, tuple(failures))))
        ranked.sort(key=lambda r: r[:2])
        return [miss for _, _, miss in ranked[:_NEAREST]]

    def explain_miss(self, request: ChatRequest | EmbeddingInput) -> str:
        """`near_misses` as the sentence of the strict-mode 404."""
        return explain(self.near_misses(request))

    @property
    def last_miss(self) -> str | None:
        """The near-miss explanation of the last request no scenario answered."""
        request = self._missed
        return None if request is None else self.explain_miss(request)

    # --- inspecting and resetting --------------------------------------------------------------
    def describe(self) -> list[dict[str, Any]]:
        """The scenarios in matching order, as the admin API lists them."""
        return [{"name": s.name, "source": s.source, "line": s.line, "priority": s.priority, "match": s.match,
                 "steps": len(s.steps), "added": s.added, "fail_next": s.fail_next,
                 "times_matched": self._usage.get(s.name, 0)}
                for s in self._ordered]

    def names(self) -> list[str]:
        return [s.name for s in self._ordered]

    def usage(self) -> dict[str, int]:
        return {s.name: self._usage.get(s.name, 0) for s in self._ordered}

    def unused(self) -> list[str]:
        return [s.name for s in self._ordered if not self._usage.get(s.name)]

    def clear_fail_next(self) -> list[str]:
        """Remove every pending `fail_next` scenario; returns their names."""
        with self._lock:
            names = [s.name for s in self._ordered if s.fail_next]
            for name in names:
                self.remove(name)
        return names

    def reset_state(self, namespace: str | None = None) -> None:
        """Rewind sequences and `times` counters, of one namespace or of all."""
        with self._lock:
            self._positions.clear(namespace)

    def reset(self) -> None:
        """Drop added scenarios, rewind all state and forget the last miss (file scenarios and their usage stay)."""
        with self._lock:
            self._forget(s.name for s in self._added)
            self._added = []
            self._reorder()
            self._positions.clear()
            self._missed = None

    # --- convenience builders (pytest plugin, admin API) -------------------------------------
    def _auto_name(self, prefix: str) -> str:
        return f"{prefix}-{next(self._names)}"

    @staticmethod
    def _match(match: dict[str, Any] | str | None) -> dict[str, Any]:
        if isinstance(match, str):
            return {"last_user": match}
        return dict(match or {})

    def _add_one(self, scenario: dict[str, Any], match: Any, times: int | None, *, source: str = "<inline>",
                 fail_next: bool = False) -> str:
        scenario["match"] = self._match(match)
        if times is not None:
            scenario["times"] = times
        return self.add(scenario, source=source, fail_next=fail_next)[0]

    def reply_with_text(self, text: str, *, match: dict[str, Any] | str | None = None, times: int | None = None,
                        name: str | None = None, source: str = "<inline>") -> str:
        """Answer matching requests (all, without `match`) with `text`; returns the scenario's name."""
        return self._add_one({"name": name or self._auto_name("reply-with-text"), "reply": {"content": text}},
                             match, times, source=source)

    def reply_with_tool_call(self, name: str, arguments: dict[str, Any] | str | None = None, *,
                             match: dict[str, Any] | str | None = None, times: int | None = None,
                             scenario_name: str | None = None, source: str = "<inline>") -> str:
        """Answer with a call of tool `name` (arguments generated from its schema when not given)."""
        call: dict[str, Any] = {"name": name}
        if arguments is not None:
            call["arguments"] = arguments
        return self._add_one({"name": scenario_name or self._auto_name(f"tool-call-{name}"),
                              "reply": {"tool_calls": [call]}}, match, times, source=source)

    def fail_next(self, n: int = 1, *, error: str | dict[str, Any] = "server_error",
                  fault: str | dict[str, Any] | None = None, match: dict[str, Any] | str | None = None,
                  source: str = "<inline>") -> str:
        """Fail the next `n` matching requests with `error` (or `fault`), then let others answer."""
        scenario: dict[str, Any] = {"name": self._auto_name("fail-next")}
        if fault is not None:
            scenario["fault"] = fault
        else:
            scenario["error"] = error
        scenario["priority"] = 1_000_000  # a test's "next request fails" beats any scripted answer
        return self._add_one(scenario, match, n, source=source, fail_next=True)

    # --- watching ----------------------------------------------------------------------------
    def watch(self, interval: float = 0.5) -> None:
        """Reload the base files when they change (a broken edit keeps the last good set and logs why)."""
        from .watch import Watcher

        if self._watcher is None:
            self._watcher = Watcher(self, interval)
            self._watcher.start()

    def stop_watching(self) -> None:
        if self._watcher is not None:
            self._watcher.stop()
            self._watcher = None
