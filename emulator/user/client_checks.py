"""The client checks (client_checks/) as assertions on the object a test holds (`Emulator`, the fixture's).

Each raises `AssertionError` naming the requests (journal ids and arrival times), what was expected
and what happened; docs/client-behaviour.md lists what each one fails on.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from ..client_checks.agents import tool_call_findings, turn_findings
from ..client_checks.conversations import conversations
from ..client_checks.hygiene import hygiene_findings
from ..client_checks.report import fail_on, settled
from ..client_checks.retries import BACKOFF_MS, NON_RETRYABLE, retry_chains, retry_findings
from ..client_checks.streams import stream_findings

if TYPE_CHECKING:
    from ..journal import JournalEntry
    from ..state import EmulatorState

RETRY_POLICY = ("retry_too_soon", "retry_without_backoff", "retry_despite_should_retry_false", "retry_budget_exceeded")


class ClientAssertions:
    state: EmulatorState

    def _settled(self) -> list[JournalEntry]:
        return settled(self.state.journal)

    def assert_retries_honoured(self, *, backoff_ms: float = BACKOFF_MS, max_retries: int | None = None) -> None:
        """Every retry waited what `retry-after-ms`/`retry-after` asked (or, when nothing was asked, backed
        off exponentially from `backoff_ms`; 0 turns that off), none followed `x-should-retry: false`,
        and no request was retried more than `max_retries` times."""
        found = retry_findings(retry_chains(self._settled()), backoff_ms=backoff_ms, max_retries=max_retries)
        fail_on([f for f in found if f.check in RETRY_POLICY], "retries that did not wait or stop as asked")

    def assert_no_retry_of(self, *statuses: int) -> None:
        """No response with one of `statuses` (default 400, 401, 403, 404, 422) was retried, unless it
        said `x-should-retry: true`."""
        found = retry_findings(retry_chains(self._settled()), backoff_ms=0, non_retryable=statuses or NON_RETRYABLE)
        fail_on([f for f in found if f.check == "retry_of_non_retryable"], "retries of requests that cannot succeed")

    def assert_streams_consumed(self) -> None:
        """Every stream was read to its end or closed after a cut, and no cut answer was taken as whole."""
        entries = self._settled()
        _, found = stream_findings(entries, retry_chains(entries), conversations(entries))
        fail_on(found, "streams not read to their end, or cut and taken as whole")

    def assert_agent_turns(self, max: int | None = None) -> None:  # noqa: A002 (`max=N` reads well in a test)
        """No conversation took more than `max` model turns, and no identical tool call was repeated."""
        found = [f for talk in conversations(self._settled()) for f in turn_findings(talk, max)]
        fail_on(found, "agent loops that ran too long or repeated themselves")

    def assert_tool_calls_answered(self) -> None:
        """Every tool call got its result, and every tool result answered a call."""
        found = [f for talk in conversations(self._settled()) for f in tool_call_findings(talk)]
        fail_on(found, "tool calls and tool results that do not pair up")

    def assert_client_hygiene(self) -> None:
        """No unread usage chunk, no API key in a URL or body, no conversation past the context window."""
        fail_on(hygiene_findings(self._settled()), "client hygiene")
