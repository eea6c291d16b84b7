"""Warnings about scenario files that load fine but misbehave in use.

The one trap worth a warning: a scenario that answers with tool calls and whose match does not pin the
turn also matches the follow-up request that carries the tool's result (clients send `tools` again on
every turn), so an agent loop calls the tool forever and never reaches the scenario that answers from
the result. `last_role: user` (or `turn`, or `times`) is the fix; scenarios/agent-loop.yaml shows it.
"""
from __future__ import annotations

from typing import Any

from .loader import Document, Problem


def _calls_tools(scenario: dict[str, Any]) -> bool:
    steps = [scenario, *(step for step in scenario.get("sequence") or () if isinstance(step, dict))]
    return any(isinstance(step.get("reply"), dict) and step["reply"].get("tool_calls") for step in steps)


def _pins_the_turn(scenario: dict[str, Any]) -> bool:
    match = scenario.get("match")
    pinned = isinstance(match, dict) and any(key in match for key in ("last_role", "turn", "tool_name", "conversation"))
    return pinned or "times" in scenario


def loop_warnings(document: Document, scenarios: list[dict[str, Any]]) -> list[Problem]:
    """One warning per tool-calling scenario that would also answer its own follow-up turn."""
    warnings = []
    for index, scenario in enumerate(scenarios):
        if _calls_tools(scenario) and not _pins_the_turn(scenario):
            name = scenario.get("name", f"#{index}")
            warnings.append(Problem(
                document.source, document.line_of(("scenarios", index)),
                f"warning: scenario {name!r} replies with tool calls but would also match the follow-up "
                f"turn that sends the tool result, so an agent loop would call the tool forever; "
                f"add `last_role: user` to its match (or `turn`, or `times`)"))
    return warnings
