"""Client-behaviour checks over the request journal: did the client retry, read streams and run its
agent loop the way a well-behaved OpenAI client does? (docs/client-behaviour.md)

The checks read only the journal. retries.py says what counts as a retry, conversations.py what
counts as a conversation; streams.py, agents.py and hygiene.py judge them; report.py runs them all
as JSON (`GET /_emulator/client-checks`); user/client_checks.py makes them the `Emulator.assert_*` methods.
"""
from __future__ import annotations

from .findings import Finding
from .report import CheckOptions, client_checks, settled

__all__ = ["CheckOptions", "Finding", "client_checks", "settled"]
