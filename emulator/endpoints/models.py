"""`GET /v1/models` and `GET /v1/models/{model}`."""
from __future__ import annotations

import time

from starlette.requests import Request
from starlette.responses import Response

from .. import http, profiles
from ..contract import errors
from ..contract.errors import ApiError
from ..ids import request_id
from ..profiles import PROFILES
from ..state import EmulatorState


async def list_models(request: Request) -> Response:
    state: EmulatorState = request.app.state.emulator
    started, rid = time.perf_counter(), request_id()
    profile = PROFILES[state.settings.profile]
    try:
        profile = profiles.for_request(request.headers, state.settings.profile)
        profile.read_api_key(request, state.settings.api_keys)
    except ApiError as error:
        return profile.error_response(error, http.base_headers(rid, started))
    data = [m.listing() for m in profiles.catalogue_for(state, profile)]
    return http.json_response({"object": "list", "data": data}, http.base_headers(rid, started))


async def retrieve_model(request: Request) -> Response:
    state: EmulatorState = request.app.state.emulator
    started, rid = time.perf_counter(), request_id()
    profile = PROFILES[state.settings.profile]
    try:
        profile = profiles.for_request(request.headers, state.settings.profile)
        profile.read_api_key(request, state.settings.api_keys)
        model_id = request.path_params["model"]
        info = profiles.catalogue_for(state, profile).get(model_id)
        if info is None:
            raise errors.model_not_found(model_id)
    except ApiError as error:
        return profile.error_response(error, http.base_headers(rid, started))
    return http.json_response(info.listing(), http.base_headers(rid, started))
