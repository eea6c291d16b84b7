"""A served request leaves no reference cycle behind: its exchange, request and uvicorn's cycle are freed by
reference counting when it ends, and the garbage collector (whose runs a cycle a request set off) stays out
of the request path."""
from __future__ import annotations

import gc

import pytest

from emulator.endpoints.shell import Exchange

BODIES = {
    "/chat/completions": {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Hi"}]},
    "/responses": {"model": "gpt-4o-mini", "input": "Hi"},
    "/embeddings": {"model": "text-embedding-3-small", "input": "Hi"},
}


def live_exchanges() -> int:
    return sum(1 for o in gc.get_objects() if type(o) is Exchange)


@pytest.mark.parametrize("path", list(BODIES))
@pytest.mark.parametrize("valid", [True, False])
def test_served_requests_leave_no_exchange_for_the_garbage_collector(http, path, valid):
    body = BODIES[path] if valid else {"model": "gpt-4o-mini"}
    gc.collect()
    gc.disable()  # only reference counting frees anything now
    try:
        before = live_exchanges()
        for _ in range(20):
            assert (http.post(path, json=body).status_code == 200) is valid
        left = live_exchanges() - before
    finally:
        gc.enable()
    assert left <= 1  # at most the last one, if its task is still unwinding
