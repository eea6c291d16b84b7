"""Named faults, observed through the official SDK (its exception or timeout) and raw httpx."""
from __future__ import annotations

import json

import openai
import pytest

from conftest import API_KEY

HELLO = [{"role": "user", "content": "hello"}]
TEXT = "one two three four five six seven eight"


def sdk(emu, **options) -> openai.OpenAI:
    return openai.OpenAI(base_url=emu.base_url, api_key=API_KEY, **{"max_retries": 0, **options})


def script(emu, fault, content: str = TEXT) -> None:
    emu.add_scenario({"name": "faulty", "reply": {"content": content}, "fault": fault})


def ask(client, **extra):
    return client.chat.completions.create(model="gpt-4o", messages=HELLO, **extra)


def deltas(stream) -> list:
    return [chunk.choices[0] for chunk in stream if chunk.choices]


def test_delay_makes_a_short_timeout_expire(emu):
    script(emu, {"delay_ms": 800})
    with pytest.raises(openai.APITimeoutError):
        ask(sdk(emu, timeout=0.2))


def test_delay_then_the_reply(emu):
    script(emu, {"delay_ms": 50})
    assert ask(sdk(emu)).choices[0].message.content == TEXT


def test_delay_before_a_stream(emu):
    script(emu, {"delay_ms": 800})
    with pytest.raises(openai.APITimeoutError):  # nothing, not even headers, before the delay
        ask(sdk(emu, timeout=0.2), stream=True)


@pytest.mark.parametrize("stream", [False, True])
def test_stall_until_the_client_times_out(emu, stream):
    script(emu, "stall")
    with pytest.raises(openai.APITimeoutError):
        ask(sdk(emu, timeout=0.3), stream=stream)
    # The server let go: the next request is answered at once.
    emu.scenarios.reset()
    assert ask(sdk(emu)).choices[0].message.content.startswith("This is the chat-emulator")


def test_stall_is_retried_by_the_sdk_after_a_timeout(emu):
    emu.fail_next(1, fault="stall")
    emu.reply_with_text("second try")
    assert ask(sdk(emu, timeout=0.3, max_retries=1)).choices[0].message.content == "second try"
    assert len(emu.requests) == 2


def test_cut_after_n_chunks_without_done(emu, http):
    script(emu, {"cut_after": 3})
    choices = deltas(ask(sdk(emu), stream=True))
    assert len(choices) == 3  # the SDK just stops: no [DONE], no finish_reason, no exception
    assert all(c.finish_reason is None for c in choices)
    raw = http.post("/chat/completions", json={"model": "gpt-4o", "messages": HELLO, "stream": True}).text
    assert raw.count("data: ") == 3 and "[DONE]" not in raw


def test_error_event_mid_stream(emu):
    script(emu, {"error_event": "server_error", "after": 2})
    received = []
    with pytest.raises(openai.APIError) as caught:
        for chunk in ask(sdk(emu), stream=True):
            received.append(chunk)
    assert len(received) == 2
    assert caught.value.message.startswith("The server had an error processing your request.")
    assert caught.value.body["type"] == "server_error"


def test_custom_error_event(emu, http):
    script(emu, {"error_event": {"status": 400, "message": "Invalid prompt: flagged.", "code": "invalid_prompt"}})
    with pytest.raises(openai.APIError) as caught:
        list(ask(sdk(emu), stream=True))
    assert caught.value.message == "Invalid prompt: flagged."
    raw = http.post("/chat/completions", json={"model": "gpt-4o", "messages": HELLO, "stream": True}).text
    last = raw.strip().split("\n\n")[-1]
    assert json.loads(last.removeprefix("data: "))["error"]["code"] == "invalid_prompt"


def test_malformed_chunk(emu):
    script(emu, "malformed_chunk")
    with pytest.raises(json.JSONDecodeError):
        list(ask(sdk(emu), stream=True))


def test_connection_reset_before_the_response(emu):
    script(emu, "connection_reset")
    with pytest.raises(openai.APIConnectionError):
        ask(sdk(emu))


def test_connection_reset_is_retried_by_the_sdk(emu):
    emu.fail_next(1, fault="connection_reset")
    emu.reply_with_text("after the reset")
    assert ask(sdk(emu, max_retries=1)).choices[0].message.content == "after the reset"


def test_connection_reset_mid_stream(emu):
    script(emu, {"connection_reset": True, "after": 3})
    received = []
    with pytest.raises(openai.APIConnectionError):
        for chunk in ask(sdk(emu), stream=True):
            received.append(chunk)
    assert len(received) == 3


def test_keepalive_comments_are_ignored_by_the_sdk(emu, http):
    script(emu, {"keepalive": 3, "keepalive_interval_ms": 5})
    raw = http.post("/chat/completions", json={"model": "gpt-4o", "messages": HELLO, "stream": True}).text
    assert raw.startswith(": ping\n\n: ping\n\n: ping\n\ndata: ")
    text = "".join(c.delta.content or "" for c in deltas(ask(sdk(emu), stream=True)))
    assert text == TEXT


def test_stream_only_faults_leave_a_plain_reply_alone(emu):
    script(emu, {"cut_after": 1})
    assert ask(sdk(emu)).choices[0].message.content == TEXT


def test_fault_alone_keeps_the_builtin_answer(emu):
    emu.add_scenario({"name": "slow-builtin", "fault": {"delay_ms": 10}})
    completion = ask(sdk(emu))
    assert completion.choices[0].message.content.startswith("This is the chat-emulator built-in model")
    assert emu.requests[-1].matched == "slow-builtin"


def test_fail_next_then_fall_through(emu):
    emu.fail_next(2, error="server_error")
    client = sdk(emu)
    for _ in range(2):
        with pytest.raises(openai.InternalServerError):
            ask(client)
    assert ask(client).choices[0].message.content.startswith("This is the chat-emulator built-in model")
