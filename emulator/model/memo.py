"""Replies of the built-in model, remembered by request.

The built-in model is a pure function of the request: the same body, on the same route and
profile, resolving to the same model, always gets the same reply. Test suites send the same
requests again and again (retries, parametrized tests, the same prompt in many tests), so the
reply is kept and reused instead of being generated anew. A reply that `apply_request_options` changes
afterwards (spoken audio, predicted outputs) is not kept; nothing else changes a reply.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Callable, Hashable

from ..contract.chat_request import ChatRequest
from ..reply import Reply

MAX_REPLIES = 256  # with their rendered templates, a few MB at most
MAX_KEY_BYTES = 64 * 1024  # larger bodies are rare and would make the memo heavy


class ReplyMemo:
    def __init__(self, max_replies: int = MAX_REPLIES) -> None:
        self.max_replies = max_replies
        self._replies: OrderedDict[Hashable, Reply] = OrderedDict()
        self._lock = threading.Lock()  # several emulators may serve in threads of one process

    def reply(self, request: ChatRequest, build: Callable[[ChatRequest], Reply]) -> Reply:
        key = _key(request)
        if key is None:
            return build(request)
        with self._lock:
            reply = self._replies.get(key)
            if reply is not None:
                self._replies.move_to_end(key)
                return reply
        reply = build(request)
        with self._lock:
            self._replies[key] = reply
            if len(self._replies) > self.max_replies:
                self._replies.popitem(last=False)
        return reply


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
