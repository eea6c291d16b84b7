"""Replies of the built-in model, remembered by request.

The built-in model is a pure function of the request: the same body, on the same route and
profile, resolving to the same model, always gets the same reply. Test suites send the same
requests again and again (retries, parametrized tests, the same prompt in many tests), so the
reply is kept and reused instead of being generated anew. A reply that `apply_request_options` changes
afterwards (spoken audio, predicted outputs) is not kept; nothing else changes a reply.

A reply is kept the second time its request comes: a body sent once (a new prompt, the load of
distinct requests) costs no bookkeeping and holds no memory, and only a short hash of its key is
noted (those of the last `SEEN_KEYS` new keys). A hash shared by two keys only keeps
a reply one request early.

The memo is bounded in bytes as well as in entries: `n: 128` with `top_logprobs: 20` makes a reply
of megabytes, and 256 of them took a server to a gigabyte. Each reply is weighed when kept (an
estimate of its objects plus the renderings `wire/stamped.py` may add to it: the JSON body and up
to four streams); replies over `MAX_REPLY_BYTES` are not kept, and the least recently used go
first once the total passes `MAX_BYTES`.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Callable, Hashable

from ..contract.chat_request import ChatRequest
from ..reply import Reply

MAX_REPLIES = 256
MAX_BYTES = 2 * 1024 * 1024  # with the journal's 4 MB and the other bounded caches, keeps a busy server near 60 MiB
MAX_REPLY_BYTES = 1024 * 1024
MAX_KEY_BYTES = 64 * 1024  # larger bodies are rare and would make the memo heavy
SEEN_KEYS = 2048  # hashes of keys seen once (about 150 KB when full)
# Weights (bytes) for the estimate: a token as a Python string in `Choice.tokens` plus its chunk
# in each kept stream rendering; a logprob entry as objects plus as JSON in each rendering.
_TOKEN_BYTES = 64 + 4 * 200
_LOGPROB_BYTES = 150 + 5 * 90
_RENDERINGS = 5  # the JSON body and up to four stream templates (wire/stamped.py)
_REPLY_OVERHEAD = 2048


class ReplyMemo:
    def __init__(self, max_replies: int = MAX_REPLIES, max_bytes: int = MAX_BYTES) -> None:
        self.max_replies = max_replies
        self.max_bytes = max_bytes
        self.bytes = 0
        self._replies: OrderedDict[Hashable, tuple[Reply, int]] = OrderedDict()
        self._seen = Sightings(SEEN_KEYS)
        self._lock = threading.Lock()  # several emulators may serve in threads of one process

    def reply(self, request: ChatRequest, build: Callable[[ChatRequest], Reply]) -> Reply:
        key = _key(request)
        if key is None:
            return build(request)
        with self._lock:
            kept = self._replies.get(key)
            if kept is not None:
                self._replies.move_to_end(key)
                return kept[0]
            first = self._seen.first(key)
        reply = build(request)
        if first:  # keep nothing yet
            return reply
        size = reply_bytes(reply)
        if size > min(MAX_REPLY_BYTES, self.max_bytes):
            return reply
        with self._lock:
            previous = self._replies.pop(key, None)
            self.bytes += size - (previous[1] if previous else 0)
            self._replies[key] = (reply, size)
            while len(self._replies) > self.max_replies or self.bytes > self.max_bytes:
                self.bytes -= self._replies.popitem(last=False)[1][1]
        return reply


class Sightings:
    """Which keys were seen once, by hash: those among the last `size` first sightings (the oldest
    forgotten first). Not thread-safe: the caller holds its lock.

    The hashes sit in a ring of `size` places (the place to fill next holds the oldest) and in a set
    for the look-up. Forgetting the oldest is a step along the ring; a dict in insertion order forgot
    it through `next(iter(...))`, which scans over the holes its deletions leave at the front (hundreds
    of them between two of its resizes, on every new key)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._hashes: set[int] = set()
        self._ring: list[int | None] = [None] * size
        self._next = 0  # the ring's place for the next new key

    def first(self, key: Hashable) -> bool:
        """True the first time `key` comes (noting it); False the second (forgetting it). Two keys
        of one hash make the second's first sighting count as its second: harmless for a memo."""
        digest = hash(key)
        hashes = self._hashes
        if digest in hashes:
            hashes.remove(digest)
            return False
        at = self._next
        ring = self._ring
        oldest = ring[at]
        if oldest is not None:  # forgotten (if a second sighting has not taken it already, or a new
            hashes.discard(oldest)  # first sighting of the same hash since: then it goes a little early)
        ring[at] = digest
        hashes.add(digest)
        self._next = at + 1 if at + 1 < self.size else 0
        return True


def reply_bytes(reply: Reply) -> int:
    """An estimate, from above, of the memory a kept reply holds with its renderings."""
    total = _REPLY_OVERHEAD
    for choice in reply.choices:
        calls = [*choice.tool_calls, *([choice.function_call] if choice.function_call else [])]
        text = len(choice.content or "") + len(choice.refusal or "") + sum(len(c.arguments) for c in calls)
        if choice.audio is not None:
            text += len(choice.audio.data) + len(choice.audio.transcript)
        entries = sum(1 + len(entry.top) for entry in choice.logprobs or ())
        total += text * (1 + _RENDERINGS) + len(choice.tokens) * _TOKEN_BYTES + entries * _LOGPROB_BYTES
    return total


def _key(request: ChatRequest) -> Hashable | None:
    raw = request.raw_key
    if raw is None or len(raw[0]) > MAX_KEY_BYTES:
        return None
    body = request.body
    if body.get("modalities") or body.get("prediction"):  # replies that apply_request_options rewrites
        return None
    model = request.model  # what of the model the reply depends on (hashing the whole entry costs more)
    return raw, model.id, model.snapshot, model.is_reasoning


BUILTIN_REPLIES = ReplyMemo()
