"""Record and replay in pytest, with pytest-recording's vocabulary (docs/record-replay.md).

Each test that uses the `chat_emulator` fixture has its own recording file beside its test file,
`<test folder>/recordings/<module>/<test name>.yaml` (xdist-safe: no two tests write one file),
or a shared one named by `@pytest.mark.chat_recording("name")`.

- `none` (the default, what CI runs): a test with a recording replays it in strict mode; a request
  that matches no recording fails the test with the near miss.
- `once`: record a test's file when it does not exist yet, else replay it.
- `new_episodes`: replay what matches, record what does not (appended to the file).
- `all`: record every test's file anew.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

import pytest

if TYPE_CHECKING:
    from ..server import Emulator

MODES = ("none", "once", "new_episodes", "all")
MARKER = "chat_recording(name): share the recording file `name` (beside the test file) between tests"
_STARTED = pytest.StashKey[set]()  # recording files `all` has already started anew in this session
_UNSAFE = re.compile(r"[^A-Za-z0-9_.\[\]-]+")


def add_options(group: Any, parser: pytest.Parser) -> None:
    group.addoption("--chat-emulator-record-mode", choices=MODES, default=None,
                    help="none (replay only, the default), once, new_episodes or all")
    group.addoption("--chat-emulator-upstream", default=None, metavar="URL",
                    help="where recording sends requests (default: $OPENAI_BASE_URL, else the public API)")
    group.addoption("--chat-emulator-recordings", default=None, metavar="DIR",
                    help="recordings folder, beside each test file (default: recordings)")
    parser.addini("chat_emulator_record_mode", "none (default), once, new_episodes or all", default="none")
    parser.addini("chat_emulator_upstream", "where recording sends requests", default="")
    parser.addini("chat_emulator_recordings", "recordings folder beside each test file", default="recordings")


def _option(config: pytest.Config, name: str) -> str:
    given = config.getoption("chat_emulator_" + name)
    return given if given else config.getini("chat_emulator_" + name)


def mode_of(config: pytest.Config) -> str:
    mode = _option(config, "record_mode")
    if mode not in MODES:
        raise pytest.UsageError(f"chat_emulator_record_mode must be one of {', '.join(MODES)}, got {mode!r}")
    return mode


def upstream_settings(config: pytest.Config) -> dict[str, Any]:
    """Settings for the session's server: an upstream when a mode records, else none."""
    if mode_of(config) == "none":
        return {}
    url = _option(config, "upstream") or os.environ.get("OPENAI_BASE_URL") or "https://api.openai.com/v1"
    # The key: $CHAT_EMULATOR_UPSTREAM_KEY, else $OPENAI_API_KEY as the session found it (tests' clients
    # hold the emulator's dummy key), else whatever key each client sends.
    key = os.environ.get("CHAT_EMULATOR_UPSTREAM_KEY") or os.environ.get("OPENAI_API_KEY") or None
    return {"upstream_url": url, "upstream_key": key}


def recording_path(request: pytest.FixtureRequest) -> Path:
    marker = request.node.get_closest_marker("chat_recording")
    name = marker.args[0] if marker is not None and marker.args else request.node.name
    folder = request.path.parent / _option(request.config, "recordings") / request.path.stem
    return folder / f"{_UNSAFE.sub('_', name)}.yaml"


@dataclass
class Plan:
    """What one test does with its recording file."""

    path: Path
    replay: bool
    record: bool
    fresh: bool


def plan_for(request: pytest.FixtureRequest) -> Plan:
    mode, path = mode_of(request.config), recording_path(request)
    exists = path.exists()
    if mode == "all":
        started = request.config.stash.setdefault(_STARTED, set())
        fresh = path not in started  # a shared file starts anew once, then gathers every sharing test
        started.add(path)
        return Plan(path, replay=False, record=True, fresh=fresh)
    if mode == "new_episodes":
        return Plan(path, replay=exists, record=True, fresh=False)
    if mode == "once" and not exists:
        return Plan(path, replay=False, record=True, fresh=True)
    return Plan(path, replay=exists, record=False, fresh=False)


def begin(request: pytest.FixtureRequest, emulator: Emulator) -> Callable[[], None]:
    """Set the session's server up for this test's recording; returns what undoes it."""
    from .recorder import Recorder

    plan = plan_for(request)
    proxy = emulator.state.proxy  # present when the mode records; off unless this test records
    if proxy is not None:
        proxy.active = False
    if plan.replay:
        emulator.load_scenarios(plan.path)
        if not plan.record:
            emulator.strict = True  # replay only: a request the recording does not have fails the test
    if plan.record and proxy is not None:
        if plan.fresh and plan.path.exists():
            plan.path.unlink()
        # Names carry the module, so `--scenarios recordings/` can load every test's file at once.
        proxy.recorder = Recorder(file=plan.path, fresh=plan.fresh,
                                  name_prefix=f"{plan.path.parent.name}.{plan.path.stem}")
        proxy.active = True

    def undo() -> None:
        if proxy is not None:
            proxy.active, proxy.recorder = False, None

    return undo
