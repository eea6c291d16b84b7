"""Validated requests, remembered by their raw bytes: an identical body skips parsing and validation.

Test suites and load tests send the same bytes again and again. Validating a body is a pure
function of its bytes, the profile (its request shape, its own checks, its lenient reading), the
URL (which names the operation) and the model catalogue, so a body that passed once passes again
with the same result. From a body's second sighting the validated request (with the facts it has
already computed, such as its prompt tokens) is kept, and each request gets its own copy through the
operation's `again` step (its headers, key and whatever else is its own).

Every operation that validates a JSON body uses this one memo (`validated_request`); an operation
says what a copy is (`again`) and which results may serve identical bytes again (`reusable`: a
Responses body that reads the store through `previous_response_id` may not).

Everything around validation still runs per request: the body is read (content type, size limit),
the key is checked, rate limits, the journal, `store`, scenarios, chaos and the client checks see
each request as before. Only successes are kept (a refused body is validated again, and worded
again), and Azure's routes, whose deployments name the model, always validate. A kept request is
used only while the catalogue still resolves its model to the same entry.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from typing import TYPE_CHECKING, Any, Awaitable, Callable, Hashable, Protocol, TypeVar, cast

from ..contract.chat_request import ChatRequest
from ..contract.models import Catalogue, ModelInfo
from ..contract.validate import validate_chat_request
from ..journal import JOURNAL_ENTRY, JournalEntry
from ..model.memo import Sightings
from ..profiles import IGNORED_FIELDS_HEADER
from .journaling import Route, read_request

if TYPE_CHECKING:
    from ..contract.shapes import Object
    from .shell import Exchange

MAX_REQUESTS = 128
# Larger bodies are rare in a loop, and the journal shrinks the long strings of those (journal.py).
MAX_BODY_BYTES = 16 * 1024


class Validated(Protocol):
    """What an operation's validation returns, as far as the memo cares."""

    @property
    def model(self) -> ModelInfo: ...


V = TypeVar("V", bound=Validated)


class Kept:
    """What validating one body produced: the parsed body (journaled as is), the ignored fields and
    the request, and the catalogue it was validated against (held, so its identity stays unique)."""

    __slots__ = ("parsed", "ignored", "request", "catalogue")

    def __init__(self, parsed: dict[str, Any], ignored: str | None, request: Validated, catalogue: Catalogue) -> None:
        self.parsed, self.ignored, self.request, self.catalogue = parsed, ignored, request, catalogue


class ValidatedMemo:
    """Keeps a body's validation from its second sighting on: a stream of distinct bodies (the
    headline load) then costs one small integer each, not a request held alive."""

    def __init__(self, max_requests: int = MAX_REQUESTS) -> None:
        self.max_requests = max_requests
        self._kept: OrderedDict[Hashable, Kept] = OrderedDict()
        self._seen = Sightings(8 * max_requests)  # keys seen once
        self._lock = threading.Lock()  # several emulators may serve in threads of one process

    def get(self, key: Hashable, catalogue: Catalogue) -> Kept | None:
        kept = self._kept.get(key)
        if kept is None or kept.catalogue is not catalogue:
            return None
        current = catalogue.get(kept.request.model.id)
        if current is not None and current is not kept.request.model:  # the model was redefined
            return None
        return kept

    def keep(self, key: Hashable, parsed: dict[str, Any], ignored: str | None, request: Validated,
             catalogue: Catalogue) -> None:
        """Keep what validating `key`'s body gave, from its second sighting (`Kept` is built only then)."""
        with self._lock:
            if self._seen.first(key):
                return
            self._kept[key] = Kept(parsed, ignored, request, catalogue)
            while len(self._kept) > self.max_requests:
                self._kept.popitem(last=False)


VALIDATED = ValidatedMemo()


async def validated_request(ex: Exchange, route: Route | None, validate: Callable[[dict[str, Any]], V],
                            again: Callable[[V], V], *, shape: Object | None = None,
                            reusable: Callable[[V, dict[str, Any]], bool] | None = None,
                            catalogue: Catalogue | None = None) -> tuple[bytes, V]:
    """The raw body and the validated request: `again(kept)` for a body validated before, else the
    body read, shaped by `route` and the profile (`shape`: the operation's request shape, see
    `read_request`) and passed to `validate` (`ApiError` for a bad one); kept when `reusable(request,
    body)` (by default always). `catalogue`: the exchange's, when the caller has it already."""
    entry: JournalEntry = ex.request.scope[JOURNAL_ENTRY]
    if catalogue is None:
        catalogue = ex.catalogue()
    raw = await ex.body()
    key = (raw, ex.profile.name, ex.request.scope["path"], id(catalogue))
    memo = route is None and len(raw) <= MAX_BODY_BYTES  # Azure's routes map deployments: validated anew
    kept = VALIDATED.get(key, catalogue) if memo else None
    if kept is not None:
        entry.request_bytes, entry.body = len(raw), kept.parsed
        if kept.ignored is not None:
            ex.headers[IGNORED_FIELDS_HEADER] = kept.ignored
        return raw, again(cast(V, kept.request))  # kept under this operation's path, so its own kind
    body = read_request(ex, route, shape, raw)
    request = validate(body)
    if memo and (reusable is None or reusable(request, body)):
        VALIDATED.keep(key, entry.body, ex.headers.get(IGNORED_FIELDS_HEADER), request, catalogue)
    return raw, request


def validated_chat_request(ex: Exchange, route: Route | None) -> Awaitable[tuple[bytes, ChatRequest]]:
    """`POST /v1/chat/completions`'s body, validated (or from the memo): `validated_request`'s own
    coroutine, no coroutine of its own around it (the caller notes the request's `raw_key`)."""
    entry: JournalEntry = ex.request.scope[JOURNAL_ENTRY]
    catalogue = ex.catalogue()

    def validate(body: dict[str, Any]) -> ChatRequest:
        return validate_chat_request(body, catalogue, headers=entry.headers, api_key=ex.api_key,
                                     profile_checks=ex.profile.checks, shape=ex.profile.request_shape)

    def again(kept: ChatRequest) -> ChatRequest:  # the facts computed so far come along
        return kept.again(entry.headers, ex.api_key)

    return validated_request(ex, route, validate, again, catalogue=catalogue)
