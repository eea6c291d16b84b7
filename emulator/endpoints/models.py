"""`GET /v1/models` and `GET /v1/models/{model}`."""
from __future__ import annotations

import time
from typing import Any, Callable

from starlette.requests import Request
from starlette.responses import Response

from .. import http, profiles
from ..contract import errors
from ..contract.errors import ApiError
from ..contract.models import ModelCatalogue
from ..profiles.catalogue import LayeredCatalogue
from ..ids import request_id
from ..profiles import PROFILES
from ..state import EmulatorState

Catalogue = ModelCatalogue | LayeredCatalogue  # the server's, or it plus a profile's extra models


async def list_models(request: Request) -> Response:
    return _answer(request, lambda catalogue: {"object": "list", "data": [m.listing() for m in catalogue]})


async def retrieve_model(request: Request) -> Response:
    def one(catalogue: Catalogue) -> dict[str, Any]:
        model_id = request.path_params["model"]
        info = catalogue.get(model_id)
        if info is None:
            raise errors.model_not_found(model_id)
        return info.listing()

    return _answer(request, one)


def _answer(request: Request, build: Callable[[Catalogue], dict[str, Any]]) -> Response:
    """Auth and errors as the request's profile has them, then `build` from its catalogue."""
    state: EmulatorState = request.app.state.emulator
    started, rid = time.perf_counter(), request_id()
    profile = PROFILES[state.settings.profile]
    try:
        profile = profiles.for_request(request.headers, state.settings.profile)
        profile.read_api_key(request, state.settings.api_keys)
        payload = build(profiles.catalogue_for(state, profile))
    except ApiError as error:
        return profile.error_response(error, http.base_headers(rid, started))
    return http.json_response(payload, http.base_headers(rid, started))
