"""Rules for a Responses API event stream, shared by the live checks and transcript mode.

Each rule returns the problems it finds (empty when the stream obeys it): framing (`event: <type>` then
`data:`, no `[DONE]`), each event's schema, `sequence_number` 0, 1, 2, …, the lifecycle order
(`response.created` first, one terminal event last) and items strictly in turn.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Callable

from emulator.contract.json_schemas import schema_errors
from emulator.conformance.outcome import show

TERMINAL = ("response.completed", "response.incomplete", "response.failed")


@dataclass
class EventStream:
    frames: list[tuple[str | None, str]]  # (event name or None, data) per SSE event
    events: list[dict[str, Any]]  # the parsed data of each frame that is a JSON object

    @classmethod
    def read(cls, text: str) -> "EventStream":
        frames: list[tuple[str | None, str]] = []
        for block in text.replace("\r\n", "\n").split("\n\n"):
            if not block.strip():
                continue
            name: str | None = None
            lines: list[str] = []
            for line in block.split("\n"):
                if line.startswith("event:"):
                    name = line[6:].strip()
                elif line.startswith("data:"):
                    lines.append(line[5:].removeprefix(" "))
            frames.append((name, "\n".join(lines)))
        events = []
        for _, data in frames:
            try:
                value = json.loads(data)
            except ValueError:
                continue
            if isinstance(value, dict):
                events.append(value)
        return cls(frames, events)


def framing(stream: EventStream, strict: bool) -> list[str]:
    problems = []
    for index, (name, data) in enumerate(stream.frames):
        if data.strip() == "[DONE]":
            problems.append(f"event {index}: the Responses API sends no 'data: [DONE]'")
            continue
        try:
            kind = json.loads(data).get("type")
        except (ValueError, AttributeError):
            problems.append(f"event {index}: data is not a JSON object: {show(data[:80])}")
            continue
        if (name is not None or strict) and name != kind:
            problems.append(f"event {index}: expected 'event: {kind}' before its data, got {show(name)}")
    return problems


def event_schema(stream: EventStream, strict: bool) -> list[str]:
    return [f"event {i} ({e.get('type')}): {error}" for i, e in enumerate(stream.events)
            for error in schema_errors("response_stream_event", e)[:1]]


def sequence_numbers(stream: EventStream, strict: bool) -> list[str]:
    found = [e.get("sequence_number") for e in stream.events]
    numbers = [n for n in found if type(n) is int]
    if len(numbers) != len(found):
        return [f"sequence_number: expected an integer on every event, got {show(found[:12])}"]
    if numbers and numbers != list(range(numbers[0], numbers[0] + len(numbers))):
        return [f"sequence_number: expected consecutive numbers, got {show(numbers[:12])}"]
    if numbers and numbers[0] != 0 and stream.events[0].get("type") == "response.created":
        return [f"sequence_number: expected 0 on response.created, got {numbers[0]}"]
    return []


def lifecycle(stream: EventStream, strict: bool) -> list[str]:
    kinds = [e.get("type") for e in stream.events]
    if not kinds:
        return ["expected events, got none"]
    problems = []
    if kinds[0] != "response.created":
        problems.append(f"first event: expected response.created, got {show(kinds[0])}")
    terminal = [k for k in kinds if k in TERMINAL]
    if len(terminal) != 1 or kinds[-1] not in TERMINAL:
        problems.append(f"expected exactly one terminal event ({', '.join(TERMINAL)}) at the end, got {show(kinds[-3:])}")
    return problems


def items_in_turn(stream: EventStream, strict: bool) -> list[str]:
    """Item k+1 is added only after item k is done; every sub-event names the open item."""
    open_index: int | None = None
    added = 0
    for e in stream.events:
        kind, index = e.get("type"), e.get("output_index")
        if kind == "response.output_item.added":
            if open_index is not None or index != added:
                return [f"output_item.added for output_index {index} while item {open_index} is open "
                        f"(or out of order; expected {added})"]
            open_index = index
        elif kind == "response.output_item.done":
            if index != open_index:
                return [f"output_item.done for output_index {index}, but the open item is {open_index}"]
            open_index, added = None, added + 1
        elif index is not None and index != open_index:
            return [f"{kind} for output_index {index}, but the open item is {open_index}"]
    return []


def assembles(stream: EventStream, strict: bool) -> list[str]:
    """The terminal response's output is the items `output_item.done` gave, in order."""
    done = [e["item"] for e in stream.events if e.get("type") == "response.output_item.done"]
    final = next((e.get("response") for e in stream.events if e.get("type") in TERMINAL[:2]), None)
    if final is None or not isinstance(final.get("output"), list):
        return []
    if final["output"] != done:
        return [f"response.output: expected the {len(done)} items of output_item.done, got {len(final['output'])}"]
    return []


RULES: dict[str, Callable[[EventStream, bool], list[str]]] = {
    "events_framing": framing, "events_schema": event_schema, "events_sequence": sequence_numbers,
    "events_lifecycle": lifecycle, "events_items_in_turn": items_in_turn, "events_assemble": assembles,
}


def stream_problems(stream: EventStream, strict: bool, *names: str) -> list[str]:
    return [p for name in names or RULES for p in RULES[name](stream, strict)]
