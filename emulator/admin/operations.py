"""The admin operations: one implementation behind two doors, the `Emulator` object (its scripting and
journal methods are these) and the HTTP admin API (`routes.py`), as in WireMock, where the programmatic
API and the admin API are the same operations. Arguments are plain Python values; bad arguments are
`ApiError`s and broken scenarios `ScenarioFileError`s (the HTTP door answers both as 400 envelopes).

One meaning per operation: scenarios added at run time (`add_scenario`, `load_scenarios`,
`reply_with_*`, `fail_next`, from Python or over HTTP) are dropped by `reset()`; the files the server
was started with stay."""
from __future__ import annotations

import json
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from .._version import __version__
from ..contract.headers import OPENAI_VERSION
from ..contract.errors import ApiError
from ..journal import JournalEntry
from ..pacing import Pacing
from ..state import EmulatorState

if TYPE_CHECKING:
    from ..scenarios.engine import ScenarioEngine

INLINE_SOURCE = "<inline>"  # where scenarios added from Python come from, in listings and near misses
ADMIN_SOURCE = "<admin API>"  # ... and those added over HTTP

class AdminOperations:
    """The operations over one emulator's live state. `scenario_source` labels the scenarios they add."""

    state: EmulatorState
    scenario_source: str = INLINE_SOURCE

    def __init__(self, state: EmulatorState, scenario_source: str = INLINE_SOURCE) -> None:
        self.state = state
        self.scenario_source = scenario_source

    # --- health and version ----------------------------------------------------------------------
    def health(self) -> dict[str, Any]:
        return {"status": "ok", "uptime_seconds": round(time.time() - self.state.started_at, 3),
                "journal": self.state.journal.stats()}

    def version(self) -> dict[str, Any]:
        return {"version": __version__, "openai_version": OPENAI_VERSION,
                "profile": self.state.settings.profile}

    # --- the request journal -----------------------------------------------------------------------
    def find_requests(self, *, path: str | None = None, status: int | str | None = None,
                      model: str | None = None, matched: str | None = None, text: str | None = None,
                      after: int | None = None, limit: int | None = None) -> list[JournalEntry]:
        """Journal entries, oldest first. `path` is a substring; `status` an exact code or a class
        like `4xx`; `text` a case-insensitive substring of the request or response body;
        `after` keeps entries with a larger id; `limit` keeps the newest ones."""
        status_test = _status_test(status)
        needle = text.lower() if text else None
        found: list[JournalEntry] = []
        for entry in self.state.journal.entries():
            if after is not None and entry.id <= after:
                continue
            if path and path not in entry.path:
                continue
            if status_test and not status_test(entry.status):
                continue
            if model and entry.model != model:
                continue
            if matched and entry.matched != matched:
                continue
            if needle and needle not in _searchable(entry):
                continue
            found.append(entry)
        if limit is not None:
            if limit < 0:
                raise ApiError(400, "'limit' must be a non-negative integer.", param="limit", code="invalid_value")
            found = found[-limit:] if limit else []
        return found

    def request(self, entry_id: int) -> JournalEntry:
        entry = self.state.journal.get(entry_id)
        if entry is None:
            raise ApiError(404, f"No request with id {entry_id} in the journal (it may have been dropped or cleared).",
                           param="id", code="request_not_found")
        return entry

    def clear_requests(self) -> None:
        self.state.journal.clear()

    def near_misses(self) -> list[dict[str, Any]]:
        """Every request in the journal that strict mode refused, with the scenarios that came closest
        and the conditions that failed them (JSON-ready)."""
        return [{"request_id": entry.id, "method": entry.method, "path": entry.path, "model": entry.model,
                 "near_misses": [miss.to_json() for miss in entry.near_misses]}
                for entry in self.state.journal.entries() if entry.near_misses is not None]

    # --- pacing for the next streams -------------------------------------------------------------
    def pace_next(self, count: int | None = 1, *, ttft_ms: float = 0.0, tokens_per_second: float = 0.0,
                  chunk_tokens: int = 1) -> dict[str, Any]:
        """Pace the next `count` streamed responses (None: every one until cleared)."""
        if count is not None and (not isinstance(count, int) or isinstance(count, bool) or count < 1):
            raise ApiError(400, "'count' must be a positive integer (or null for every stream until cleared).",
                           param="count", code="invalid_value")
        for name, value in (("ttft_ms", ttft_ms), ("tokens_per_second", tokens_per_second)):
            if not isinstance(value, (int, float)) or isinstance(value, bool) or value < 0:
                raise ApiError(400, f"'{name}' must be a number >= 0.", param=name, code="invalid_value")
        if not isinstance(chunk_tokens, int) or isinstance(chunk_tokens, bool) or chunk_tokens < 1:
            raise ApiError(400, "'chunk_tokens' must be an integer >= 1.", param="chunk_tokens", code="invalid_value")
        pacing = Pacing(float(ttft_ms), float(tokens_per_second), chunk_tokens)
        problem = pacing.problem()  # the body's JSON may say Infinity or NaN
        if problem is not None:
            raise ApiError(400, f"'{problem[0]}' {problem[1]}.", param=problem[0], code="invalid_value")
        self.state.next_pacing.set(pacing, count)
        return self.pacing()

    def pacing(self) -> dict[str, Any]:
        return {"next": self.state.next_pacing.status()}

    def clear_pacing(self) -> None:
        self.state.next_pacing.clear()

    # --- scenarios (the scenario engine: docs/scenarios.md) ------------------------------------------
    def list_scenarios(self) -> dict[str, Any]:
        """The loaded scenarios in matching order with how often each matched, the unused ones, and
        the near-miss explanation of the last request no scenario answered."""
        engine = self._engine()
        return {"object": "list", "data": engine.describe(), "unused": engine.unused(), "last_miss": engine.last_miss}

    def add_scenario(self, spec: Any) -> list[str]:
        """Add one scenario, a list, or `{"scenarios": [...]}` in the file format; returns their names.
        They take precedence over the files the server started with, and `reset()` drops them."""
        return self._engine().add(spec, source=self.scenario_source)

    def load_scenarios(self, *paths: str | Path) -> list[str]:
        """Add the scenarios of these files or folders like `add_scenario` (errors name the file and line);
        returns their names."""
        return self._engine().add_paths(Path(p) for p in paths)

    def replace_scenarios(self, specs: Any) -> list[str]:
        """Replace every scenario added at run time (file scenarios stay); returns the new names."""
        return self._engine().replace_all(specs, source=self.scenario_source)

    def remove_scenario(self, name: str) -> None:
        try:
            self._engine().remove(name)
        except KeyError:
            raise ApiError(404, f"No scenario named {name!r}.", param="name", code="scenario_not_found") from None

    def reset_scenarios(self) -> None:
        """Drop scenarios added at run time, rewind sequences, forget the last miss (files stay)."""
        self._engine().reset()

    def reset_sequences(self, namespace: str | None = None) -> None:
        """Rewind sequences and `times` counters, of one namespace (`x-emulator-namespace`) or all."""
        if namespace is not None and not isinstance(namespace, str):
            raise ApiError(400, "'namespace' must be a string.", param="namespace", code="invalid_type")
        self._engine().reset_state(namespace)

    def reply_with_text(self, text: str, *, match: dict[str, Any] | str | None = None, times: int | None = None,
                        name: str | None = None) -> str:
        """Answer matching requests (all, without `match`; a string matches the last user message)
        with `text`, `times` times or always; returns the scenario's name."""
        return self._engine().reply_with_text(text, match=match, times=times, name=name,
                                              source=self.scenario_source)

    def reply_with_tool_call(self, name: str, arguments: dict[str, Any] | str | None = None, *,
                             match: dict[str, Any] | str | None = None, times: int | None = None) -> str:
        """Answer matching requests with a call of tool `name` (arguments from its schema when not given);
        returns the scenario's name."""
        return self._engine().reply_with_tool_call(name, arguments, match=match, times=times,
                                                   source=self.scenario_source)

    def fail_next(self, count: int = 1, *, error: Any = None, fault: Any = None, match: Any = None) -> str:
        """Fail the next `count` (matching) chat requests with `error` (a name such as
        `"rate_limit_exceeded"`, a status, or an object; `"server_error"` by default) or a stream `fault`;
        later requests get the other scenarios or the built-in model. Returns the scenario's name."""
        if not isinstance(count, int) or isinstance(count, bool) or count < 1:
            raise ApiError(400, "'count' must be a positive integer.", param="count", code="invalid_value")
        if error is not None and fault is not None:
            raise ApiError(400, "Give 'error' or 'fault', not both.", param="fault", code="invalid_value")
        return self._engine().fail_next(count, error=error if error is not None else "server_error",
                                        fault=fault, match=match, source=self.scenario_source)

    def clear_faults(self) -> list[str]:
        """Remove every pending `fail_next`; returns the names removed."""
        return self._engine().clear_fail_next()

    def _engine(self) -> ScenarioEngine:
        return self.state.scenarios

    # --- chaos: faults and errors at seeded rates (chaos.py) -----------------------------------------
    def chaos(self, rates: dict[str, float], seed: int) -> dict[str, Any]:
        """Inject named faults and errors (`{"rate_limit_exceeded": 0.05, "cut_after": 0.02}`) into that share
        of chat requests from now on, drawn from `seed`: the same seed and request order give the same faults."""
        from ..chaos import Chaos, ChaosError

        try:
            self.state.chaos = Chaos(rates, seed)
        except ChaosError as error:
            raise ApiError(400, f"Invalid chaos: {error}.", param=error.param, code="invalid_chaos") from None
        return self.chaos_status()

    def chaos_status(self) -> dict[str, Any]:
        """The rates and seed in force (null when off), requests drawn for and faults injected by name."""
        chaos = self.state.chaos
        return chaos.status() if chaos is not None else {"rates": None, "seed": None, "requests": 0, "injected": {}}

    def stop_chaos(self) -> dict[str, Any]:
        """Stop injecting; returns what the run injected."""
        status = self.chaos_status()
        self.state.chaos = None
        return status

    # --- client-behaviour checks (client_checks/) -------------------------------------------------------
    def client_checks(self, *, backoff_ms: float | None = None, max_retries: int | None = None,
                      max_turns: int | None = None) -> dict[str, Any]:
        """Retries, streams, agent loops and hygiene, judged over the journal."""
        from ..client_checks import CheckOptions, client_checks, settled

        options = CheckOptions(max_retries=max_retries, max_turns=max_turns)
        if backoff_ms is not None:
            options.backoff_ms = backoff_ms
        for name, value in (("backoff_ms", options.backoff_ms), ("max_retries", max_retries), ("max_turns", max_turns)):
            if value is not None and value < 0:
                raise ApiError(400, f"'{name}' must be >= 0.", param=name, code="invalid_value")
        return client_checks(settled(self.state.journal), options)

    # --- everything --------------------------------------------------------------------------------
    def reset(self) -> None:
        """Forget what requests and the run time left behind: the journal, rate-limit windows, pacing set
        for the next streams, scenarios added at run time, sequence positions, in-memory stored
        completions, chaos. The files the server started with stay."""
        self.state.reset()


def _status_test(status: int | str | None) -> Callable[[int], bool] | None:
    if status is None or status == "":
        return None
    text = str(status).strip().lower()
    if len(text) == 3 and text[0].isdigit() and text[1:] == "xx":
        return lambda code: code // 100 == int(text[0])
    if text.isdigit():
        return lambda code: code == int(text)
    raise ApiError(400, f"'status' must be a status code like 200 or a class like 4xx, not {status!r}.",
                   param="status", code="invalid_value")

def _searchable(entry: JournalEntry) -> str:
    return json.dumps([entry.body, entry.response, entry.matched], ensure_ascii=False, default=str).lower()
