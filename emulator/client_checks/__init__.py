"""Client-behaviour checks over the request journal: did the client retry, read streams and run its
agent loop the way a well-behaved OpenAI client does? (docs/client-behaviour.md)

The checks read only the journal. retries.py says what counts as a retry, conversations.py what
counts as a conversation; streams.py, agents.py and hygiene.py judge them; report.py runs them all
as JSON (`GET /_emulator/client-checks`) and as the `Emulator.assert_*` assertions.
"""
from __future__ import annotations

from .findings import Finding
from .report import (CheckOptions, assert_agent_turns, assert_client_hygiene, assert_no_retry_of,
                     assert_retries_honoured, assert_streams_consumed, assert_tool_calls_answered,
                     client_checks, settled)

__all__ = ["CheckOptions", "Finding", "assert_agent_turns", "assert_client_hygiene", "assert_no_retry_of",
           "assert_retries_honoured", "assert_streams_consumed", "assert_tool_calls_answered", "client_checks",
           "settled"]
