"""Reads that go upstream under `--upstream`: the model list, stored completions and stored responses.

The upstream knows which models it serves and which completions it stored; the emulator's own
catalogue and store would answer for a different server. These are passed through, not recorded.
Stored responses are the emulator's own when it made them (a scenario's answer, or a replayed one)
and the upstream's otherwise: `GET`, `DELETE`, `cancel` and `input_items` of an id the emulator's
store does not hold go upstream. While no upstream is active (a test that only replays, in pytest),
the emulator's own endpoints answer.
"""
from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.routing import BaseRoute, Route

from ..contract.auth import sent_key
from ..endpoints.shell import Endpoint, Exchange, endpoint
from .proxy import Forwarded


@endpoint
async def _forward_read(ex: Exchange) -> Any:
    proxy = ex.state.proxy
    assert proxy is not None
    headers = {name.decode("latin-1"): value.decode("latin-1") for name, value in ex.request.scope["headers"]}
    return await proxy.forward(Forwarded(ex.request.method, ex.request.scope["path"],
                                         ex.request.scope["query_string"].decode(), headers, b"", None))


def passing(local: Endpoint, *, local_first: bool = False) -> Endpoint:
    """`local` while no upstream is active; else the upstream, or with `local_first` the upstream only
    for a response id the emulator's store does not hold."""
    async def serve(request: Request) -> Any:
        state = request.app.state.emulator
        if state.proxy is None or not state.proxy.active or (local_first and _stored_here(request)):
            return await local(request)
        return await _forward_read(request)

    return serve


def _stored_here(request: Request) -> bool:
    responses = request.app.state.emulator.responses
    return responses.get(sent_key(request.headers), request.path_params["response_id"]) is not None


def pass_through_routes(local: dict[str, Endpoint]) -> list[BaseRoute]:
    """GET routes for these paths that go upstream when an upstream is active, else to `local[path]`."""
    return [Route(path, passing(endpoint), methods=["GET"]) for path, endpoint in local.items()]


def stored_response_routes(local: dict[tuple[str, str], Endpoint]) -> list[BaseRoute]:
    """Routes (`(method, path)` → the local endpoint) answered locally for a response the emulator
    stored, and by the upstream for any other id."""
    return [Route(path, passing(endpoint, local_first=True), methods=[method])
            for (method, path), endpoint in local.items()]
