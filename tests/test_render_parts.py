"""Small direct tests of three parts the SDK tests only see through their effects: the rate
limiter's budgets, the reply memo's promise that a remembered reply is never changed by serving
it, and the stamped templates that give each response its own id and timestamp."""
from __future__ import annotations

import copy
import json

import pytest

from emulator.contract.errors import ApiError
from emulator.contract.models import ModelCatalogue
from emulator.contract.validate import validate_chat_request
from emulator.model import builtin
from emulator.model.memo import ReplyMemo
from emulator.model.request_options import apply_request_options
from emulator.pacing import Pacing
from emulator.ratelimit import RateLimiter
from emulator.json_text import dumps
from emulator.wire.json_body import completion_dict
from emulator.wire.render import render
from emulator.wire.sse import render_events
from emulator.wire.stamped import json_body, sse_events

CATALOGUE = ModelCatalogue.builtin()


def chat_request(**fields):
    body = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Tell me a story"}], **fields}
    request = validate_chat_request(body, CATALOGUE)
    request.raw_key = (json.dumps(body).encode(), "openai", "/v1/chat/completions")
    return request


# --- rate limiter ----------------------------------------------------------------------------------
def test_each_request_spends_its_keys_budget():
    limiter = RateLimiter(requests_per_minute=10, tokens_per_minute=1000)
    first = limiter.consume("sk-a", 100, "gpt-4o-mini")
    second = limiter.consume("sk-a", 50, "gpt-4o-mini")
    other = limiter.consume("sk-b", 10, "gpt-4o-mini")
    assert (first["x-ratelimit-remaining-requests"], first["x-ratelimit-remaining-tokens"]) == ("9", "900")
    assert (second["x-ratelimit-remaining-requests"], second["x-ratelimit-remaining-tokens"]) == ("8", "850")
    assert (other["x-ratelimit-remaining-requests"], other["x-ratelimit-remaining-tokens"]) == ("9", "990")
    assert first["x-ratelimit-limit-requests"] == "10" and first["x-ratelimit-limit-tokens"] == "1000"


def test_an_enforced_limit_answers_429_with_retry_headers_and_reset_clears_it():
    limiter = RateLimiter(requests_per_minute=2, tokens_per_minute=1000, enforce=True)
    limiter.consume("sk-a", 1, "gpt-4o-mini")
    limiter.consume("sk-a", 1, "gpt-4o-mini")
    with pytest.raises(ApiError) as refused:
        limiter.consume("sk-a", 1, "gpt-4o-mini")
    assert refused.value.status == 429 and refused.value.code == "rate_limit_exceeded"
    assert int(refused.value.headers["retry-after"]) >= 1 and "retry-after-ms" in refused.value.headers
    limiter.reset()
    assert limiter.consume("sk-a", 1, "gpt-4o-mini")["x-ratelimit-remaining-requests"] == "1"


def test_a_token_budget_refuses_a_request_that_would_overspend_it():
    limiter = RateLimiter(requests_per_minute=100, tokens_per_minute=100, enforce=True)
    limiter.consume("sk-a", 90, "gpt-4o-mini")
    with pytest.raises(ApiError) as refused:
        limiter.consume("sk-a", 20, "gpt-4o-mini")
    assert "tokens" in refused.value.message


def test_the_reset_text_is_the_go_duration_of_the_seconds_left_however_close_the_requests_come():
    from emulator.ratelimit import go_duration

    limiter = RateLimiter()
    # Steps smaller and larger than the millisecond the text is rounded to, across rounding boundaries.
    seconds = [59.9996, 59.9994, 59.99949, 59.9991, 59.0005, 59.00049, 59.0004, 58.5, 58.4999, 1.0004, 1.0]
    seconds += [30 + i * 0.00013 for i in range(40)]
    for left in seconds:
        assert limiter._reset_at(left) == go_duration(left), left



def test_go_duration_rounds_to_the_millisecond_as_round_does_ties_included():
    from emulator.ratelimit import go_duration

    # Written from integer milliseconds; ties (1.0645 is just above one in binary, 1.0595 just below) and
    # whole seconds as `round(seconds, 3)` with `:g` writes them.
    for seconds in [1.0645, 1.0595, 1.0635, 17.22, 6.0, 59.9995, 59.9996, 1.0004, 30.1, 42.000499999]:
        assert go_duration(seconds) == f"{round(seconds, 3):g}s", seconds


@pytest.mark.parametrize("requests, tokens", [(0, 0), (1, 0), (1, 120), (7, 999), (10, 1000), (12, 5000)])
@pytest.mark.parametrize("left", [0.0, 0.25, 1.0, 17.2204, 59.9996, 61.5])
def test_the_limiters_ready_lines_say_what_its_headers_say(requests, tokens, left):
    """`consume_lines` (the chat answers' form) and `consume` (the dict): the same names, order and values,
    for spent, untouched and overspent budgets and each kind of reset text."""
    from emulator.ratelimit import WINDOW, Budget
    from emulator.wire.head import as_dict, pairs_of

    limiter = RateLimiter(requests_per_minute=10, tokens_per_minute=1000)
    budget = Budget(100.0, requests, tokens)
    now = 100.0 + WINDOW - left
    lines = limiter._lines_at(budget, now)
    assert list(as_dict(lines).items()) == list(limiter._headers_at(budget, now).items())
    assert b"".join(name + b": " + value + b"\r\n" for name, value in pairs_of(lines)) == lines


def test_the_standard_ready_lines_say_what_the_standard_headers_say():
    import time

    from emulator.contract.headers import standard_headers, standard_lines
    from emulator.ids import request_id
    from emulator.wire.head import as_dict

    rid, started = request_id(), time.perf_counter() - 1.5
    lines, headers = as_dict(standard_lines(rid, started)), standard_headers(rid, started)
    assert list(lines) == list(headers)
    assert [lines[name] for name in headers if name != "openai-processing-ms"] == \
        [value for name, value in headers.items() if name != "openai-processing-ms"]
    assert 1500 <= int(lines["openai-processing-ms"]) <= int(headers["openai-processing-ms"])

# --- reply memo ------------------------------------------------------------------------------------
@pytest.mark.parametrize("stream", [False, True])
def test_serving_a_remembered_reply_never_changes_it(stream):
    memo = ReplyMemo()
    request = chat_request(stream=stream, n=2, logprobs=True, top_logprobs=2)
    memo.reply(request, builtin.respond)  # the first time: built, not kept
    reply = memo.reply(request, builtin.respond)
    before = copy.deepcopy(completion_dict(reply, "chatcmpl-x", 0))
    for _ in range(2):  # what the chat endpoint does with it, twice
        served = apply_request_options(request, memo.reply(request, builtin.respond))
        render(served, {}, stream=stream, pacing=Pacing(chunk_tokens=3), include_usage=True)
    assert memo.reply(request, builtin.respond) is reply
    assert completion_dict(reply, "chatcmpl-x", 0) == before


def test_a_reply_is_remembered_when_its_request_comes_again():
    memo = ReplyMemo()
    request = chat_request()
    first = memo.reply(request, builtin.respond)
    second = memo.reply(request, builtin.respond)
    assert first is not second and completion_dict(first, "x", 0) == completion_dict(second, "x", 0)
    assert memo.reply(request, builtin.respond) is second
    assert len(memo._replies) == 1


def test_requests_sent_once_keep_nothing():
    memo = ReplyMemo()
    for index in range(50):
        memo.reply(chat_request(seed=index), builtin.respond)
    assert memo.bytes == 0 and not memo._replies


def test_replies_the_request_options_rewrite_are_not_remembered():
    memo = ReplyMemo()
    request = chat_request(modalities=["text", "audio"], audio={"voice": "alloy", "format": "wav"},
                           model="gpt-4o-audio-preview")
    assert memo.reply(request, builtin.respond) is not memo.reply(request, builtin.respond)


# --- stamped templates -----------------------------------------------------------------------------
def test_each_json_body_is_the_template_with_its_own_id_and_created():
    reply = builtin.respond(chat_request())
    for cid, created in (("chatcmpl-first", 1700000000), ("chatcmpl-second", 1800000000)):
        stamped = json_body(reply, cid, created)
        assert stamped == dumps(completion_dict(reply, cid, created)).encode("utf-8")


@pytest.mark.parametrize("chunk_tokens", [1, 4])
def test_each_stream_is_the_template_with_its_own_id_and_created(chunk_tokens):
    reply = builtin.respond(chat_request(stream=True, n=2))
    options = {"include_usage": True, "include_obfuscation": True, "chunk_tokens": chunk_tokens}
    for cid, created in (("chatcmpl-first", 1700000000), ("chatcmpl-second", 1800000000)):
        assert sse_events(reply, cid, created, **options) == render_events(reply, cid, created, **options)
