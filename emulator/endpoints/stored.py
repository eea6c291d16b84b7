"""The stored-completions API: list, retrieve, update, delete and the messages of a stored completion.

Only completions created with `store: true` by the same API key are visible; anything else is a
404. Query parameters are checked in the live error grammar (`limit` 1..100, `order` asc/desc).
"""
from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request

from ..contract import errors
from ..contract.request_shape import REQUEST_FIELDS
from ..contract.shapes import Integer, Object, String
from ..store import Record, list_completions, paginate, stored_messages
from .shell import Exchange, endpoint

LIMIT = Integer(1, 100)
ORDER = String(enum=("asc", "desc"))
UPDATE_BODY = Object({"metadata": REQUEST_FIELDS["metadata"]}, required=("metadata",))


def _query_int(request: Request, name: str, default: int) -> int:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise errors.invalid_type(name, "an integer", "a string") from None
    LIMIT.check(value, name)
    return value


def _query_order(request: Request) -> str:
    order = request.query_params.get("order", "asc")
    ORDER.check(order, "order")
    return order


def _metadata_filter(request: Request) -> dict[str, str]:
    """`metadata[key]=value` pairs (the SDK's bracket form)."""
    pairs = {}
    for name, value in request.query_params.multi_items():
        if name.startswith("metadata[") and name.endswith("]"):
            pairs[name[len("metadata["):-1]] = value
    return pairs


def _found(record: Record | None, completion_id: str) -> Record:
    if record is None:
        raise errors.stored_completion_not_found(completion_id)
    return record


@endpoint
async def list_stored_completions(ex: Exchange) -> dict[str, Any]:
    query = ex.request.query_params
    limit, order = _query_int(ex.request, "limit", 20), _query_order(ex.request)
    page = list_completions(ex.state.store, ex.api_key, model=query.get("model"),
                            metadata=_metadata_filter(ex.request), after=query.get("after"), limit=limit, order=order)
    return page.as_list()


@endpoint
async def retrieve_stored_completion(ex: Exchange) -> dict[str, Any]:
    completion_id = ex.request.path_params["completion_id"]
    return _found(ex.state.store.get(ex.api_key, completion_id), completion_id).completion_dict()


@endpoint
async def update_stored_completion(ex: Exchange) -> dict[str, Any]:
    completion_id = ex.request.path_params["completion_id"]
    body = await ex.json_object()
    UPDATE_BODY.check_value(body, "")
    _found(ex.state.store.get(ex.api_key, completion_id), completion_id)
    record = ex.state.store.update_metadata(ex.api_key, completion_id, body["metadata"] or {})
    return _found(record, completion_id).completion_dict()


@endpoint
async def delete_stored_completion(ex: Exchange) -> dict[str, Any]:
    completion_id = ex.request.path_params["completion_id"]
    if not ex.state.store.delete(ex.api_key, completion_id):
        raise errors.stored_completion_not_found(completion_id)
    return {"object": "chat.completion.deleted", "id": completion_id, "deleted": True}


@endpoint
async def list_stored_messages(ex: Exchange) -> dict[str, Any]:
    completion_id = ex.request.path_params["completion_id"]
    limit, order = _query_int(ex.request, "limit", 20), _query_order(ex.request)
    record = _found(ex.state.store.get(ex.api_key, completion_id), completion_id)
    messages = stored_messages(completion_id, json.loads(record.messages))
    if order == "desc":
        messages.reverse()
    return paginate(messages, ex.request.query_params.get("after"), limit).as_list()
