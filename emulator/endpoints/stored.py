"""The stored-completions API: list, retrieve, update, delete and the messages of a stored completion.

Only completions created with `store: true` by the same API key are visible; anything else is a
404. Query parameters are checked in the live error grammar (`limit` 1..100, `order` asc/desc).
"""
from __future__ import annotations

import json
import time
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from .. import http
from ..contract import errors
from ..contract.errors import ApiError
from ..contract.request_shape import REQUEST_FIELDS
from ..contract.shapes import Integer, Object, String
from ..contract.validate import parse_json_object
from ..ids import request_id
from ..state import EmulatorState
from ..store import CompletionStore, Record, list_completions, paginate, stored_messages

LIMIT = Integer(1, 100)
ORDER = String(enum=("asc", "desc"))
UPDATE_BODY = Object({"metadata": REQUEST_FIELDS["metadata"]}, required=("metadata",))


def not_found(completion_id: str) -> ApiError:
    # The live text is not known (NOTES §10.2); this one follows the API's wording for missing objects.
    return ApiError(404, f"No chat completion found with id '{completion_id}'.")


def store_of(state: EmulatorState) -> CompletionStore:
    return state.services["store"]


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


def _query_order(request: Request, default: str = "asc") -> str:
    order = request.query_params.get("order", default)
    ORDER.check(order, "order")
    return order


def _metadata_filter(request: Request) -> dict[str, str]:
    """`metadata[key]=value` pairs (the SDK's bracket form)."""
    pairs = {}
    for name, value in request.query_params.multi_items():
        if name.startswith("metadata[") and name.endswith("]"):
            pairs[name[len("metadata["):-1]] = value
    return pairs


async def _serve(request: Request, action, store: str = "store") -> Response:
    """Authenticate, run `action(store, api_key)`, render its JSON or the error envelope. `store` names the
    service: stored completions (`store`) or stored responses (`responses`)."""
    state: EmulatorState = request.app.state.emulator
    started, rid = time.perf_counter(), request_id()
    try:
        api_key = http.api_key_of(request, state.settings.api_keys)
        payload = await action(state.services[store], api_key)
    except ApiError as error:
        return http.error_response(error, http.base_headers(rid, started))
    return http.json_response(payload, http.base_headers(rid, started))


def _found(record: Record | None, completion_id: str) -> Record:
    if record is None:
        raise not_found(completion_id)
    return record


async def list_stored_completions(request: Request) -> Response:
    async def action(store: CompletionStore, api_key: str) -> dict[str, Any]:
        limit, order = _query_int(request, "limit", 20), _query_order(request)
        page = list_completions(store, api_key, model=request.query_params.get("model"),
                                metadata=_metadata_filter(request), after=request.query_params.get("after"),
                                limit=limit, order=order)
        return page.as_list()

    return await _serve(request, action)


async def retrieve_stored_completion(request: Request) -> Response:
    completion_id = request.path_params["completion_id"]

    async def action(store: CompletionStore, api_key: str) -> dict[str, Any]:
        return _found(store.get(api_key, completion_id), completion_id).completion_dict()

    return await _serve(request, action)


async def update_stored_completion(request: Request) -> Response:
    completion_id = request.path_params["completion_id"]
    state: EmulatorState = request.app.state.emulator

    async def action(store: CompletionStore, api_key: str) -> dict[str, Any]:
        http.check_json_content_type(request)
        body = parse_json_object(await http.read_body(request, state.settings.max_body_bytes))
        UPDATE_BODY.check_value(body, "")
        _found(store.get(api_key, completion_id), completion_id)
        record = store.update_metadata(api_key, completion_id, body["metadata"] or {})
        return _found(record, completion_id).completion_dict()

    return await _serve(request, action)


async def delete_stored_completion(request: Request) -> Response:
    completion_id = request.path_params["completion_id"]

    async def action(store: CompletionStore, api_key: str) -> dict[str, Any]:
        if not store.delete(api_key, completion_id):
            raise not_found(completion_id)
        return {"object": "chat.completion.deleted", "id": completion_id, "deleted": True}

    return await _serve(request, action)


async def list_stored_messages(request: Request) -> Response:
    completion_id = request.path_params["completion_id"]

    async def action(store: CompletionStore, api_key: str) -> dict[str, Any]:
        limit, order = _query_int(request, "limit", 20), _query_order(request)
        record = _found(store.get(api_key, completion_id), completion_id)
        messages = stored_messages(completion_id, json.loads(record.messages))
        if order == "desc":
            messages.reverse()
        return paginate(messages, request.query_params.get("after"), limit).as_list()

    return await _serve(request, action)
