"""The reports a test gets (the pytest plugin prints them): strict-mode misses and unused scenarios.

Both are formatted from data: a miss from the journal entry's near misses, an unused scenario from
the engine's listing. Scenarios "added by this test" are the run-time ones, which `reset()` drops."""
from __future__ import annotations

from typing import Any

from ..admin.operations import AdminOperations
from ..scenarios.near_miss import NEAREST_HEADING, NO_MATCH, NONE_LOADED
from .journal_queries import JournalQueries, describe


class Reports(JournalQueries, AdminOperations):
    unmatched_allowed: bool = False

    def unmatched_report(self) -> str | None:
        """The near misses of every strict-mode request that matched nothing, or None."""
        misses = self.unmatched_requests()
        if not misses:
            return None
        lines = [f"chat-emulator (strict mode): {_plural(len(misses), 'request')} matched no scenario:"]
        for entry in misses:
            lines.append(f"  {describe(entry)}")
            lines.append(f"    {NO_MATCH}." + ("" if entry.near_misses else f" {NONE_LOADED}"))
            if entry.near_misses:
                lines.append(f"    {NEAREST_HEADING}")
                lines.extend(f"      - {miss}" for miss in entry.near_misses)
        return "\n".join(lines)

    def allow_unmatched(self) -> None:
        """Strict-mode misses are expected in this test: the pytest plugin will not fail it for them
        (until the next `reset()`)."""
        self.unmatched_allowed = True

    def unused_scenarios(self) -> list[dict[str, Any]]:
        """Scenarios added at run time (this test's, under the fixture) that no request has used yet."""
        return [s for s in self.list_scenarios()["data"] if s["added"] and not s["times_matched"]]

    def unused_report(self) -> str | None:
        """A line naming the scenarios added at run time that were never used, or None."""
        unused = self.unused_scenarios()
        if not unused:
            return None
        names = ", ".join(f"'{s['name']}' ({s['source']}{':' + str(s['line']) if s['line'] else ''})"
                          for s in unused)
        return f"chat-emulator: {_plural(len(unused), 'scenario')} added by this test never matched a request: {names}"

    def assert_all_scenarios_used(self) -> None:
        """Fail, naming them, when a scenario added at run time was never used."""
        report = self.unused_report()
        if report is not None:
            raise AssertionError(report)


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"
