"""`GET /v1/models` and `GET /v1/models/{model}`: the request's profile's catalogue."""
from __future__ import annotations

from typing import Any

from ..contract import errors
from .shell import Exchange, endpoint


@endpoint
async def list_models(ex: Exchange) -> dict[str, Any]:
    return {"object": "list", "data": [model.listing() for model in ex.catalogue()]}


@endpoint
async def retrieve_model(ex: Exchange) -> dict[str, Any]:
    model_id = ex.request.path_params["model"]
    info = ex.catalogue().get(model_id)
    if info is None:
        raise errors.model_not_found(model_id)
    return info.listing()
