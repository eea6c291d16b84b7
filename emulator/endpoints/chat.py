"""`POST /v1/chat/completions`: validate → pick a responder → build a reply → render JSON or SSE."""
from __future__ import annotations

from typing import Any, Protocol

from ..chaos import Chaos, ChaosError, inject, parse_rates
from ..contract.chat_request import ChatRequest
from ..contract.errors import ApiError
from ..delivery import watch_delivery
from ..journal import JOURNAL_ENTRY, JournalEntry
from ..model.request_options import apply_request_options
from ..pacing import Pacing, resolve as resolve_pacing
from ..reply import Reply
from ..respond import respond_or_forward
from ..state import EmulatorState
from ..store import make_record
from ..wire.render import ASGIApp, Decoration, Rendered, render
from .journaling import Route, journaled_endpoint
from .shell import Endpoint, Exchange
from .validated import validated_chat_request


CHAOS_HEADER = "x-emulator-chaos"  # per-request rates: `rate_limit_exceeded=0.5,cut_after=0.1`


class ChatRoute(Route, Protocol):
    """A `Route` that also shapes the answer (Azure's chat paths decorate the body and events)."""

    @property
    def decoration(self) -> Decoration: ...


def chat_endpoint(route: ChatRoute | None = None) -> Endpoint:
    """`POST /v1/chat/completions`, or the same operation under `route`'s URL shape."""
    return journaled_endpoint(serve_chat, route)


async def serve_chat(ex: Exchange, route: ChatRoute | None) -> Any:
    state, request = ex.state, ex.request
    entry: JournalEntry = request.scope[JOURNAL_ENTRY]
    raw, chat = await validated_chat_request(ex, route)
    chat.raw_key = (raw, ex.profile.name, request.scope["path"])  # what the reply memo knows it by
    state.limiter.admit(ex.api_key, chat.prompt_tokens, chat.model.id)  # before any generation
    proxy = state.proxy if state.proxy is not None and state.proxy.active else None
    chosen = respond_or_forward(chat, state.scenarios, state.settings.strict, upstream=proxy is not None)
    if chosen is None:  # `--upstream`: no scenario answered, the upstream does (and is recorded)
        assert proxy is not None
        return await proxy.answer(request, entry.headers, raw, chat.body, entry)
    reply = apply_request_options(chat, chosen)
    entry.matched = reply.source
    reply = with_chaos(state, chat, reply, entry)
    limits = state.limiter.consume_lines(ex.api_key, reply.usage.total_tokens, chat.model.id)
    pacing = resolve_pacing(reply.pacing, state.next_pacing, entry.headers, state.settings.pacing, state.rng) \
        if chat.stream else state.settings.pacing
    if state.admission is None:
        return _answer(state, chat, reply, pacing, ex, entry, route, limits)
    await state.admission.enter()  # --max-concurrency: wait for a slot, held until the answer is sent
    try:
        return state.admission.holding(_answer(state, chat, reply, pacing, ex, entry, route, limits))
    except BaseException:
        state.admission.leave()
        raise


def _answer(state: EmulatorState, chat: ChatRequest, reply: Reply, pacing: Pacing, ex: Exchange,
            entry: JournalEntry, route: ChatRoute | None, limits: bytes) -> ASGIApp:
    """Render the reply and record it: the response to send."""
    rendered = render(reply, ex.answer_lines(limits, reply.headers), stream=chat.stream, pacing=pacing,
                      include_usage=chat.include_usage, include_obfuscation=chat.include_obfuscation,
                      decoration=None if route is None else route.decoration, on_sent=entry.event_sent)
    _record(state, chat, rendered, entry, ex.request_id)  # after render: an answer that cannot be sent stores nothing
    if rendered.paced:
        entry.extra["pacing"] = pacing.as_dict()  # what this stream drew (jitter), for the journal's readers
    if rendered.events is not None and reply.fault is None and not rendered.paced:
        entry.all_events_sent()  # one write: the journal needs no timing per event
    if rendered.events is None and reply.fault is None:
        return rendered.response  # a plain JSON body: it goes out at once
    # The client checks read how it ended; the inspector updates the entry's duration to the last byte.
    return watch_delivery(rendered.response, entry, reply.fault, state.journal.delivered)


create_chat_completion = chat_endpoint()


def with_chaos(state: EmulatorState, chat: ChatRequest, reply: Reply, entry: JournalEntry) -> Reply:
    """The reply with the fault chaos draws for this request, if any (an error is raised). Chat and
    Responses creation both ask."""
    if state.chaos is None and reply.chaos is None and CHAOS_HEADER not in entry.headers:
        return reply  # the usual case: no chaos anywhere
    drawn = _chaos_for(state, reply, entry).draw()
    if drawn is None:
        return reply
    entry.chaos = drawn
    return inject(drawn, reply, chat)


def _chaos_for(state: EmulatorState, reply: Reply, entry: JournalEntry) -> Chaos:
    """The request's `x-emulator-chaos` rates, else the scenario's, else the server's. The first two draw
    their one number from the server's seeded generator: the same seed and order, the same failures."""
    header = entry.headers.get(CHAOS_HEADER)
    if header is not None:
        try:
            return Chaos(parse_rates(header), state.rng.getrandbits(32))
        except ChaosError as error:
            raise ApiError(400, f"Invalid {CHAOS_HEADER} header: {error}.", code="invalid_chaos_header") from None
    if reply.chaos is not None:
        return Chaos(reply.chaos, state.rng.getrandbits(32))
    assert state.chaos is not None
    return state.chaos


def _record(state: EmulatorState, chat: ChatRequest, rendered: Rendered, entry: JournalEntry,
            request_id: str) -> None:
    """After rendering: the journal entry, and the stored completion when `store: true`."""
    entry.status = 200
    if rendered.parsed is None and rendered.payload is not None:
        entry.set_response_json(rendered.payload)  # parsed only if read
    else:
        entry.response = rendered.body
    if rendered.events is not None:
        entry.stream, entry.events = True, rendered.events
    if chat.body.get("store"):  # streamed ones too: `body` is the assembled response
        state.store.save(make_record(chat.api_key, rendered.body, chat.body, request_id))
