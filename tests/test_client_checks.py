"""Client-behaviour checks, against clients whose behaviour is known, over a real socket.

The official `openai` SDK honours `retry-after-ms` and `x-should-retry`; `BrokenClient`, a
hand-written httpx client, retries at once, retries a 400 and takes a cut stream as whole. Each
assertion must pass the first and fail the second, naming the requests. Nothing here measures
time: the checks compare the times the journal recorded with what the responses asked.
"""
from __future__ import annotations

import email.utils
import json
import time
from pathlib import Path
from typing import Any

import httpx
import openai
import pytest

from emulator import ApiError, Emulator, faults
from emulator.chaos import FAULTS

pytest_plugins = ["pytester"]

API_KEY = "sk-test-key"
MESSAGES = [{"role": "user", "content": "Say hello"}]
RATE_LIMITED = {"shortcut": "rate_limit_exceeded", "retry_after_ms": 30}
# For clients that retry at once: a wait no loaded machine stumbles into by accident.
RATE_LIMITED_LONG = {"shortcut": "rate_limit_exceeded", "retry_after_ms": 1500}


def sdk(emu: Emulator, **options: Any) -> openai.OpenAI:
    return openai.OpenAI(base_url=emu.base_url, api_key=API_KEY, **options)


class BrokenClient:
    """A hand-written client with a broken policy: it retries every failure at once (up to `retries`
    times, 400s included) and joins whatever a stream delivered, with or without `[DONE]`."""

    def __init__(self, emu: Emulator, retries: int = 1) -> None:
        self.http = httpx.Client(base_url=emu.base_url, headers={"Authorization": f"Bearer {API_KEY}"})
        self.retries = retries

    def create(self, **body: Any) -> httpx.Response:
        for _ in range(self.retries + 1):
            response = self.http.post("/chat/completions", json={"model": "gpt-4o-mini", **body})
            if response.status_code < 400:
                return response
        return response

    def stream_text(self, **body: Any) -> str:
        text = []
        with self.http.stream("POST", "/chat/completions",
                              json={"model": "gpt-4o-mini", "stream": True, **body}) as response:
            for line in response.iter_lines():
                if line.startswith("data: {"):
                    for choice in json.loads(line[6:]).get("choices", []):
                        text.append(choice["delta"].get("content") or "")
        return "".join(text)

    def close(self) -> None:
        self.http.close()


@pytest.fixture
def broken(emu: Emulator):
    client = BrokenClient(emu)
    yield client
    client.close()


def failure_of(check, *args: Any, **kwargs: Any) -> str:
    with pytest.raises(AssertionError) as raised:
        check(*args, **kwargs)
    return str(raised.value)


# --- retries ---------------------------------------------------------------------------------------
def test_the_sdk_waits_what_retry_after_ms_asks(emu: Emulator) -> None:
    emu.fail_next(2, error=RATE_LIMITED)
    answer = sdk(emu, max_retries=2).chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)
    assert answer.choices[0].message.content
    emu.assert_retries_honoured(max_retries=2)
    chain, = emu.client_checks()["retries"]["chains"]
    assert chain["statuses"] == [429, 429, 200] and chain["outcome"] == "succeeded"
    assert chain["asked_ms"] == [30, 30]
    assert all(wait >= 30 for wait in chain["waits_ms"])


def test_the_sdk_obeys_x_should_retry(emu: Emulator) -> None:
    emu.fail_next(1, error={"status": 503, "message": "Down for maintenance.", "should_retry": False})
    with pytest.raises(openai.InternalServerError):
        sdk(emu, max_retries=2).chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)
    assert len(emu.requests) == 1  # x-should-retry: false, so no second attempt
    # ...and `x-should-retry: true` makes it retry even a 400, which the checks then allow.
    emu.reset()
    emu.fail_next(1, error={"status": 400, "retry_after_ms": 5, "should_retry": True})
    sdk(emu, max_retries=1).chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)
    emu.assert_retries_honoured()
    emu.assert_no_retry_of()
    assert emu.client_checks()["retries"]["chains"][-1]["statuses"] == [400, 200]


def test_an_immediate_retry_fails_and_names_both_requests(emu: Emulator, broken: BrokenClient) -> None:
    emu.fail_next(1, error=RATE_LIMITED_LONG)
    assert broken.create(messages=MESSAGES).status_code == 200
    first, retry = emu.requests
    message = failure_of(emu.assert_retries_honoured)
    assert "[retry_too_soon]" in message
    assert f"#{retry.id} (" in message and f"retried #{first.id} (" in message
    assert "429 rate_limit_exceeded" in message and "the response asked for 1500.0 ms" in message
    assert "retry-after: 2, retry-after-ms: 1500" in message


@pytest.mark.parametrize("as_date", [False, True], ids=["seconds", "http-date"])
def test_retry_after_in_seconds_or_as_a_date_is_read_too(emu: Emulator, broken: BrokenClient, as_date: bool) -> None:
    retry_after = email.utils.formatdate(time.time() + 3, usegmt=True) if as_date else "2"
    emu.fail_next(1, error={"status": 503, "headers": {"retry-after": retry_after}})
    broken.create(messages=MESSAGES)
    message = failure_of(emu.assert_retries_honoured)
    assert "[retry_too_soon]" in message and f"(retry-after: {retry_after})" in message
    asked = emu.client_checks()["retries"]["chains"][0]["asked_ms"][0]
    assert 1000 < asked <= 3000  # 2 s, or a date 2 to 3 s ahead (whole seconds) of the failed request


def test_a_5xx_retried_without_back_off_fails(emu: Emulator, broken: BrokenClient) -> None:
    emu.fail_next(1, error="server_error")
    broken.create(messages=MESSAGES)
    message = failure_of(emu.assert_retries_honoured, backoff_ms=1000)
    assert "[retry_without_backoff]" in message and "500 server_error" in message
    assert "exponential back-off waits at least 1000.0 ms before retry 1" in message
    emu.assert_retries_honoured(backoff_ms=0)  # back-off not asked for: nothing else is wrong


def test_a_retried_400_fails_no_retry_of(emu: Emulator, broken: BrokenClient) -> None:
    assert broken.create(messages=MESSAGES, temperature=5).status_code == 400
    first, retry = emu.requests
    message = failure_of(emu.assert_no_retry_of)
    assert "[retry_of_non_retryable]" in message
    assert f"#{retry.id} (" in message and f"#{first.id} (" in message and "a 400 fails the same way" in message
    emu.assert_no_retry_of(401, 429)  # the statuses asked about were not retried


def test_retrying_after_should_retry_false_and_past_the_budget_fails(emu: Emulator) -> None:
    emu.fail_next(3, error={"status": 503, "retry_after_ms": 1, "should_retry": False})
    BrokenClient(emu, retries=3).create(messages=MESSAGES)
    message = failure_of(emu.assert_retries_honoured, max_retries=2)
    assert message.count("[retry_despite_should_retry_false]") == 3
    assert "[retry_budget_exceeded]" in message and "retried 3 times" in message and "the budget is 2" in message


# --- streams ---------------------------------------------------------------------------------------
def test_a_cut_stream_taken_as_whole_is_caught(emu: Emulator, broken: BrokenClient) -> None:
    emu.reply_with_text("The quick brown fox jumps over the lazy dog.")
    emu.fail_next(1, fault={"cut_after": 3})
    partial = broken.stream_text(messages=MESSAGES)
    broken.create(messages=[*MESSAGES, {"role": "assistant", "content": partial},
                            {"role": "user", "content": "And then?"}])
    cut, follow_up = emu.requests
    message = failure_of(emu.assert_streams_consumed)
    assert "[cut_stream_accepted]" in message and "(cut_after)" in message
    assert f"stream of #{cut.id} (" in message and f"#{follow_up.id} (" in message and repr(partial) in message
    assert emu.client_checks()["streams"]["streams"][0]["after_cut"] == "accepted"


def test_a_cut_stream_retried_passes(emu: Emulator, broken: BrokenClient) -> None:
    emu.fail_next(1, fault={"cut_after": 3})
    broken.stream_text(messages=MESSAGES)
    broken.stream_text(messages=MESSAGES)  # the same request again: a retry
    emu.assert_streams_consumed()
    cut, retry = emu.client_checks()["streams"]["streams"]
    assert (cut["delivery"], cut["after_cut"], retry["delivery"]) == ("cut", "retried", "complete")


def test_a_stream_left_early_is_caught(emu: Emulator, broken: BrokenClient) -> None:
    # Paced (4 chunks a second), so the server is still writing when the client leaves.
    pace = {"x-emulator-tokens-per-second": "4"}
    with broken.http.stream("POST", "/chat/completions", headers=pace,
                            json={"model": "gpt-4o-mini", "messages": MESSAGES, "stream": True}) as response:
        next(line for line in response.iter_lines() if line.startswith("data: {"))
    entry, = emu.requests
    message = failure_of(emu.assert_streams_consumed)
    assert f"[stream_abandoned] the client hung up on the stream of #{entry.id} (" in message
    assert f"after 1 of {len(entry.events)} events" in message


def test_the_sdk_reads_its_streams_to_the_end(emu: Emulator) -> None:
    client = sdk(emu)
    for chunk in client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES, stream=True,
                                                stream_options={"include_usage": True},
                                                extra_headers={"x-emulator-tokens-per-second": "500"}):
        pass
    emu.assert_streams_consumed()
    emu.assert_client_hygiene()
    assert emu.client_checks()["streams"]["streams"][0]["delivery"] == "complete"


# --- agent loops -----------------------------------------------------------------------------------
WEATHER = [{"type": "function", "function": {"name": "get_weather", "parameters": {
    "type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}]


def run_agent(client: openai.OpenAI, max_steps: int) -> list[dict[str, Any]]:
    """A plain agent loop: call the model, run the tools it asks for, stop at a text answer."""
    messages: list[dict[str, Any]] = [{"role": "user", "content": "Weather in Paris?"}]
    for _ in range(max_steps):
        message = client.chat.completions.create(model="gpt-4o-mini", messages=messages, tools=WEATHER).choices[0].message
        if not message.tool_calls:
            break
        messages.append(message.model_dump(exclude_none=True))
        for call in message.tool_calls:
            messages.append({"role": "tool", "tool_call_id": call.id, "content": "18°C, cloudy"})
    return messages


def test_an_agent_loop_repeating_a_tool_call_is_caught(emu: Emulator) -> None:
    emu.reply_with_tool_call("get_weather", {"city": "Paris"})  # every turn: the model is stuck
    run_agent(sdk(emu), max_steps=4)
    ids = [entry.id for entry in emu.requests]
    message = failure_of(emu.assert_agent_turns, max=10)
    assert '[repeated_tool_call] the model asked for the identical call get_weather({"city":"Paris"})' in message
    assert ", ".join(f"#{i}" for i in ids) in message
    message = failure_of(emu.assert_agent_turns, max=3)
    assert "[too_many_turns]" in message and "took 4 model turns" in message
    talk, = emu.client_checks()["agents"]["conversations"]
    assert talk["model_turns"] == 4 and talk["requests"] == ids


def test_a_bounded_agent_loop_passes(emu: Emulator) -> None:
    emu.reply_with_text("It is 18°C and cloudy in Paris.")
    emu.reply_with_tool_call("get_weather", {"city": "Paris"}, times=1)  # added last: tried first
    messages = run_agent(sdk(emu), max_steps=5)
    assert messages[-1]["role"] == "tool" and len(emu.requests) == 2
    emu.assert_agent_turns(max=2)
    emu.assert_tool_calls_answered()


def test_a_tool_call_left_unanswered_is_caught(emu: Emulator) -> None:
    emu.reply_with_tool_call("get_weather", {"city": "Paris"})
    run_agent(sdk(emu), max_steps=1)  # stops with the model's call pending
    entry, = emu.requests
    message = failure_of(emu.assert_tool_calls_answered)
    assert f'[unanswered_tool_call] the model asked for get_weather({{"city":"Paris"}})' in message
    assert f"in its answer to #{entry.id} (" in message


# --- hygiene ---------------------------------------------------------------------------------------
def test_hygiene_catches_keys_in_urls_and_bodies(emu: Emulator, broken: BrokenClient) -> None:
    broken.http.post("/chat/completions?api_key=sk-live-1234567890",
                     json={"model": "gpt-4o-mini", "messages": MESSAGES, "user": API_KEY})
    broken.http.get("/models?key=sk-live-1234567890")
    message = failure_of(emu.assert_client_hygiene)
    assert "query parameter 'api_key': ...7890" in message and "(body.user: ...-key)" in message
    assert "query parameter 'key': ...7890" in message  # any endpoint's URL
    assert "1234567890" not in message


def test_hygiene_catches_a_conversation_past_the_context_window(emu: Emulator, broken: BrokenClient) -> None:
    history = [{"role": "user", "content": "word " * 9000}]
    broken.create(model="gpt-4-0613", messages=history)  # 8,192 tokens at most
    message = failure_of(emu.assert_client_hygiene)
    assert "[context_window_exceeded]" in message and "gpt-4-0613" in message


def test_hygiene_catches_an_unread_usage_chunk(emu: Emulator, broken: BrokenClient) -> None:
    # A client that stops at the chunk with a finish_reason never sees the usage chunk after it.
    emu.reply_with_text("Hi there!")  # short: paced at 4 chunks a second
    body = {"model": "gpt-4o-mini", "messages": MESSAGES, "stream": True, "stream_options": {"include_usage": True}}
    with broken.http.stream("POST", "/chat/completions", json=body,
                            headers={"x-emulator-tokens-per-second": "4"}) as response:
        next(line for line in response.iter_lines() if '"finish_reason":"stop"' in line)
    message = failure_of(emu.assert_client_hygiene)
    assert "[usage_chunk_unread]" in message


# --- chaos -----------------------------------------------------------------------------------------
def chaos_run(emu: Emulator, seed: int, calls: int = 40) -> list[str]:
    emu.reset()
    emu.chaos({"rate_limit_exceeded": 0.15, "server_error": 0.1, "cut_after": 0.15}, seed=seed)
    client = BrokenClient(emu, retries=0)
    outcomes = []
    for _ in range(calls):
        try:
            client.stream_text(messages=MESSAGES)
            outcomes.append("ok")
        except httpx.HTTPError:
            outcomes.append("error")
    client.close()
    return [entry.chaos or str(entry.status) for entry in emu.requests]


def test_seeded_chaos_gives_the_same_faults_twice(emu: Emulator) -> None:
    first = chaos_run(emu, seed=7)
    status = emu.stop_chaos()
    assert chaos_run(emu, seed=7) == first
    assert set(first) == {"rate_limit_exceeded", "server_error", "cut_after", "200"}
    assert status["requests"] == 40
    assert status["injected"] == {name: first.count(name) for name in ("rate_limit_exceeded", "server_error", "cut_after")}
    assert chaos_run(emu, seed=8) != first


def test_the_sdk_passes_the_checks_under_chaos(emu: Emulator) -> None:
    emu.chaos({"rate_limit_exceeded": 0.2}, seed=3)
    client = sdk(emu, max_retries=5)
    for _ in range(20):
        client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)
    injected = emu.stop_chaos()["injected"]["rate_limit_exceeded"]
    assert injected == sum(entry.status == 429 for entry in emu.requests) > 0
    emu.assert_retries_honoured(max_retries=5)
    emu.assert_no_retry_of()


def test_chaos_injects_every_fault_of_the_catalogue() -> None:
    assert set(faults.CATALOGUE) <= set(FAULTS)  # a new fault is a chaos name too


def test_chaos_through_the_admin_api(emu: Emulator) -> None:
    with pytest.raises(ApiError, match="the rate of 'server_error' must be a number from 0 to 1"):
        emu.chaos({"server_error": 2}, seed=1)  # the Python door refuses what the HTTP door refuses
    with httpx.Client(base_url=emu.url + "/_emulator") as admin:
        refused = admin.post("/chaos", json={"rates": {"meteor_strike": 0.1}, "seed": 1})
        assert refused.status_code == 400 and "unknown chaos name 'meteor_strike'" in refused.json()["error"]["message"]
        assert admin.post("/chaos", json={"rates": {"server_error": 0.7, "overloaded": 0.5}, "seed": 1}).status_code == 400
        assert admin.post("/chaos", json={"rates": {"server_error": 1}}).json()["error"]["param"] == "seed"
        assert admin.post("/chaos", json={"rates": {"server_error": 1}, "seed": "7"}).json()["error"]["param"] == "seed"
        assert admin.post("/chaos", json={"rates": {"server_error": 1}, "seed": 1}).json()["rates"] == {"server_error": 1}
        with pytest.raises(openai.InternalServerError):
            sdk(emu, max_retries=0).chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)
        assert admin.get("/chaos").json()["injected"] == {"server_error": 1}
        assert admin.delete("/chaos").status_code == 200 and admin.get("/chaos").json()["rates"] is None
        assert emu.requests[-1].chaos == "server_error"


def test_client_checks_as_json(emu: Emulator, broken: BrokenClient) -> None:
    emu.fail_next(1, error=RATE_LIMITED_LONG)
    broken.create(messages=MESSAGES)
    report = httpx.get(emu.url + "/_emulator/client-checks", params={"max_retries": 0}).json()
    assert report["ok"] is False and report["requests"] == 2
    checks = [f["check"] for f in report["retries"]["findings"]]
    assert checks == ["retry_too_soon", "retry_budget_exceeded"]
    assert report["retries"]["findings"][0]["requests"] == [e.id for e in emu.requests]
    bad = httpx.get(emu.url + "/_emulator/client-checks", params={"max_turns": "many"})
    assert bad.status_code == 400 and bad.json()["error"]["param"] == "max_turns"


# --- the pytest option -----------------------------------------------------------------------------


def readme_resilience_test() -> str:
    """The resilience test the README's pytest section offers for copying."""
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    return "def test_client_is_resilient" + readme.split("def test_client_is_resilient", 1)[1].split("```", 1)[0]


def test_the_readme_test_and_the_hygiene_option(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")
    pytester.makepyfile(readme_resilience_test() + """

import httpx

def test_key_in_url(chat_emulator):
    httpx.post(chat_emulator.base_url + "/chat/completions?api_key=sk-leaked-12345678",
               headers={"Authorization": "Bearer sk-leaked-12345678"},
               json={"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Hi"}]})
""")
    config = pytester.parseconfig()
    assert not config.getoption("chat_emulator_client_hygiene") and not config.getini("chat_emulator_client_hygiene")
    # In a subprocess: after other in-process runs, one more would import the SDK's HTTP stack afresh, and
    # its exceptions would no longer be the classes its retry code catches.
    result = pytester.runpytest_subprocess("-p", "no:randomly", "--chat-emulator-client-hygiene")
    result.assert_outcomes(passed=1, failed=1)  # the README's test passes as written; the leaky one fails
    result.stdout.fnmatch_lines(["*test_key_in_url*", "*[[]api_key_exposed[]] #* (*) sent an API key in its URL*"])
    assert "Traceback" not in result.stdout.str()
