"""Validated Responses requests, remembered by their raw bytes: an identical body skips parsing and
validation.

Test suites and load tests send the same bytes again and again. Validating a body that carries its
whole conversation (no `previous_response_id`, which reads the store) is a pure function of its
bytes, the profile (its lenient reading), the URL and the model catalogue, so a body that passed
once passes again with the same result. The `ResponsesRequest` is kept, and each request gets a copy
with its own ids, headers and key (`ResponsesRequest.again`).

Everything around validation still runs per request: the body is read (content type, size limit),
the key is checked, rate limits, the journal, `store`, scenarios and chaos see each request as
before. Only successes are kept (a refused body is validated, and worded, again), and Azure's
routes, whose deployments name the model, always validate. A kept request is used only while the
catalogue still resolves its model to the same entry.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Hashable

from ..contract.responses_request import Lookup, ResponsesRequest, validate_responses_request
from ..contract.responses_shape import RESPONSES_REQUEST
from ..journal import JOURNAL_ENTRY, JournalEntry
from ..profiles import IGNORED_FIELDS_HEADER
from .journaling import Route, read_request

if TYPE_CHECKING:
    from ..contract.models import Catalogue
    from .shell import Exchange

MAX_REQUESTS = 128
MAX_BODY_BYTES = 16 * 1024  # larger bodies are rare in a loop


@dataclass(slots=True)
class Kept:
    parsed: dict[str, Any]  # the body as journaled
    ignored: str | None  # the ignored-fields header of a lenient profile
    request: ResponsesRequest
    catalogue: Catalogue  # held, so its identity in the key stays unique


_KEPT: OrderedDict[Hashable, Kept] = OrderedDict()
_LOCK = threading.Lock()  # several emulators may serve in threads of one process


def _kept(key: Hashable, catalogue: Catalogue) -> Kept | None:
    kept = _KEPT.get(key)
    if kept is None or kept.catalogue is not catalogue:
        return None
    current = catalogue.get(kept.request.model.id)
    if current is not None and current is not kept.request.model:  # the model was redefined
        return None
    return kept


async def validated_responses_request(ex: Exchange, route: Route | None,
                                      previous: Lookup) -> tuple[bytes, ResponsesRequest]:
    """The raw body and the validated request: a copy of the kept one for a body seen before, else
    read, shaped by `route` and the profile, and validated (`ApiError` for a bad one)."""
    entry: JournalEntry = ex.request.scope[JOURNAL_ENTRY]
    catalogue = ex.catalogue()
    raw = await ex.body()
    key = (raw, ex.profile.name, ex.request.scope["path"], id(catalogue))
    memo = route is None and len(raw) <= MAX_BODY_BYTES
    kept = _kept(key, catalogue) if memo else None
    if kept is not None:
        entry.request_bytes, entry.body = len(raw), kept.parsed
        if kept.ignored is not None:
            ex.headers[IGNORED_FIELDS_HEADER] = kept.ignored
        return raw, kept.request.again(entry.headers, ex.api_key)
    raw, body = await read_request(ex, route, RESPONSES_REQUEST, raw=raw)
    req = validate_responses_request(body, catalogue, headers=entry.headers, api_key=ex.api_key, previous=previous)
    if memo and not req.context and body.get("previous_response_id") is None:
        with _LOCK:
            _KEPT[key] = Kept(entry.body, ex.headers.get(IGNORED_FIELDS_HEADER), req, catalogue)
            while len(_KEPT) > MAX_REQUESTS:
                _KEPT.popitem(last=False)
    return raw, req
