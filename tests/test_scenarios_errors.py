"""Scripted error steps: each named shortcut gives the live envelope, status and retry headers,
and the official SDK reacts to them as it does to the live API (exception class, retries)."""
from __future__ import annotations

import openai
import pytest
from pydantic import BaseModel

from conftest import API_KEY

HELLO = [{"role": "user", "content": "hello"}]


def ask(client, **extra):
    return client.chat.completions.create(model="gpt-4o", messages=HELLO, **extra)


def scripted_error(emu, error) -> None:
    emu.add_scenario({"name": "failing", "error": error})


# (shortcut, SDK exception, status, type, code, param, message start)
SHORTCUTS = [
    ("rate_limit_exceeded", openai.RateLimitError, 429, "tokens", "rate_limit_exceeded", None,
     "Rate limit reached for gpt-4o in organization org-emulator on tokens per min (TPM): Limit 30000, Used 30000, "
     "Requested 1000. Please try again in 20ms."),
    ("insufficient_quota", openai.RateLimitError, 429, "insufficient_quota", "insufficient_quota", None,
     "You exceeded your current quota, please check your plan and billing details."),
    ("context_length_exceeded", openai.BadRequestError, 400, "invalid_request_error", "context_length_exceeded",
     "messages", "This model's maximum context length is 128000 tokens. However, your messages resulted in"),
    ("server_error", openai.InternalServerError, 500, "server_error", None, None,
     "The server had an error processing your request. Sorry about that!"),
    ("overloaded", openai.InternalServerError, 503, "server_error", None, None,
     "That model is currently overloaded with other requests."),
    ("invalid_api_key", openai.AuthenticationError, 401, "invalid_request_error", "invalid_api_key", None,
     "Incorrect API key provided: sk*********. You can find your API key at"),
    ("model_not_found", openai.NotFoundError, 404, "invalid_request_error", "model_not_found", None,
     "The model `gpt-4o` does not exist or you do not have access to it."),
]


@pytest.mark.parametrize("name,exception,status,type_,code,param,message", SHORTCUTS, ids=[s[0] for s in SHORTCUTS])
def test_error_shortcut(emu, client, name, exception, status, type_, code, param, message):
    scripted_error(emu, name)
    with pytest.raises(exception) as caught:
        ask(client)
    error = caught.value
    assert error.status_code == status
    assert error.body == {"message": error.body["message"], "type": type_, "param": param, "code": code}
    assert error.body["message"].startswith(message)
    assert error.request_id.startswith("req_")
    assert emu.requests[-1].matched == "failing"


def test_rate_limit_sends_the_retry_headers(emu, http):
    scripted_error(emu, "rate_limit_exceeded")
    response = http.post("/chat/completions", json={"model": "gpt-4o", "messages": HELLO})
    assert response.status_code == 429
    assert response.headers["retry-after"] == "1"
    assert response.headers["retry-after-ms"] == "20"
    assert response.headers["x-should-retry"] == "true"


def test_quota_has_no_retry_after(emu, http):
    scripted_error(emu, "insufficient_quota")
    response = http.post("/chat/completions", json={"model": "gpt-4o", "messages": HELLO})
    assert response.status_code == 429
    assert "retry-after" not in response.headers


def test_sdk_retries_a_429_then_succeeds(emu):
    emu.add_scenario({"name": "flaky", "sequence": [
        {"error": {"status": 429, "code": "rate_limit_exceeded", "retry_after_ms": 10}},
        {"reply": {"content": "Recovered."}}]})
    client = openai.OpenAI(base_url=emu.base_url, api_key=API_KEY, max_retries=2)
    assert ask(client).choices[0].message.content == "Recovered."
    requests = emu.requests
    assert [r.status for r in requests] == [429, 200]
    assert requests[1].headers.get("x-stainless-retry-count") == "1"


def test_should_retry_false_stops_the_sdk_retrying(emu):
    scripted_error(emu, {"shortcut": "server_error", "should_retry": False})
    client = openai.OpenAI(base_url=emu.base_url, api_key=API_KEY, max_retries=2)
    with pytest.raises(openai.InternalServerError):
        ask(client)
    assert len(emu.requests) == 1


def test_sdk_gives_up_after_its_retries(emu):
    scripted_error(emu, {"shortcut": "overloaded", "retry_after_ms": 1})
    client = openai.OpenAI(base_url=emu.base_url, api_key=API_KEY, max_retries=2)
    with pytest.raises(openai.InternalServerError):
        ask(client)
    assert len(emu.requests) == 3


def test_custom_error(emu, client, http):
    scripted_error(emu, {"status": 418, "message": "I'm a teapot.", "type": "teapot_error", "code": "short_and_stout",
                         "param": "messages", "headers": {"x-brew": "earl-grey"}})
    with pytest.raises(openai.APIStatusError) as caught:
        ask(client)
    assert caught.value.status_code == 418
    assert caught.value.body == {"message": "I'm a teapot.", "type": "teapot_error", "param": "messages",
                                 "code": "short_and_stout"}
    assert http.post("/chat/completions", json={"model": "gpt-4o", "messages": HELLO}).headers["x-brew"] == "earl-grey"


def test_custom_error_defaults_by_status(emu, client):
    scripted_error(emu, {"status": 502})
    with pytest.raises(openai.InternalServerError) as caught:
        ask(client)
    assert caught.value.status_code == 502
    assert caught.value.body["type"] == "server_error"


def test_shortcut_with_overrides(emu, client):
    scripted_error(emu, {"shortcut": "server_error", "message": "Upstream exploded."})
    with pytest.raises(openai.InternalServerError) as caught:
        ask(client)
    assert caught.value.body["message"] == "Upstream exploded."
    assert caught.value.body["type"] == "server_error"


def test_content_filter_is_a_finish_reason(emu, client):
    scripted_error(emu, "content_filter")
    completion = ask(client)
    assert completion.choices[0].finish_reason == "content_filter"
    assert completion.choices[0].message.content == ""


def test_content_filter_makes_parse_raise(emu, client):
    class Answer(BaseModel):
        text: str

    scripted_error(emu, "content_filter")
    with pytest.raises(openai.ContentFilterFinishReasonError):
        client.chat.completions.parse(model="gpt-4o", messages=HELLO, response_format=Answer)


def test_error_on_a_stream_request_is_a_plain_http_error(emu, client):
    scripted_error(emu, "rate_limit_exceeded")
    with pytest.raises(openai.RateLimitError):
        ask(client, stream=True)
