"""Reads that go straight upstream under `--upstream`: the model list and stored completions.

The upstream knows which models it serves and which completions it stored; the emulator's own
catalogue and store would answer for a different server. These are passed through, not recorded.
While no upstream is active (a replaying test in pytest), the emulator's own endpoints answer.
"""
from __future__ import annotations

import time
from typing import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from .. import http
from ..contract.errors import ApiError
from ..ids import request_id
from .proxy import Forwarded

Endpoint = Callable[[Request], Awaitable[Response]]


def passing(local: Endpoint) -> Endpoint:
    async def endpoint(request: Request) -> Response:
        proxy = request.app.state.emulator.services.get("proxy")
        if proxy is None:
            return await local(request)
        headers = {name.decode("latin-1"): value.decode("latin-1") for name, value in request.scope["headers"]}
        try:
            return await proxy.forward(Forwarded(request.method, request.scope["path"],
                                                 request.scope["query_string"].decode(), headers, b"", None))
        except ApiError as error:
            return http.error_response(error, http.base_headers(request_id(), time.perf_counter()))

    return endpoint


def pass_through_routes(local: dict[str, Endpoint]) -> list[BaseRoute]:
    """GET routes for these paths that go upstream when an upstream is active, else to `local[path]`."""
    return [Route(path, passing(endpoint), methods=["GET"]) for path, endpoint in local.items()]
