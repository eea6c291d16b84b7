"""Scenario files: scripted answers matched against requests (docs/scenarios.md).

`ScenarioEngine` (engine.py) is the public object; `ScenarioFileError` (loader.py) reports mistakes.
The loader (PyYAML, jsonschema) is imported only when a file or inline scenario is read.
"""
from __future__ import annotations

from typing import Any

from .engine import NAMESPACE_HEADER, ScenarioEngine

__all__ = ["NAMESPACE_HEADER", "ScenarioEngine", "ScenarioFileError"]


def __getattr__(name: str) -> Any:
    if name == "ScenarioFileError":
        from .loader import ScenarioFileError

        return ScenarioFileError
    raise AttributeError(name)
