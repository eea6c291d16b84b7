"""Scenario files: scripted answers matched against requests (docs/scenarios.md).

`ScenarioEngine` (engine.py) is the public object; `ScenarioFileError` (loader.py) reports mistakes.
"""
from __future__ import annotations

from .engine import NAMESPACE_HEADER, ScenarioEngine
from .loader import ScenarioFileError

__all__ = ["NAMESPACE_HEADER", "ScenarioEngine", "ScenarioFileError"]
