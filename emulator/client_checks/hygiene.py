"""Hygiene: mistakes that cost money or leak secrets, whatever the test was about.

- an `include_usage` stream the client closed before its usage chunk (the last before `[DONE]`) went
  out: its token counts were never read;
- an API key in the URL's query or in the body (keys belong in the `Authorization` header);
- a conversation grown past the model's context window: the emulator refused it with
  `context_length_exceeded` (not a scripted error) because the client kept every message.
"""
from __future__ import annotations

from typing import Any, Iterator
from urllib.parse import parse_qsl

from ..journal import JournalEntry
from ..key_masking import KEY_FIELDS, SECRET, header_key, is_key_param, masked
from .findings import Finding, is_chat, label
from .streams import SPOILING_FAULTS



def hygiene_findings(entries: list[JournalEntry]) -> list[Finding]:
    found = []
    for entry in entries:
        found.extend(_usage_unread(entry))
        found.extend(_key_exposed(entry))
        found.extend(_past_context_window(entry))
    return found


def _usage_unread(entry: JournalEntry) -> list[Finding]:
    options = entry.body.get("stream_options") if isinstance(entry.body, dict) else None
    if (not entry.stream or entry.delivery != "hung_up" or entry.fault in SPOILING_FAULTS
            or not isinstance(options, dict) or options.get("include_usage") is not True):
        return []
    events = entry.events or []
    if entry.bytes_sent >= sum(map(len, events[:-1])):  # everything but `data: [DONE]` went out
        return []
    return [Finding("usage_chunk_unread", [entry.id],
                    f"{label(entry)} asked for stream_options.include_usage but the client hung up "
                    f"before the usage chunk (the last before [DONE]): its token usage was never read")]


def _key_exposed(entry: JournalEntry) -> list[Finding]:
    key = header_key(entry.headers)
    found = []
    for name, value in parse_qsl(entry.query, keep_blank_values=True):
        if is_key_param(name, value, key):
            found.append(Finding("api_key_exposed", [entry.id],
                                 f"{label(entry)} sent an API key in its URL (query parameter {name!r}: "
                                 f"{masked(value)}); URLs end up in logs and proxies"))
    for where, value in _strings(entry.body, "body"):
        if (key and value == key) or SECRET.search(value) or where.rsplit(".", 1)[-1].lower() in KEY_FIELDS:
            found.append(Finding("api_key_exposed", [entry.id],
                                 f"{label(entry)} sent an API key in its body ({where}: {masked(value)}); "
                                 f"keys belong in the Authorization header"))
    return found


def _past_context_window(entry: JournalEntry) -> list[Finding]:
    error = entry.error or {}
    if (not is_chat(entry) or error.get("code") != "context_length_exceeded" or entry.matched is not None
            or entry.chaos is not None):
        return []
    return [Finding("context_window_exceeded", [entry.id],
                    f"{label(entry)} sent {len(entry.messages)} messages to {entry.model}, past its context "
                    f"window, without truncating the conversation: {error.get('message')}")]


def _strings(value: Any, where: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield where, value
    elif isinstance(value, dict):
        for name, item in value.items():
            yield from _strings(item, f"{where}.{name}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(item, f"{where}[{index}]")
