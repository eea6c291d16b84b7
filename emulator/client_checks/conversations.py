"""Conversations: chat requests grouped into the exchanges they continue.

A chat request's `messages` are compared in a normal form (role, text, tool calls, tool call id;
fields a client may add or drop when it echoes an assistant message, such as `refusal: null`, are
left out). Requests with the same API key and the same messages are one **turn** (a retry or a
repeat asks the model the same thing). A turn **continues** an earlier turn whose messages are a
proper prefix of its own, the longest such; a turn that continues none starts a **conversation**.
The number of model turns of a conversation is its longest chain of turns.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from ..journal import JournalEntry
from .findings import canonical, credential, is_chat

Message = str  # a message in normal form (canonical JSON)


@dataclass
class Turn:
    messages: tuple[Message, ...]
    entries: list[JournalEntry]  # the requests that asked it: the first, then retries and repeats
    parent: Turn | None = None
    children: list[Turn] = field(default_factory=list)

    @property
    def first(self) -> JournalEntry:
        return self.entries[0]

    @property
    def answer(self) -> dict[str, Any] | None:
        """The assistant message of the first successful attempt (for streams, as assembled)."""
        for entry in self.entries:
            if entry.status == 200 and isinstance(entry.response, dict):
                choices = entry.response.get("choices") or [{}]
                message = choices[0].get("message")
                return message if isinstance(message, dict) else None
        return None

    @property
    def depth(self) -> int:
        return 1 + (self.parent.depth if self.parent is not None else 0)


@dataclass
class Conversation:
    root: Turn
    turns: list[Turn] = field(default_factory=list)  # in order of arrival, the root first

    @property
    def model_turns(self) -> int:
        return max(turn.depth for turn in self.turns)

    def as_dict(self) -> dict[str, Any]:
        return {"requests": [e.id for t in self.turns for e in t.entries], "turns": [t.first.id for t in self.turns],
                "model_turns": self.model_turns}


def normal_message(message: Any) -> Message:
    if not isinstance(message, dict):
        return canonical(message)
    calls = [(c.get("id"), (c.get("function") or c.get("custom") or {}).get("name"),
              parsed_json((c.get("function") or {}).get("arguments")))
             for c in message.get("tool_calls") or () if isinstance(c, dict)]
    return canonical([message.get("role"), text_of(message.get("content")), calls, message.get("tool_call_id")])


def text_of(content: Any) -> Any:
    """A message's text: a string as is, text parts joined; other parts kept as they are."""
    if isinstance(content, list) and all(isinstance(p, dict) and p.get("type") == "text" for p in content):
        return "".join(str(p.get("text", "")) for p in content)
    return content


def parsed_json(arguments: Any) -> Any:
    try:
        return json.loads(arguments) if isinstance(arguments, str) else arguments
    except ValueError:
        return arguments


def prefix_digests(key: str, messages: tuple[Message, ...]) -> list[bytes]:
    """A digest of every prefix of `messages` (with the API key), each from the one before: finding the
    turn a request continues costs one look-up per message, not a comparison of whole histories."""
    digests, digest = [], hashlib.blake2b(key.encode("utf-8"), digest_size=16).digest()
    for message in messages:
        digest = hashlib.blake2b(digest + message.encode("utf-8"), digest_size=16).digest()
        digests.append(digest)
    return digests


def conversations(entries: list[JournalEntry]) -> list[Conversation]:
    """The chat requests among `entries` grouped into conversations, oldest first."""
    turns: dict[bytes, Turn] = {}  # by the digest of the key and the whole history
    found: list[Conversation] = []
    owner: dict[int, Conversation] = {}  # id(turn) → its conversation
    for entry in entries:
        if not is_chat(entry) or not isinstance(entry.messages, list) or not entry.messages:
            continue
        messages = tuple(normal_message(m) for m in entry.messages)
        digests = prefix_digests(credential(entry), messages)
        turn = turns.get(digests[-1])
        if turn is not None:
            turn.entries.append(entry)
            continue
        turn = turns[digests[-1]] = Turn(messages, [entry])
        turn.parent = next((turns[d] for d in reversed(digests[:-1]) if d in turns), None)
        if turn.parent is None:
            conversation = Conversation(turn)
            found.append(conversation)
        else:
            turn.parent.children.append(turn)
            conversation = owner[id(turn.parent)]
        conversation.turns.append(turn)
        owner[id(turn)] = conversation
    return found
