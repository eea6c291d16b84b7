"""The pytest plugin (entry point `pytest11: chat_emulator`): fixtures, markers and options over `Emulator`.

- `chat_emulator_server` (session): one server on 127.0.0.1, a free port, started on first use.
- `chat_emulator` (function): that same `Emulator`, reset before each test (journal, run-time
  scenarios, pacing, `allow_unmatched()`), with the test's marked scenario files and strict marker.
- `chat_emulator_env` (function, opt-in): also points `OPENAI_BASE_URL` / `OPENAI_API_KEY` at it.

Importing this module must stay cheap (it loads in every pytest run of anyone who installed the
package): the server, Starlette and uvicorn are imported when a test first asks for the fixture.
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterator, TypeVar

import pytest

if TYPE_CHECKING:
    from .config import Settings
    from .pacing import Pacing
    from .server import Emulator

T = TypeVar("T")

MARKERS = (
    "chat_scenarios(*paths): load these scenario files or folders (relative to the test file) for the test",
    "chat_emulator_strict: strict mode for this test (requests no scenario matches fail)",
)


# --- options --------------------------------------------------------------------------------------
def pytest_addoption(parser: pytest.Parser) -> None:
    from .config import Settings  # cheap (no server code): the defaults the CLI shows too

    defaults = Settings()
    pacing = defaults.pacing
    group = parser.getgroup("chat-emulator", "chat-emulator (offline OpenAI Chat Completions emulator)")
    group.addoption("--chat-emulator-scenarios", action="append", default=[], metavar="PATH",
                    help="scenario file or folder loaded for every test (repeatable)")
    group.addoption("--chat-emulator-strict", action="store_true", default=None,
                    help="strict mode: a request no scenario matches fails the test")
    group.addoption("--chat-emulator-ttft-ms", type=float, default=None, metavar="MS",
                    help="streams: default time to first token in ms")
    group.addoption("--chat-emulator-tokens-per-second", type=float, default=None, metavar="N",
                    help="streams: default pace (0 = unpaced)")
    group.addoption("--chat-emulator-chunk-tokens", type=int, default=None, metavar="N",
                    help=f"streams: tokens per content chunk (default {pacing.chunk_tokens})")
    group.addoption("--chat-emulator-models", action="append", default=[], metavar="FILE",
                    help="a JSON or YAML file of extra models for the catalogue (repeatable)")
    group.addoption("--chat-emulator-api-key", default=None, metavar="KEY",
                    help="the only API key the emulator accepts (default: any non-empty key)")
    group.addoption("--chat-emulator-assert-all-used", action="store_true", default=None,
                    help="fail a test that loaded a scenario no request used")
    group.addoption("--chat-emulator-profile", default=None, metavar="NAME",
                    help="compatibility profile: openai (default), vllm, azure or lenient")
    group.addoption("--chat-emulator-client-hygiene", action="store_true", default=None,
                    help="after each test, fail it for client hygiene problems: an unread usage chunk, an API "
                         "key in a URL or body, a conversation past the context window")
    parser.addini("chat_emulator_scenarios", "scenario files or folders loaded for every test", type="paths",
                  default=[])
    parser.addini("chat_emulator_strict", "strict mode (a request no scenario matches fails)", type="bool",
                  default=defaults.strict)
    parser.addini("chat_emulator_ttft_ms", "streams: default time to first token in ms", default=f"{pacing.ttft_ms:g}")
    parser.addini("chat_emulator_tokens_per_second", "streams: default pace (0 = unpaced)",
                  default=f"{pacing.tokens_per_second:g}")
    parser.addini("chat_emulator_chunk_tokens", "streams: tokens per content chunk", default=str(pacing.chunk_tokens))
    parser.addini("chat_emulator_models", "JSON or YAML files of extra models", type="paths", default=[])
    parser.addini("chat_emulator_api_key", "the only API key the emulator accepts",
                  default=defaults.api_keys[0] if defaults.api_keys else "")
    parser.addini("chat_emulator_assert_all_used", "fail a test that loaded a scenario no request used",
                  type="bool", default=False)
    parser.addini("chat_emulator_profile", "compatibility profile: openai (default), vllm, azure or lenient",
                  default=defaults.profile)
    parser.addini("chat_emulator_client_hygiene", "after each test, fail it for client hygiene problems",
                  type="bool", default=False)


def pytest_configure(config: pytest.Config) -> None:
    for marker in MARKERS:
        config.addinivalue_line("markers", marker)
    _pacing(config)  # a bad pacing option stops the run with one line, before any test


def _option(config: pytest.Config, name: str) -> Any:
    """The command-line value when given, else the ini value."""
    given = config.getoption("chat_emulator_" + name)
    return config.getini("chat_emulator_" + name) if given in (None, []) else given


def _paths(config: pytest.Config, name: str) -> tuple[Path, ...]:
    given = config.getoption("chat_emulator_" + name)
    paths = [config.invocation_params.dir / path for path in given] if given else config.getini("chat_emulator_" + name)
    return tuple(_shown(config, path) for path in paths)


def _shown(config: pytest.Config, path: Path) -> Path:
    """`path` relative to where pytest runs when it is below it: shorter in failure messages."""
    try:
        return path.relative_to(config.invocation_params.dir)
    except ValueError:
        return path


def _number(config: pytest.Config, name: str) -> float:
    value = _option(config, name)
    try:
        return float(value)
    except ValueError:
        raise pytest.UsageError(f"chat_emulator_{name} must be a number, got {value!r}") from None


def _chunk_tokens(config: pytest.Config) -> int:
    value = _option(config, "chunk_tokens")
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise pytest.UsageError(f"chat_emulator_chunk_tokens must be a whole number >= 1, got {value!r}")
    return number


def _pacing(config: pytest.Config) -> Pacing:
    from .pacing import Pacing

    pacing = Pacing(_number(config, "ttft_ms"), _number(config, "tokens_per_second"), _chunk_tokens(config))
    problem = pacing.problem()
    if problem is not None:
        raise pytest.UsageError(f"chat_emulator_{problem[0]} {problem[1]}")
    return pacing


def settings_from(config: pytest.Config) -> Settings:
    """The emulator `Settings` the session's server runs with."""
    from .config import Settings

    api_key = _option(config, "api_key")
    return Settings(
        port=0, access_log=False, api_keys=(api_key,) if api_key else (),
        scenario_paths=_paths(config, "scenarios"), models_files=_paths(config, "models"),
        strict=bool(_option(config, "strict")),
        pacing=_pacing(config),
        profile=_option(config, "profile"),
    )


# --- fixtures -------------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def chat_emulator_server(pytestconfig: pytest.Config) -> Iterator[Emulator]:
    """The session's `Emulator` (each xdist worker has its own), stopped when the session ends."""
    from .server import Emulator

    emulator = _loading(lambda: Emulator(settings_from(pytestconfig)), "chat_emulator_scenarios")
    with emulator:
        yield emulator


@pytest.fixture
def chat_emulator(chat_emulator_server: Emulator, request: pytest.FixtureRequest) -> Iterator[Emulator]:
    """The session's emulator for this test: reset, with the test's marked scenarios loaded (as run-time
    scenarios, so the next reset drops them)."""
    handle = chat_emulator_server
    handle.reset()
    paths = [_shown(request.config, request.path.parent / path)
             for marker in request.node.iter_markers("chat_scenarios")
             for path in marker.args]  # the closest marker's files first: they take precedence
    if paths:
        _loading(lambda: handle.load_scenarios(*paths), "@pytest.mark.chat_scenarios")
    strict = handle.strict
    if request.node.get_closest_marker("chat_emulator_strict") is not None:
        handle.strict = True
    try:
        yield handle
    finally:
        handle.strict = strict
        handle.close_clients()


def _loading(load: Callable[[], T], where: str) -> T:
    """`load()`; broken scenario files fail the test with their `file:line` list, without a traceback."""
    from .scenarios.loader import ScenarioFileError

    try:
        return load()
    except ScenarioFileError as error:
        broken = str(error)
    pytest.fail(f"chat-emulator: the scenario files of {where} are broken:\n{broken}", pytrace=False)


@pytest.fixture
def chat_emulator_env(chat_emulator: Emulator) -> Iterator[Emulator]:
    """`chat_emulator`, with `OPENAI_BASE_URL` / `OPENAI_API_KEY` pointing at it for this test."""
    with chat_emulator.use_env():
        yield chat_emulator


# --- failures that explain themselves -------------------------------------------------------------
@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    """After a test that used the emulator: explain strict-mode misses, and check scenario use if asked."""
    try:
        result = yield
    except BaseException as error:
        handle = _handle_of(item)
        report = handle.unmatched_report() if handle is not None else None
        if report is not None:
            error.add_note(report)
        raise
    handle = _handle_of(item)
    if handle is not None:
        report = None if handle.unmatched_allowed else handle.unmatched_report()
        if report is not None:
            pytest.fail(report, pytrace=False)
        report = handle.unused_report() if _option(item.config, "assert_all_used") else None
        if report is not None:
            pytest.fail(report, pytrace=False)
        if _option(item.config, "client_hygiene"):
            _check_hygiene(handle)
    return result


def _check_hygiene(handle: Emulator) -> None:
    try:
        handle.assert_client_hygiene()
    except AssertionError as problems:
        pytest.fail(str(problems), pytrace=False)


def _handle_of(item: pytest.Item) -> Emulator | None:
    """The test's `chat_emulator`, when it asked for one (the server module is loaded by then)."""
    handle = getattr(item, "funcargs", {}).get("chat_emulator")
    if handle is None:
        return None
    from .server import Emulator

    return handle if isinstance(handle, Emulator) else None
