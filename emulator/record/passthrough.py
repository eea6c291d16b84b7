"""Reads that go straight upstream under `--upstream`: the model list and stored completions.

The upstream knows which models it serves and which completions it stored; the emulator's own
catalogue and store would answer for a different server. These are passed through, not recorded.
While no upstream is active (a test that only replays, in pytest), the emulator's own endpoints answer.
"""
from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.routing import BaseRoute, Route

from ..endpoints.shell import Endpoint, Exchange, endpoint
from .proxy import Forwarded


@endpoint
async def _forward_read(ex: Exchange) -> Any:
    proxy = ex.state.proxy
    assert proxy is not None
    headers = {name.decode("latin-1"): value.decode("latin-1") for name, value in ex.request.scope["headers"]}
    return await proxy.forward(Forwarded(ex.request.method, ex.request.scope["path"],
                                         ex.request.scope["query_string"].decode(), headers, b"", None))


def passing(local: Endpoint) -> Endpoint:
    async def serve(request: Request) -> Any:
        proxy = request.app.state.emulator.proxy
        return await (_forward_read if proxy is not None and proxy.active else local)(request)

    return serve


def pass_through_routes(local: dict[str, Endpoint]) -> list[BaseRoute]:
    """GET routes for these paths that go upstream when an upstream is active, else to `local[path]`."""
    return [Route(path, passing(endpoint), methods=["GET"]) for path, endpoint in local.items()]
