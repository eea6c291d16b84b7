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

    from .server import Emulator

# The error code of a strict-mode request that no scenario matched (respond.py).
NO_SCENARIO_MATCHED = "no_scenario_matched"


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
        """The `messages` of one chat completion request: the last by default, `0` for the first."""
        chats = [entry for entry in self.requests if entry.path.endswith("/chat/completions")]
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
            lines.extend("    " + line for line in entry.response["error"]["message"].splitlines())
        return "\n".join(lines)

    def allow_unmatched(self) -> None:
        """Strict-mode misses are expected in this test: the pytest plugin will not fail it for them."""
        self.unmatched_allowed = True

    # --- scenarios -----------------------------------------------------------------------------
    @property
    def scenarios(self) -> Any:
        """The emulator's scenario engine."""
        engine = getattr(self.emulator, "scenarios", None)
        if engine is None:
            raise RuntimeError("this emulator has no scenario engine")
        return engine

    def add_scenario(self, scenario: dict[str, Any] | str | list[Any]) -> Any:
        """Add a scenario (a dict in the scenario file format, or several) for this test."""
        return self._track(self.emulator.add_scenario(scenario))

    def load_scenarios(self, *paths: str | Path) -> Any:
        """Load scenario files or folders for this test."""
        return self._track(self.emulator.load_scenarios(*paths))

    def reply_with_text(self, text: str, **options: Any) -> Any:
        """Answer matching requests (all by default; `match=`, `times=`) with `text`."""
        return self._track(self.emulator.reply_with_text(text, **options))

    def reply_with_tool_call(self, name: str, arguments: Any = None, **options: Any) -> Any:
        """Answer matching requests with a call of tool `name` with `arguments`."""
        return self._track(self.emulator.reply_with_tool_call(name, arguments, **options))

    def fail_next(self, n: int = 1, **options: Any) -> Any:
        """Fail the next `n` matching requests with an `error=` (status or name) or a `fault=`."""
        return self._track(self.emulator.fail_next(n, **options))

    def unused_scenarios(self) -> list[Any]:
        """Scenarios loaded through this object that no request has used yet."""
        mine = set(self._scenario_names)
        return [s for s in self.scenarios.unused() if _name_of(s) in mine]

    def assert_all_scenarios_used(self) -> None:
        """Fail, naming them, when a scenario loaded through this object was never used."""
        unused = self.unused_scenarios()
        if unused:
            names = ", ".join(_label_of(s) for s in unused)
            raise AssertionError(f"chat-emulator: {_plural(len(unused), 'scenario')} loaded by this test "
                                 f"never matched a request: {names}")

    def reset(self) -> None:
        """Forget the journal, rate-limit windows, scenarios added here and sequence positions."""
        self.emulator.reset()
        self._scenario_names.clear()
        self.unmatched_allowed = False

    def _track(self, added: Any) -> Any:
        items = added if isinstance(added, list) else [added]
        self._scenario_names.extend(name for name in map(_name_of, items) if name is not None)
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


def _name_of(scenario: Any) -> str | None:
    if isinstance(scenario, str):
        return scenario
    return getattr(scenario, "name", None)


def _label_of(scenario: Any) -> str:
    name = _name_of(scenario)
    source = getattr(scenario, "source", None)
    return f"{name!r} ({source})" if source else repr(name)


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _openai() -> Any:
    try:
        import openai
    except ImportError:
        raise RuntimeError("client() and async_client() need the openai package: "
                           "pip install 'chat-emulator[client]' (or pip install openai)") from None
    return openai
