"""Reads that go straight upstream under `--upstream`: the model list and stored completions.

The upstream knows which models it serves and which completions it stored; the emulator's own
catalogue and store would answer for a different server. These are passed through, not recorded.
"""
from __future__ import annotations

import time

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from .. import http
from ..contract.errors import ApiError
from ..ids import request_id
from .proxy import Forwarded

PASSED_THROUGH = ("/v1/models", "/v1/models/{model:path}", "/v1/chat/completions",
                  "/v1/chat/completions/{completion_id}", "/v1/chat/completions/{completion_id}/messages")


async def pass_through(request: Request) -> Response:
    proxy = request.app.state.emulator.services["proxy"]
    headers = {name.decode("latin-1"): value.decode("latin-1") for name, value in request.scope["headers"]}
    try:
        return await proxy.forward(Forwarded(request.method, request.scope["path"],
                                             request.scope["query_string"].decode(), headers, b"", None))
    except ApiError as error:
        return http.error_response(error, http.base_headers(request_id(), time.perf_counter()))


def pass_through_routes() -> list[BaseRoute]:
    return [Route(path, pass_through, methods=["GET"]) for path in PASSED_THROUGH]
