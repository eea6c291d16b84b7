"""`GET /_emulator/requests/stream`: the journal as it grows, as server-sent events.

Events: `request` (a summary of a new entry, also sent first for entries after `?after=<id>`),
`updated` (an entry's stream has ended: its summary again, with the duration to the last byte),
`cleared` (the journal was cleared) and `resync` (the reader fell behind: fetch the list again).
The journal may be changed from another thread (test code), so listeners hop onto the loop.
When the server shuts down the feed ends cleanly (`end_feeds`): an open inspector would otherwise
hold the graceful drain to its timeout and then be cancelled with a traceback.
"""
from __future__ import annotations

import asyncio
from typing import Any

from ..journal import Journal, JournalEntry
from ..json_text import json_bytes
from ..wire.stream_response import SSE_MEDIA_TYPE, Receive, Send, sse_headers
from .views import summary

KEEPALIVE_SECONDS = 15.0
QUEUE_SIZE = 1000
_CLOSING = "closing"  # the listener kind `end_feeds` sends
_END = b""  # queued when the server shuts down: the feed's last body


def sse_event(name: str, data: Any) -> bytes:
    return b"event: " + name.encode() + b"\ndata: " + json_bytes(data) + b"\n\n"


class JournalStream:
    def __init__(self, journal: Journal, after: int | None, headers: dict[str, str]) -> None:
        self.journal = journal
        self.after = after
        self.headers = sse_headers(headers)

    async def __call__(self, scope: dict[str, Any], receive: Receive, send: Send) -> None:
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[bytes] = asyncio.Queue(QUEUE_SIZE)

        def put(event: bytes) -> None:
            try:
                queue.put_nowait(event)
            except asyncio.QueueFull:  # a stalled reader: tell it to start over instead of growing
                while not queue.empty():
                    queue.get_nowait()
                queue.put_nowait(sse_event("resync", {}))

        def listener(kind: str, entry: JournalEntry | None) -> None:
            if kind == _CLOSING:
                event = _END
            elif entry is None:
                event = sse_event(kind, {})
            else:  # a new entry, or one whose stream has ended (its duration is now to the last byte)
                event = sse_event("updated" if kind == "delivered" else "request", summary(entry))
            try:
                loop.call_soon_threadsafe(put, event)
            except RuntimeError:
                pass  # the loop is closing

        self.journal.listeners.append(listener)
        watcher = asyncio.ensure_future(_wait_for_disconnect(receive))
        try:
            await send({"type": "http.response.start", "status": 200, "headers": [
                (b"content-type", SSE_MEDIA_TYPE.encode()),
                *((k.encode("latin-1"), v.encode("latin-1")) for k, v in self.headers.items())]})
            backlog = [e for e in self.journal.entries() if self.after is None or e.id > self.after]
            first = b": journal\n\n" + b"".join(sse_event("request", summary(e)) for e in backlog)
            await send({"type": "http.response.body", "body": first, "more_body": True})
            while not watcher.done():
                getter = asyncio.ensure_future(queue.get())
                done, _ = await asyncio.wait({getter, watcher}, timeout=KEEPALIVE_SECONDS,
                                             return_when=asyncio.FIRST_COMPLETED)
                if getter in done and getter.result() == _END:
                    await send({"type": "http.response.body", "body": b"", "more_body": False})
                    break
                if getter in done:
                    await send({"type": "http.response.body", "body": getter.result(), "more_body": True})
                else:
                    getter.cancel()
                    if not watcher.done():
                        await send({"type": "http.response.body", "body": b": keepalive\n\n", "more_body": True})
        except OSError:
            pass  # the reader went away
        finally:
            self.journal.listeners.remove(listener)
            watcher.cancel()


def end_feeds(journal: Journal) -> None:
    """End every open feed on `journal` (the server is shutting down)."""
    for listener in list(journal.listeners):
        listener(_CLOSING, None)


async def _wait_for_disconnect(receive: Receive) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass
