"""`ChatEmulator`: what a test holds. Configured clients, the journal read as sentences, scripted replies.

The pytest plugin's `chat_emulator` fixture is one of these over the session's server; without pytest,
the same object runs its own server:

    with ChatEmulator(strict=True) as chat:
        chat.reply_with_text("Hello!")
        answer = chat.client().chat.completions.create(model="gpt-4o-mini", messages=[...])
        assert chat.last_request.model == "gpt-4o-mini"

Nothing heavy is imported here: the server and the `openai` package are imported when first needed.
"""
from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator

from .journal import JournalEntry

if TYPE_CHECKING:
    import openai

    from .scenarios.engine import ScenarioEngine
    from .server import Emulator

# The error code of a strict-mode request that no scenario matched (respond.py).
NO_SCENARIO_MATCHED = "no_scenario_matched"
NEAREST = "Nearest scenarios:"  # how its message lists the near misses (scenarios/engine.py)


class ChatEmulator:
    """A test's view of one emulator server. `ChatEmulator(emulator)` wraps a running one;
    `ChatEmulator(**settings)` owns a new one, started and stopped by `with`."""

    def __init__(self, emulator: Emulator | None = None, **settings: Any) -> None:
        self._owns = emulator is None
        if emulator is None:
            from .server import Emulator

            emulator = Emulator(**settings)
        elif settings:
            raise TypeError("settings apply to a new emulator, not to the one given")
        self.emulator = emulator
        self._clients: list[Any] = []
        self._scenario_names: list[str] = []  # scenarios loaded through this object, in order
        self.unmatched_allowed = False

    def __enter__(self) -> ChatEmulator:
        if self._owns:
            self.emulator.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
        if self._owns:
            self.emulator.stop()

    def __repr__(self) -> str:
        return f"<ChatEmulator {self.base_url} requests={len(self.emulator.requests)}>"

    # --- where it is ---------------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        """The OpenAI base URL, ending in `/v1`."""
        return self.emulator.base_url

    @property
    def url(self) -> str:
        return self.emulator.url

    @property
    def api_key(self) -> str:
        return self.emulator.api_key

    @property
    def strict(self) -> bool:
        """Strict mode: a request no scenario matches gets a 404 `no_scenario_matched`, not the built-in model."""
        return self.emulator.settings.strict

    @strict.setter
    def strict(self, value: bool) -> None:
        self.emulator.settings.strict = value

    # --- clients -------------------------------------------------------------------------------
    def client(self, **options: Any) -> openai.OpenAI:
        """An official `openai.OpenAI` client pointed at the emulator (options go to the constructor)."""
        sdk = _openai()
        made = sdk.OpenAI(**{"base_url": self.base_url, "api_key": self.api_key, **options})
        self._clients.append(made)
        return made

    def async_client(self, **options: Any) -> openai.AsyncOpenAI:
        """An official `openai.AsyncOpenAI` client pointed at the emulator."""
        sdk = _openai()
        return sdk.AsyncOpenAI(**{"base_url": self.base_url, "api_key": self.api_key, **options})

    @contextmanager
    def use_env(self) -> Iterator[ChatEmulator]:
        """Point `OPENAI_BASE_URL` and `OPENAI_API_KEY` at the emulator inside the block, then restore them,
        so code that builds its own `OpenAI()` client reaches the emulator unchanged."""
        saved = {name: os.environ.get(name) for name in ("OPENAI_BASE_URL", "OPENAI_API_KEY")}
        os.environ["OPENAI_BASE_URL"], os.environ["OPENAI_API_KEY"] = self.base_url, self.api_key
        try:
            yield self
        finally:
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value

    def close(self) -> None:
        """Close the sync clients made by `client()` (their connection pools)."""
        for made in self._clients:
            made.close()
        self._clients.clear()

    # --- the journal ---------------------------------------------------------------------------
    @property
    def requests(self) -> list[JournalEntry]:
        """Every request since the last reset, oldest first: method, path, headers, body, matched,
        status, response (for streams, the assembled completion), stream, events."""
        return self.emulator.requests

    @property
    def last_request(self) -> JournalEntry:
        entries = self.requests
        if not entries:
            raise AssertionError("no request has reached the emulator")
        return entries[-1]

    def requests_to(self, path: str | None = None, *, model: str | None = None,
                    method: str | None = None) -> list[JournalEntry]:
        """The requests to `path` (with or without the `/v1` prefix), for `model`, with `method`."""
        return [entry for entry in self.requests
                if (path is None or entry.path in (path, "/v1" + path))
                and (model is None or entry.model == model)
                and (method is None or entry.method == method.upper())]

    def messages_sent(self, index: int = -1) -> list[dict[str, Any]]:
        """The `messages` of one chat completion (or Responses) request: the last by default, `0` for the
        first. A Responses request's `instructions` and `input` items read as chat messages."""
        chats = [entry for entry in self.requests
                 if entry.method == "POST" and entry.path.endswith(("/chat/completions", "/responses"))]
        if not chats:
            raise AssertionError("no chat completion request has reached the emulator")
        return chats[index].messages

    def unmatched_requests(self) -> list[JournalEntry]:
        """Requests that strict mode refused because no scenario matched them."""
        return [entry for entry in self.requests if _error_code(entry) == NO_SCENARIO_MATCHED]

    def unmatched_report(self) -> str | None:
        """The near-miss explanation of every strict-mode request that matched nothing, or None."""
        misses = self.unmatched_requests()
        if not misses:
            return None
        lines = [f"chat-emulator (strict mode): {_plural(len(misses), 'request')} matched no scenario:"]
        for entry in misses:
            lines.append(f"  {describe(entry)}")
            message = entry.response["error"]["message"]
            head, found, nearest = message.partition(NEAREST)
            lines.append(f"    {head.strip()}")
            if found:  # one line per near miss
                lines.append(f"    {NEAREST}")
                lines.extend(f"      - {miss.strip()}" for miss in nearest.removesuffix(".").split(" | "))
        return "\n".join(lines)

    def allow_unmatched(self) -> None:
        """Strict-mode misses are expected in this test: the pytest plugin will not fail it for them."""
        self.unmatched_allowed = True

    # --- scenarios -----------------------------------------------------------------------------
    # Scenarios added here are this test's: they take precedence over the files the server was
    # started with and go on `reset()` (the pytest fixture resets before each test).
    @property
    def scenarios(self) -> ScenarioEngine:
        """The emulator's scenario engine (`usage()`, `unused()`, `last_miss`, `list()`, ...)."""
        return self.emulator.scenarios

    def add_scenario(self, scenario: dict[str, Any] | list[dict[str, Any]]) -> list[str]:
        """Add scenarios written in the file format: one scenario, a list, or `{"scenarios": [...]}`."""
        return self._track(self.scenarios.add(scenario))

    def load_scenarios(self, *paths: str | Path) -> list[str]:
        """Add the scenarios of these files or folders (errors name the file and line)."""
        return self._track(self.scenarios.add_paths(Path(p) for p in paths))

    def reply_with_text(self, text: str, *, match: dict[str, Any] | str | None = None, times: int | None = None,
                        name: str | None = None) -> str:
        """Answer matching requests (all, without `match`; a string matches the last user message)
        with `text`, `times` times or always; returns the scenario's name."""
        return self._track(self.scenarios.reply_with_text(text, match=match, times=times, name=name))

    def reply_with_tool_call(self, name: str, arguments: dict[str, Any] | str | None = None, *,
                             match: dict[str, Any] | str | None = None, times: int | None = None) -> str:
        """Answer matching requests with a call of tool `name` (arguments from its schema when not given)."""
        return self._track(self.scenarios.reply_with_tool_call(name, arguments, match=match, times=times))

    def fail_next(self, n: int = 1, *, error: str | dict[str, Any] = "server_error",
                  fault: str | dict[str, Any] | None = None, match: dict[str, Any] | str | None = None) -> str:
        """Fail the next `n` matching requests with `error` (a name such as `"rate_limit_exceeded"`, or an
        object) or a stream `fault`; later requests get the other scenarios or the built-in model."""
        return self._track(self.scenarios.fail_next(n, error=error, fault=fault, match=match))

    def unused_scenarios(self) -> list[dict[str, Any]]:
        """Scenarios added through this object that no request has used yet (as `scenarios.list()` has them)."""
        mine = set(self._scenario_names)
        return [s for s in self.scenarios.list() if s["name"] in mine and not s["times_matched"]]

    def unused_report(self) -> str | None:
        """A line naming the scenarios added through this object that were never used, or None."""
        unused = self.unused_scenarios()
        if not unused:
            return None
        names = ", ".join(f"'{s['name']}' ({s['source']}{':' + str(s['line']) if s['line'] else ''})"
                          for s in unused)
        return f"chat-emulator: {_plural(len(unused), 'scenario')} added by this test never matched a request: {names}"

    def assert_all_scenarios_used(self) -> None:
        """Fail, naming them, when a scenario added through this object was never used."""
        report = self.unused_report()
        if report is not None:
            raise AssertionError(report)

    def reset(self) -> None:
        """Forget the journal and rate-limit windows, drop the scenarios added here, rewind sequences."""
        self.emulator.reset()
        self._scenario_names.clear()
        self.unmatched_allowed = False

    def _track(self, added: Any) -> Any:
        self._scenario_names.extend(added if isinstance(added, list) else [added])
        return added


def describe(entry: JournalEntry) -> str:
    """One line about a request: method, path, model and the last message."""
    text = f"{entry.method} {entry.path}"
    if entry.model is not None:
        text += f" model={entry.model!r}"
    if entry.messages:
        last = entry.messages[-1]
        content = last.get("content") if isinstance(last, dict) else None
        if isinstance(content, str):
            shown = content if len(content) <= 60 else content[:57] + "..."
            text += f" last message ({last.get('role')}): {shown!r}"
    return text


def _error_code(entry: JournalEntry) -> str | None:
    response = entry.response
    if entry.status < 400 or not isinstance(response, dict) or not isinstance(response.get("error"), dict):
        return None
    return response["error"].get("code")


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _openai() -> Any:
    try:
        import openai
    except ImportError:
        raise RuntimeError("client() and async_client() need the openai package: "
                           "pip install 'chat-emulator[client]' (or pip install openai)") from None
    return openai
