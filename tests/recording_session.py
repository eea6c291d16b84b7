"""The record-and-replay tests' session: the same traffic recorded twice through `--upstream` from one
upstream emulator (stopped afterwards), and the recorded folder read back.

The upstream is a second emulator whose scenarios answer with texts the built-in model never writes,
so an answer that has them on replay came from the recording.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import openai
import pytest

from emulator import Emulator

Drive = Callable[[openai.OpenAI], dict[str, Any]]


def record_twice(tmp_path_factory: pytest.TempPathFactory, scenarios: list[dict[str, Any]], drive: Drive,
                 api_key: str, upstream_settings: dict[str, Any] | None = None,
                 **front_settings: Any) -> dict[str, Any]:
    """What the client saw (`live`, and `again` on the second recording) and the two recorded folders
    (`folder`, `second`). The settings configure the upstream and the recording emulator (`redact`...)."""
    folders = tmp_path_factory.mktemp("first"), tmp_path_factory.mktemp("second")
    seen = []
    with Emulator(**(upstream_settings or {})) as upstream:
        upstream.add_scenario(scenarios)
        for folder in folders:
            upstream.scenarios.reset_state()  # both recordings see the upstream's sequences from the start
            with Emulator(upstream_url=upstream.base_url, record_dir=folder, **front_settings) as front:
                seen.append(drive(openai.OpenAI(base_url=front.base_url, api_key=api_key, max_retries=0)))
    return {"live": seen[0], "again": seen[1], "folder": folders[0], "second": folders[1]}


def recorded_text(folder: Path) -> str:
    return "".join(p.read_text() for p in folder.rglob("*.yaml"))


def recorded_files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir()}
