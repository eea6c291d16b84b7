"""The endpoint shell: what every route does around its own work, written once.

For each request: a request id, a timer started on arrival, the request's profile, the key check,
then the route's handler; its result becomes JSON (or is sent as the `Response` it built) and an
`ApiError` raised anywhere becomes the error envelope in the profile's words; every answer carries
the standard headers (`x-request-id`, `openai-processing-ms`, `openai-version`,
`openai-organization`).

An endpoint is a handler over an `Exchange`:

    @endpoint
    async def create_embedding(ex: Exchange) -> dict[str, Any]:
        request = validate_embedding(await ex.json_object(), ex.catalogue())  # contract: raises ApiError
        reply = respond_embedding(request, ex.state)                         # a responder
        return embedding_dict(reply)                                          # render: JSON with headers

`@endpoint(api=False)` serves routes that answer no API key and speak no profile (the admin API,
unknown URLs): their errors are in the live API's envelope.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Awaitable, Callable, Mapping, Union, overload

from starlette.requests import Request
from starlette.responses import Response

from .. import profiles
from ..contract import errors
from ..contract.auth import read_api_key
from ..contract.errors import ApiError
from ..contract.headers import standard_headers, standard_lines
from ..contract.validate import parse_json_object
from ..ids import request_id
from ..profiles import OPENAI, PROFILES, Profile
from ..json_text import json_bytes
from ..state import EmulatorState  # at run time: the compiled build's dataclass fields load their classes
from ..wire.head import Headers, as_dict
from ..wire.responses import BytesResponse
from .named import routable

if TYPE_CHECKING:
    from ..contract.models import Catalogue

ASGIApp = Callable[..., Awaitable[None]]
HEADER_MAP = "emulator.header_map"  # a scope's headers as `header_map` decodes them, when decoded before the shell
STATE = "emulator.state"  # the scope's `EmulatorState`, when put there before the shell (Starlette's `app.state` reads slower)
Result = Union[dict[str, Any], list[Any], Response, ASGIApp]
Handler = Callable[["Exchange"], Awaitable[Result]]
Endpoint = Callable[[Request], Awaitable[Any]]


@dataclass(slots=True, init=False)
class Exchange:
    """One request as the shell sees it, and what the handler adds to its answer (its `__init__` written
    out: the compiled build compiles it, where a dataclass's generated one stays interpreted)."""

    request: Request
    state: EmulatorState
    request_id: str
    started: float
    profile: Profile
    api_key: str
    headers: dict[str, str]  # added to every answer, errors included
    # Called with the response once it is built (success or error): recording happens here.
    after: Callable[[Response | ASGIApp, ApiError | None], None] | None
    _headers: dict[str, str] | None = field(repr=False)

    def __init__(self, request: Request, state: EmulatorState) -> None:
        self.request, self.state, self.request_id, self.started = request, state, request_id(), time.perf_counter()
        self.profile, self.api_key, self.headers, self.after, self._headers = OPENAI, "", {}, None, None

    @property
    def request_headers(self) -> dict[str, str]:
        """The request's headers by (lower-case) name, decoded once: Starlette's `Headers` scans and
        decodes the raw list on every look-up, and the shell looks up four. The fast path (app.py) has
        decoded them already."""
        if self._headers is None:
            scope = self.request.scope
            self._headers = scope.get(HEADER_MAP) or header_map(scope["headers"])
        return self._headers

    def authenticate(self, reader: Callable[[Mapping[str, str], tuple[str, ...]], str] | None = None) -> str:
        """The caller's key as the profile reads it (or as `reader` does), or the 401."""
        if reader is None:
            self.api_key = read_api_key(self.request_headers, self.state.settings.api_keys, self.profile.key_header)
        else:
            self.api_key = reader(self.request_headers, self.state.settings.api_keys)
        return self.api_key

    def catalogue(self) -> "Catalogue":
        return self.state.catalogue_for(self.profile)

    def body(self) -> Awaitable[bytes]:
        """The JSON body's bytes: content type checked (at once), at most `--max-body-bytes` (413 otherwise).
        `read_body`'s own coroutine, with none around it: each level of `await` costs every request."""
        check_json_content_type(self.request_headers)
        return read_body(self.request, self.state.settings.max_body_bytes, self.request_headers)

    async def json_object(self) -> dict[str, Any]:
        return parse_json_object(await self.body())

    def answer_headers(self, *more: Mapping[str, str]) -> dict[str, str]:
        """The standard headers, with the time spent since the request arrived, then the handler's, then
        `more` (later ones win), in one dict."""
        headers = standard_headers(self.request_id, self.started)
        if self.headers:
            headers.update(self.headers)
        for extra in more:
            if extra:  # usually empty (a reply's own headers)
                headers.update(extra)
        return headers

    def answer_lines(self, limits: bytes, *more: Mapping[str, str]) -> Headers:
        """`answer_headers` after the rate limiter's ready lines `limits` (`RateLimiter.consume_lines`): as
        ready lines too (wire/head.py) when neither the handler nor `more` adds a header (the usual
        answer), else as the dict."""
        if not self.headers and not any(more):
            return standard_lines(self.request_id, self.started) + limits
        return self.answer_headers(as_dict(limits), *more)

    def json(self, payload: object, status: int = 200) -> Response:
        return BytesResponse(json_bytes(payload), status, self.answer_headers())

    def error(self, error: ApiError, *, in_profile: bool = True) -> Response:
        payload = self.profile.error_payload(error) if in_profile else error.envelope()
        return BytesResponse(json_bytes(payload), error.status,
                             {**self.answer_headers(), **error.headers})


@overload
def endpoint(handler: Handler, *, api: bool = True, authenticate: bool = True,
             begin: Callable[[Exchange], None] | None = None) -> Endpoint: ...
@overload
def endpoint(*, api: bool = True, authenticate: bool = True,
             begin: Callable[[Exchange], None] | None = None) -> Callable[[Handler], Endpoint]: ...


def endpoint(handler: Handler | None = None, *, api: bool = True, authenticate: bool = True,
             begin: Callable[[Exchange], None] | None = None) -> Endpoint | Callable[[Handler], Endpoint]:
    """Wrap `handler` in the shell. `api`: the route is part of the OpenAI API (profile, key, the
    profile's error envelope); `authenticate=False`: the handler reads the key itself (Azure's paths,
    whose URL checks come first); `begin(ex)` runs first of all (the chat endpoint opens its journal
    entry there, so even a refused key is journaled)."""

    def wrap(handler: Handler) -> Endpoint:
        async def serve(request: Request) -> Any:
            # The shell around one handler call (see the module docstring), in this one coroutine: each
            # level of `await` costs every request.
            ex = Exchange(request, request.scope.get(STATE) or request.app.state.emulator)
            if begin is not None:
                begin(ex)
            failure: ApiError | None = None
            try:
                if api:
                    ex.profile = PROFILES[ex.state.settings.profile]  # the envelope for a bad profile header
                    ex.profile = profiles.for_request(ex.request_headers, ex.state.settings.profile)
                    if authenticate:
                        ex.authenticate()
                result = await handler(ex)
                response = ex.json(result) if isinstance(result, (dict, list)) else _with_headers(result, ex)
            except ApiError as error:
                failure, response = error, ex.error(error, in_profile=api)
            if ex.after is not None:
                ex.after(response, failure)
            return response

        return routable(serve, handler)

    return wrap(handler) if handler is not None else wrap


def _with_headers(result: Response | ASGIApp, ex: Exchange) -> Response | ASGIApp:
    """A response the handler built: the standard headers it lacks are added."""
    if isinstance(result, Response) and not isinstance(result, BytesResponse):
        for name, value in ex.answer_headers().items():
            result.headers.setdefault(name, value)
    return result


def error_answer(request: Request, error: ApiError, rid: str | None = None) -> Response:
    """An error outside any route (unknown URL, wrong method, a server fault): the live envelope."""
    ex = Exchange(request, request.app.state.emulator)
    if rid is not None:
        ex.request_id = rid
    return ex.error(error, in_profile=False)


# Request headers already decoded, by their raw (name, value): clients send the same headers request
# after request (host, key, content type, user agent, an SDK's dozen `x-stainless-*`), and one dict
# look-up costs about a quarter of two `latin-1` decodes. Bounded: emptied when full, and long values
# are not kept.
_DECODED: dict[tuple[bytes, bytes], tuple[str, str]] = {}
_MAX_DECODED = 2048
_MAX_KEPT_VALUE = 256


def header_map(raw: list[tuple[bytes, bytes]]) -> dict[str, str]:
    """ASGI headers (names already lower-case) as a dict; of a repeated header, the first (as
    Starlette's `Headers.get` answers)."""
    try:
        headers = dict(map(_DECODED.__getitem__, raw))  # every header seen before: no Python-level loop
    except (KeyError, TypeError):  # one not seen before (or a server that sends lists: not kept)
        headers = _decoded(raw)
    if len(headers) == len(raw):
        return headers
    headers = {}
    for name, value in raw:
        headers.setdefault(name.decode("latin-1"), value.decode("latin-1"))
    return headers


def _decoded(raw: list[tuple[bytes, bytes]]) -> dict[str, str]:
    """`raw` decoded (the last of a repeated header), noting the headers worth keeping."""
    if len(_DECODED) > _MAX_DECODED:
        _DECODED.clear()
    headers = {}
    for pair in raw:
        name, value = pair[0].decode("latin-1"), pair[1].decode("latin-1")
        headers[name] = value
        if len(value) <= _MAX_KEPT_VALUE and type(pair) is tuple:
            _DECODED[pair] = (name, value)
    return headers


async def read_body(request: Request, limit: int, headers: Mapping[str, str] | None = None) -> bytes:
    """The request body, refusing more than `limit` bytes (413) without reading it all."""
    declared = (request.headers if headers is None else headers).get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise errors.request_too_large(limit)
    message = await request.receive()
    body = message.get("body", b"")
    if not message.get("more_body"):  # the usual case: the whole body in one message
        if len(body) > limit:
            raise errors.request_too_large(limit)
        return body
    chunks = [body]
    size = len(body)
    while message.get("more_body"):
        message = await request.receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise errors.request_too_large(limit)
        chunks.append(chunk)
    return b"".join(chunks)


def check_json_content_type(headers: Mapping[str, str]) -> None:
    content_type = headers.get("content-type")
    if content_type is None or content_type == "application/json":
        return  # what clients send (and those that send none still send JSON: the live API parses it)
    if not is_json_media(content_type):
        raise errors.unsupported_content_type(content_type)


def is_json_media(content_type: str) -> bool:
    """`application/json` or a `+json` type, whatever its parameters."""
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or media.endswith("+json")
