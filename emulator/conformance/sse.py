"""A strict Server-Sent Events parser that reports framing problems instead of hiding them.

It decodes like the official SDK (WHATWG rules: CR/LF/CRLF lines, ``:`` comments
ignored, an event dispatched at a blank line, one leading space stripped) and, in
strict mode, also flags anything that departs from the live API's framing:
exactly ``data: <compact JSON>\\n\\n`` per event (docs/live-api.md#streaming).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_LINE = re.compile(r"\r\n|\r|\n")


@dataclass
class SseParse:
    """The ``data`` of every dispatched event, in order, and the framing problems found."""

    events: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def has_whitespace_outside_strings(payload: str) -> bool:
    """True when JSON text is not compact (whitespace between tokens)."""
    in_string = escaped = False
    for char in payload:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in " \t\r\n":
            return True
    return False


def parse(body: str, *, strict: bool) -> SseParse:
    """Split an SSE body into event data; ``strict`` adds the live-API framing rules."""
    result = SseParse()
    if strict and "\r" in body:
        result.problems.append("framing: lines end in CR or CRLF; the live API uses LF only")
    lines = _LINE.split(body)
    # A body ending in a line break splits with a trailing "": that is only the end of text.
    if lines and lines[-1] == "":
        lines.pop()
    data: list[str] | None = None
    fields = 0  # field lines in the current event, data or not
    for number, line in enumerate(lines, start=1):
        if line == "":
            if data is None and fields:
                # The SDK dispatches it with empty data and fails on json.loads("")
                result.problems.append(f"framing: line {number}: an event without data; clients fail to decode it")
            fields = 0
            if data is not None:
                result.events.append("\n".join(data))
                if strict and len(data) > 1:
                    result.problems.append(f"framing: event {len(result.events)} has {len(data)} data lines; expected one")
            data = None
            continue
        if line.startswith(":"):
            continue
        fields += 1
        name, colon, value = line.partition(":")
        if strict and (not colon or not value.startswith(" ")):
            result.problems.append(f"framing: line {number} {line[:40]!r}: expected 'data: ' (one space after the colon)")
        value = value[1:] if value.startswith(" ") else value
        if name == "data":
            data = (data or []) + [value]
        elif strict:
            # event:/id:/retry: lines carry no meaning for chat clients and never appear live (docs/live-api.md#streaming).
            result.problems.append(f"framing: line {number}: unexpected field {name!r}; live chat streams have only data lines")
    if data is not None:
        result.problems.append("framing: the stream does not end with a blank line, so its last event is dropped by clients")
    if strict:
        for index, payload in enumerate(result.events, start=1):
            if payload != "[DONE]" and has_whitespace_outside_strings(payload):
                result.problems.append(f"framing: event {index} JSON is not compact (whitespace between tokens)")
    return result
