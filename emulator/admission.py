"""The concurrency model (`--max-concurrency N`, `--max-queue M`): a loaded inference server.

At most `limit` chat completions are generated at once; the next ones wait their turn in arrival
order, so their time to first token grows with the queue, as on a busy vLLM or the live API at peak.
With `max_queue`, a request that finds the queue full gets the live 503 (`overloaded`) at once.
A slot is held until the response has been sent (a stream's last event), not only until it is built.
"""
from __future__ import annotations

import asyncio
from collections import deque
from typing import Any, Awaitable, Callable

from .contract import errors
from .ids import request_id

ASGIApp = Callable[..., Awaitable[None]]
# Told of each change of the counts: ("waiting" | "running", +1 | -1). Metrics listen (vLLM's gauges).
Observer = Callable[[str, int], None]


class Admission:
    """Slots for chat completions, on the server's event loop."""

    def __init__(self, limit: int, max_queue: int | None = None) -> None:
        self.limit = limit
        self.max_queue = max_queue
        self.running = 0
        self._waiters: deque[asyncio.Future[None]] = deque()
        self.observer: Observer | None = None

    @property
    def waiting(self) -> int:
        return len(self._waiters)

    async def enter(self) -> None:
        """Take a slot, waiting for one in arrival order; the 503 when the queue is full."""
        if self.running < self.limit and not self._waiters:
            self._take()
            return
        if self.max_queue is not None and len(self._waiters) >= self.max_queue:
            raise errors.overloaded(request_id()[4:])
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        self._tell("waiting", 1)
        try:
            await waiter  # `leave` hands its slot over: `running` already counts this request
        except BaseException:
            if waiter.done() and not waiter.cancelled():
                self.leave()  # handed a slot, then cancelled: pass it on
            else:
                self._waiters.remove(waiter)
                self._tell("waiting", -1)
            raise

    def leave(self) -> None:
        """Give the slot back: to the longest waiter, if any."""
        while self._waiters:
            waiter = self._waiters.popleft()
            self._tell("waiting", -1)
            if not waiter.done():
                waiter.set_result(None)  # the slot passes on: `running` is unchanged
                return
        self.running -= 1
        self._tell("running", -1)

    def _take(self) -> None:
        self.running += 1
        self._tell("running", 1)

    def _tell(self, kind: str, delta: int) -> None:
        if self.observer is not None:
            self.observer(kind, delta)

    def holding(self, response: ASGIApp) -> ASGIApp:
        """`response`, giving the slot back once it has been sent (or the client left)."""
        async def send_then_leave(scope: Any, receive: Any, send: Any) -> None:
            try:
                await response(scope, receive, send)
            finally:
                self.leave()

        return send_then_leave
