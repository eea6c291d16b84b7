"""The upstream responder: forward a request no scenario answered, pass the answer back as it arrives,
and hand the exchange to the recorder once the client has had all of it.

Generic over the API: what is forwarded and recorded is a path and a body, so Chat Completions, the
Responses API and embeddings go through the same code. A Responses request is recorded by the
conversation it means (its chain included), and the responses the upstream makes are remembered so
that a follow-up's `previous_response_id` resolves (chains.py).
"""
from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass
from typing import Any, AsyncIterator, Callable

import httpx
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from ..contract.embedding_request import EmbeddingRequest
from ..contract.responses_request import ResponsesRequest
from ..journal import JournalEntry
from ..scenarios.engine import DEFAULT_NAMESPACE, NAMESPACE_HEADER
from .chains import UpstreamChains, spelled_out
from .embeddings import with_input_texts
from .exchange import EventReader, Exchange
from .recorder import Recorder
from .upstream import Upstream, returned_headers, unavailable

log = logging.getLogger("emulator.record")


@dataclass
class Forwarded:
    """One request on its way upstream: what the recorder will need once the answer is in."""

    method: str
    path: str
    query: str
    headers: dict[str, str]  # the client's request headers, lower-case names
    raw: bytes
    body: dict[str, Any] | None  # the parsed body; None: not recorded (reads, GETs)
    match_body: dict[str, Any] | None = None  # what the recording's match reads, when not `body` (Responses)
    chain: list[dict[str, Any]] | None = None  # Responses: the items before the answer's output
    api_key: str = ""  # Responses: the client's key, which a follow-up's chain is looked up under


def final_response(body: Any, events: list[tuple[float, Any]]) -> Any:
    """The Responses API object a JSON answer is, or a stream's last `response.*` event carries."""
    for _, event in reversed(events):
        if isinstance(event, dict) and isinstance(event.get("response"), dict):
            return event["response"]
    return body


class Proxy:
    def __init__(self, upstream: Upstream, recorder: Recorder | None = None) -> None:
        self.upstream = upstream
        self.recorder = recorder
        self.active = True  # the pytest plugin turns it off for a test that only replays
        self.chains = UpstreamChains()

    async def answer(self, request: Request, headers: dict[str, str], raw: bytes, body: dict[str, Any],
                     entry: JournalEntry, responses: ResponsesRequest | None = None,
                     embeddings: EmbeddingRequest | None = None) -> Response:
        """The upstream's answer to an API call no scenario answered, noted in the journal entry. A
        Responses API call (`responses`: the validated request) is recorded by its whole conversation,
        an embeddings call (`embeddings`) by each input's text (token arrays decoded)."""
        entry.matched, entry.stream = "upstream", bool(body.get("stream"))

        def answered(status: int, payload: Any) -> None:
            entry.status, entry.response = status, payload

        if responses is not None and self._began_here(responses):
            body = spelled_out(body, responses.context)
            raw = json.dumps(body, ensure_ascii=False).encode("utf-8")
        forwarded = Forwarded("POST", request.scope["path"], request.scope["query_string"].decode(), headers, raw, body)
        if responses is not None:
            forwarded.match_body, forwarded.chain = responses.chat.body, responses.context + responses.items
            forwarded.api_key = responses.chat.api_key
        if embeddings is not None:
            forwarded.match_body = with_input_texts(embeddings)
        response = await self.forward(forwarded, answered)
        entry.status = response.status_code
        return response

    def _began_here(self, responses: ResponsesRequest) -> bool:
        """Whether the request continues a chain the emulator holds, not one the upstream made."""
        previous = responses.body.get("previous_response_id")
        return previous is not None and self.chains.get(responses.chat.api_key, previous) is None

    async def forward(self, request: Forwarded, on_done: Callable[[int, Any], None] | None = None) -> Response:
        """The upstream's answer as a response; `on_done(status, JSON body or None for a stream)` runs once
        the whole answer is in (the journal's record of it)."""
        started = time.perf_counter()
        answer = await self.upstream.open(request.method, request.path, request.query, request.headers, request.raw)
        headers = returned_headers(answer)
        if answer.headers.get("content-type", "").startswith("text/event-stream"):
            return StreamingResponse(self._relay(request, answer, headers, started, on_done),
                                     status_code=answer.status_code, headers=headers)
        try:
            data = await answer.aread()
        except httpx.TimeoutException:
            raise unavailable(self.upstream, "upstream_timeout", "did not finish its answer in time") from None
        except httpx.HTTPError as error:
            raise unavailable(self.upstream, "upstream_unreachable", f"broke off ({type(error).__name__})") from None
        finally:
            await answer.aclose()
        body = _json_or_text(data)
        self._record(request, answer.status_code, headers, body, [], time.perf_counter() - started)
        if on_done is not None:
            on_done(answer.status_code, body)
        return Response(data, answer.status_code, headers=headers)

    async def _relay(self, request: Forwarded, answer: httpx.Response, headers: dict[str, str], started: float,
                     on_done: Callable[[int, Any], None] | None) -> AsyncIterator[bytes]:
        """Each piece of the stream to the client as it arrives, its events noted for the recorder."""
        reader, events, complete = EventReader(), [], False
        try:
            async for piece in answer.aiter_raw():
                yield piece
                now = time.perf_counter() - started
                events += [(now, event) for event in reader.feed(piece)]
            complete = True
        except httpx.HTTPError as error:  # the status is sent already: the client sees the stream end early
            log.warning("the upstream stream of %s broke off: %s", request.path, type(error).__name__)
        finally:
            await answer.aclose()
        if complete:
            self._record(request, answer.status_code, headers, None, events, time.perf_counter() - started)
            if on_done is not None:
                on_done(answer.status_code, None)

    def _record(self, request: Forwarded, status: int, headers: dict[str, str], body: Any,
                events: list[tuple[float, Any]], elapsed: float) -> None:
        if request.chain is not None and status < 400:
            self.chains.remember(request.api_key, final_response(body, events), request.chain)
        if self.recorder is None or request.body is None:
            return
        exchange = Exchange(request.path, request.body, status, headers, body, events, elapsed,
                            namespace=request.headers.get(NAMESPACE_HEADER) or DEFAULT_NAMESPACE,
                            secrets=_secrets(request.headers, self.upstream), match_request=request.match_body)
        try:
            name = self.recorder.record(exchange)
        except Exception:  # the client has its answer; a full disk (or a bug) must not turn it into a 500
            log.exception("could not record %s %s; the client got its answer, the recording lacks it",
                          request.method, request.path)
            return
        log.info("recorded %s %s as %s", request.method, request.path, name)


def _json_or_text(data: bytes) -> Any:
    try:
        return json.loads(data)
    except ValueError:
        return data.decode("utf-8", "replace")


def _secrets(headers: dict[str, str], upstream: Upstream) -> tuple[str, ...]:
    return tuple(s for s in (upstream.key_used(headers), upstream.key, headers.get("api-key"),
                             headers.get("openai-organization"), headers.get("openai-project")) if s)
