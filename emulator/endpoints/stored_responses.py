"""Stored responses: retrieve (also re-streamed for background ones), delete, cancel, list input items.

Only responses stored (`store` not false) under the same API key are visible; anything else is the 404
`Response with id '…' not found.` (inferred text, docs/responses.md).
"""
from __future__ import annotations

import time
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from .. import http
from ..contract import errors
from ..contract.errors import ApiError
from ..ids import request_id
from ..response_store import ResponseStore, StoredResponse
from ..state import EmulatorState
from ..store import paginate
from ..wire.response_events import stream_events
from ..wire.stream_response import unpaced_stream
from .stored import _query_int, _query_order, _serve

SERVICE = "responses"


def _found(store: ResponseStore, api_key: str, response_id: str) -> StoredResponse:
    record = store.get(api_key, response_id)
    if record is None:
        raise errors.response_not_found(response_id)
    return record


async def retrieve_response(request: Request) -> Response:
    response_id = request.path_params["response_id"]
    if request.query_params.get("stream", "false").lower() == "true":
        return await _restream(request, response_id)

    async def action(store: ResponseStore, api_key: str) -> dict[str, Any]:
        record = _found(store, api_key, response_id)
        current = record.current()
        if record.stage in ("queued", "in_progress"):  # each poll moves a background response on
            record.advance()
            store.save(record)
        return current

    return await _serve(request, action, SERVICE)


async def _restream(request: Request, response_id: str) -> Response:
    """`GET ?stream=true` of a background response: its events again, after `starting_after` if given."""
    state: EmulatorState = request.app.state.emulator
    started, rid = time.perf_counter(), request_id()
    try:
        api_key = http.api_key_of(request, state.settings.api_keys)
        record = _found(state.services[SERVICE], api_key, response_id)
        if not record.response["background"]:
            raise errors.response_not_streamable()
        after = _query_int_any(request, "starting_after", -1)
        initial = {**record.response, "status": "queued", "output": [], "usage": None, "completed_at": None,
                   "incomplete_details": None}
        record.stage = "done"
        state.services[SERVICE].save(record)
        events = stream_events(initial, record.response, obfuscate=False)
    except ApiError as error:
        return http.error_response(error, http.base_headers(rid, started))
    return unpaced_stream(events[after + 1:], http.base_headers(rid, started))


def _query_int_any(request: Request, name: str, default: int) -> int:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    try:
        return max(int(raw), -1)
    except ValueError:
        raise errors.invalid_type(name, "an integer", "a string") from None


async def delete_response(request: Request) -> Response:
    response_id = request.path_params["response_id"]

    async def action(store: ResponseStore, api_key: str) -> dict[str, Any]:
        if not store.delete(api_key, response_id):
            raise errors.response_not_found(response_id)
        return {"id": response_id, "object": "response", "deleted": True}

    return await _serve(request, action, SERVICE)


async def cancel_response(request: Request) -> Response:
    response_id = request.path_params["response_id"]

    async def action(store: ResponseStore, api_key: str) -> dict[str, Any]:
        record = _found(store, api_key, response_id)
        if not record.response["background"]:
            raise errors.response_not_cancellable()
        if record.stage in ("queued", "in_progress"):
            record.stage = "cancelled"
            store.save(record)
        return record.current()  # cancelling again (or after the end) returns the final object

    return await _serve(request, action, SERVICE)


async def list_input_items(request: Request) -> Response:
    response_id = request.path_params["response_id"]

    async def action(store: ResponseStore, api_key: str) -> dict[str, Any]:
        limit, order = _query_int(request, "limit", 20), _query_order(request, "desc")
        items = list(_found(store, api_key, response_id).items)
        if order == "desc":
            items.reverse()
        return paginate(items, request.query_params.get("after"), limit).as_list()

    return await _serve(request, action, SERVICE)
