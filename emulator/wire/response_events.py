"""A response as the Responses API streams it: typed events, `event: <type>` framing, no `[DONE]`.

The events are derived from the finished output items, so a stream always assembles to the
non-streamed response (and a stored background response can be streamed again). The order is the
live one: `response.created`, `response.in_progress`, then each item strictly in turn
(`output_item.added`, its parts and deltas, `output_item.done`), then the terminal event. Keys after
`type` are alphabetical, as in the 2026 recordings; `sequence_number` counts from 0.
"""
from __future__ import annotations

import copy
import random
from dataclasses import dataclass
from typing import Any, Iterator

from ..ids import ALNUM
from ..tokens import join, text_groups, tokenize
from ..json_text import dumps

# Delta events that carry `obfuscation` (padding the delta to a multiple of 16 characters).
OBFUSCATED = frozenset({"response.output_text.delta", "response.function_call_arguments.delta",
                        "response.reasoning_summary_text.delta", "response.custom_tool_call_input.delta"})
TERMINAL = {"completed": "response.completed", "incomplete": "response.incomplete", "failed": "response.failed",
            "cancelled": "response.failed"}


def frame(payload: dict[str, Any]) -> bytes:
    return b"event: " + payload["type"].encode() + b"\ndata: " + dumps(payload).encode("utf-8") + b"\n\n"


class EventWriter:
    """Numbers events and frames them; `obfuscate` pads deltas as the live API does by default."""

    def __init__(self, obfuscate: bool, start: int = 0) -> None:
        self.sequence = start
        self.events: list[bytes] = []
        self.obfuscate = obfuscate
        self._rng = random.Random()

    def add(self, kind: str, **fields: Any) -> None:
        if self.obfuscate and kind in OBFUSCATED:
            pad = -len(fields["delta"]) % 16
            fields["obfuscation"] = "".join(self._rng.choices(ALNUM, k=pad))
        fields["sequence_number"] = self.sequence
        self.sequence += 1
        self.events.append(frame({"type": kind, **dict(sorted(fields.items()))}))


def opening(writer: EventWriter, initial: dict[str, Any]) -> None:
    """`response.created` (and `response.queued` for background responses), then `response.in_progress`."""
    writer.add("response.created", response=initial)
    if initial["status"] == "queued":
        writer.add("response.queued", response=initial)
    writer.add("response.in_progress", response={**initial, "status": "in_progress"})


@dataclass(frozen=True)
class Chunking:
    """How text is cut into deltas: `size` tokens of the model's `encoding` each (whole characters)."""

    encoding: str
    size: int = 1

    def groups(self, text: str) -> list[tuple[int, int, str]]:
        """(first token, end token, text) of each delta."""
        tokens = tokenize(text, self.encoding)
        return [(start, end, join(tokens[start:end])) for start, end in text_groups(tokens, max(self.size, 1))]

    def fragments(self, text: str) -> Iterator[str]:
        return (fragment for _, _, fragment in self.groups(text))


def stream_events(initial: dict[str, Any], final: dict[str, Any], chunking: Chunking, *,
                  obfuscate: bool = True) -> list[bytes]:
    """Every event from `response.created` to the terminal one, for the `final` object."""
    writer = EventWriter(obfuscate)
    opening(writer, initial)
    for index, item in enumerate(final["output"]):
        item_events(writer, index, item, chunking)
    writer.add(TERMINAL[final["status"]], response=final)
    return writer.events


def item_events(writer: EventWriter, index: int, item: dict[str, Any], chunking: Chunking) -> None:
    kind = item["type"]
    writer.add("response.output_item.added", item=_opened(item), output_index=index)
    if kind == "message":
        for part_index, part in enumerate(item["content"]):
            _part_events(writer, index, item["id"], part_index, part, chunking)
    elif kind == "reasoning":
        for summary_index, part in enumerate(item["summary"]):
            _summary_events(writer, index, item["id"], summary_index, part["text"], chunking)
    elif kind in ("function_call", "custom_tool_call"):
        _call_events(writer, index, item, chunking)
    writer.add("response.output_item.done", item=item, output_index=index)


def _opened(item: dict[str, Any]) -> dict[str, Any]:
    """The item as `output_item.added` shows it: in progress, nothing generated yet."""
    opened = copy.deepcopy(item)
    if "status" in opened:
        opened["status"] = "in_progress"
    if item["type"] == "message":
        opened["content"] = []
    elif item["type"] == "reasoning":
        opened["summary"] = []
    elif item["type"] == "function_call":
        opened["arguments"] = ""
    elif item["type"] == "custom_tool_call":
        opened["input"] = ""
    return opened


def _part_events(writer: EventWriter, index: int, item_id: str, part_index: int, part: dict[str, Any],
                 chunking: Chunking) -> None:
    where = {"item_id": item_id, "output_index": index, "content_index": part_index}
    if part["type"] == "refusal":
        writer.add("response.content_part.added", part={"type": "refusal", "refusal": ""}, **where)
        for fragment in chunking.fragments(part["refusal"]):
            writer.add("response.refusal.delta", delta=fragment, **where)
        writer.add("response.refusal.done", refusal=part["refusal"], **where)
        writer.add("response.content_part.done", part=part, **where)
        return
    writer.add("response.content_part.added", part={**part, "logprobs": [], "text": ""}, **where)
    logprobs = part["logprobs"]
    groups = chunking.groups(part["text"])
    aligned = bool(logprobs) and len(logprobs) == (groups[-1][1] if groups else 0)  # one entry per token
    for start, end, fragment in groups:  # each delta carries the logprobs of its own tokens
        writer.add("response.output_text.delta", delta=fragment, logprobs=logprobs[start:end] if aligned else [],
                   **where)
    writer.add("response.output_text.done", logprobs=logprobs, text=part["text"], **where)
    writer.add("response.content_part.done", part={**part, "logprobs": []}, **where)


def _summary_events(writer: EventWriter, index: int, item_id: str, summary_index: int, text: str,
                    chunking: Chunking) -> None:
    where = {"item_id": item_id, "output_index": index, "summary_index": summary_index}
    writer.add("response.reasoning_summary_part.added", part={"type": "summary_text", "text": ""}, **where)
    for fragment in chunking.fragments(text):
        writer.add("response.reasoning_summary_text.delta", delta=fragment, **where)
    writer.add("response.reasoning_summary_text.done", text=text, **where)
    writer.add("response.reasoning_summary_part.done", part={"type": "summary_text", "text": text}, **where)


def _call_events(writer: EventWriter, index: int, item: dict[str, Any], chunking: Chunking) -> None:
    where = {"item_id": item["id"], "output_index": index}
    if item["type"] == "custom_tool_call":
        for fragment in chunking.fragments(item["input"]):
            writer.add("response.custom_tool_call_input.delta", delta=fragment, **where)
        writer.add("response.custom_tool_call_input.done", input=item["input"], **where)
        return
    for fragment in chunking.fragments(item["arguments"]):
        writer.add("response.function_call_arguments.delta", delta=fragment, **where)
    # The recordings omit `name` here; the spec requires it and the SDK ignores it, so it is sent.
    writer.add("response.function_call_arguments.done", arguments=item["arguments"], name=item["name"], **where)


def failed_after(events: list[bytes], after: int, failed: dict[str, Any], error: dict[str, Any], *,
                 obfuscate: bool = True) -> list[bytes]:
    """The stream failing after `after` of its events (at least `response.created` and
    `response.in_progress`, where the live API's failures come): the `error` event (nested, as the live
    API sends it, plus the spec's flat fields), then `response.failed`."""
    kept = events[:min(max(after, 2), len(events) - 1)]
    writer = EventWriter(obfuscate, start=len(kept))
    writer.add("error", error=error, code=error.get("code"), message=error.get("message"), param=error.get("param"))
    writer.add("response.failed", response=failed)
    return kept + writer.events
