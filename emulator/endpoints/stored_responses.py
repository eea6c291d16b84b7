"""Stored responses: retrieve (also re-streamed for background ones), delete, cancel, list input items.

Only responses stored (`store` not false) under the same API key are visible; anything else is the 404
`Response with id '…' not found.` (inferred text, docs/responses.md).
"""
from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from ..contract import errors
from ..response_store import StoredResponse
from ..store import paginate
from ..wire.response_events import Chunking, stream_events
from ..wire.responses import BytesResponse
from ..wire.stream_response import unpaced_stream
from .shell import Exchange, endpoint
from .stored import query_int, query_order

DEFAULT_ENCODING = "o200k_base"  # for a snapshot the catalogue does not list


def _found(ex: Exchange) -> StoredResponse:
    response_id = ex.request.path_params["response_id"]
    record = ex.state.responses.get(ex.api_key, response_id)
    if record is None:
        raise errors.response_not_found(response_id)
    return record


@endpoint
async def retrieve_response(ex: Exchange) -> dict[str, Any] | Response:
    record = _found(ex)
    if ex.request.query_params.get("stream", "false").lower() == "true":
        return _restream(ex, record)
    if record.is_final:  # the bytes it was stored as
        return BytesResponse(record.body, 200, ex.answer_headers())
    current = record.current()
    if record.stage in ("queued", "in_progress"):  # each poll moves a background response on
        record.advance()
        ex.state.responses.save(record)
    return current


def _restream(ex: Exchange, record: StoredResponse) -> Response:
    """`GET ?stream=true` of a background response: its events again, after `starting_after` if given."""
    final = record.response
    if not final["background"]:
        raise errors.response_not_streamable()
    after = _starting_after(ex.request)
    initial = {**final, "status": "queued", "output": [], "usage": None, "completed_at": None,
               "incomplete_details": None}
    record.stage = "done"
    ex.state.responses.save(record)
    model = ex.state.catalogue.get(final["model"])
    chunking = Chunking(model.tokenizer if model is not None else DEFAULT_ENCODING)
    events = stream_events(initial, final, chunking, obfuscate=False)
    return unpaced_stream(events[after + 1:], ex.answer_headers())


def _starting_after(request: Request) -> int:
    raw = request.query_params.get("starting_after")
    if raw is None:
        return -1
    try:
        return max(int(raw), -1)
    except ValueError:
        raise errors.invalid_type("starting_after", "an integer", "a string") from None


@endpoint
async def delete_response(ex: Exchange) -> dict[str, Any]:
    record = _found(ex)
    ex.state.responses.delete(ex.api_key, record.id)
    return {"id": record.id, "object": "response", "deleted": True}


@endpoint
async def cancel_response(ex: Exchange) -> dict[str, Any]:
    record = _found(ex)
    if not record.response["background"]:
        raise errors.response_not_cancellable()
    if record.stage in ("queued", "in_progress"):
        record.stage = "cancelled"
        ex.state.responses.save(record)
    return record.current()  # cancelling again (or after the end) returns the final object


@endpoint
async def list_input_items(ex: Exchange) -> dict[str, Any]:
    limit, order = query_int(ex.request, "limit", 20), query_order(ex.request, "desc")
    items = list(_found(ex).items)
    if order == "desc":
        items.reverse()
    return paginate(items, ex.request.query_params.get("after"), limit).as_list()
