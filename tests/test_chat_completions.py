"""Non-streaming chat completions through the official SDK, sync and async, on a real socket."""
from __future__ import annotations

import re

import openai
import pytest

from schema_check import assert_valid

HELLO = [{"role": "user", "content": "Hello, emulator!"}]


def create(client, **fields):
    raw = client.chat.completions.with_raw_response.create(**{"model": "gpt-4o-mini", "messages": HELLO, **fields})
    return raw, raw.parse()


def test_reply_has_every_field_in_the_live_form(client):
    raw, completion = create(client)
    body = raw.http_response.json()
    assert_valid("chat_completion", body)
    assert list(body) == ["id", "object", "created", "model", "choices", "usage", "service_tier", "system_fingerprint"]
    assert re.fullmatch(r"chatcmpl-[A-Za-z0-9]{29}", completion.id)
    assert completion.object == "chat.completion"
    assert completion.model == "gpt-4o-mini-2024-07-18"  # the alias resolves to its snapshot
    assert re.fullmatch(r"fp_[0-9a-f]{10}", completion.system_fingerprint)
    assert completion.service_tier == "default"
    message = body["choices"][0]["message"]
    assert list(message) == ["role", "content", "refusal", "annotations"]
    assert message["refusal"] is None and message["annotations"] == []
    assert body["choices"][0]["finish_reason"] == "stop" and body["choices"][0]["logprobs"] is None


def test_reply_reflects_the_request(client):
    _, completion = create(client)
    content = completion.choices[0].message.content
    assert "Hello, emulator!" in content
    assert "gpt-4o-mini-2024-07-18" in content


def test_same_request_same_reply_and_seed_changes_it(client):
    first = create(client, seed=7)[0].http_response.json()
    second = create(client, seed=7)[0].http_response.json()
    for body in (first, second):
        body.pop("id"), body.pop("created")
    assert first == second
    texts = {create(client, seed=s)[1].choices[0].message.content for s in range(6)}
    assert len(texts) > 1


def test_n_choices_differ_and_are_indexed(client):
    _, completion = create(client, n=4)
    assert [c.index for c in completion.choices] == [0, 1, 2, 3]
    assert len({c.message.content for c in completion.choices}) > 1


def test_usage_counts_are_consistent(client):
    _, one = create(client)
    _, three = create(client, n=3)
    usage = one.usage
    assert usage.total_tokens == usage.prompt_tokens + usage.completion_tokens
    assert usage.completion_tokens_details.reasoning_tokens == 0
    assert three.usage.prompt_tokens == usage.prompt_tokens
    assert three.usage.completion_tokens > usage.completion_tokens
    longer = [{"role": "system", "content": "You are terse."}, *HELLO]
    assert create(client, messages=longer)[1].usage.prompt_tokens > usage.prompt_tokens


def test_max_completion_tokens_cuts_with_length(client):
    _, full = create(client)
    _, cut = create(client, max_completion_tokens=5)
    assert cut.choices[0].finish_reason == "length"
    assert cut.usage.completion_tokens == 5
    assert full.choices[0].message.content.startswith(cut.choices[0].message.content)
    _, legacy = create(client, max_tokens=3)
    assert legacy.choices[0].finish_reason == "length" and legacy.usage.completion_tokens == 3


def test_stop_sequence_cuts_before_it(client):
    _, completion = create(client, stop=["built-in"])
    assert completion.choices[0].finish_reason == "stop"
    assert completion.choices[0].message.content == "This is the chat-emulator "


def test_logprobs_are_well_formed(client):
    raw, completion = create(client, logprobs=True, top_logprobs=3)
    assert_valid("chat_completion", raw.http_response.json())
    entries = completion.choices[0].logprobs.content
    assert "".join(e.token for e in entries) == completion.choices[0].message.content
    assert len(entries) == completion.usage.completion_tokens
    for entry in entries:
        assert entry.logprob <= 0
        assert bytes(entry.bytes).decode() == entry.token
        assert len(entry.top_logprobs) == 3
        assert entry.top_logprobs[0].token == entry.token
        assert [t.logprob for t in entry.top_logprobs] == sorted((t.logprob for t in entry.top_logprobs), reverse=True)


def test_reasoning_model_spends_reasoning_tokens(client):
    _, completion = create(client, model="o3-mini", reasoning_effort="low")
    details = completion.usage.completion_tokens_details
    assert details.reasoning_tokens == 64
    assert completion.usage.completion_tokens > 64
    _, starved = create(client, model="o3-mini", reasoning_effort="low", max_completion_tokens=50)
    assert starved.choices[0].finish_reason == "length" and starved.choices[0].message.content == ""


def test_service_tier_and_metadata(client):
    _, flex = create(client, service_tier="flex")
    assert flex.service_tier == "flex"
    _, fast = create(client, service_tier="fast")
    assert fast.service_tier == "priority"
    _, stored = create(client, store=True, metadata={"suite": "emulator"})
    assert stored.metadata == {"suite": "emulator"}


def test_headers_clients_read(client):
    raw, completion = create(client)
    headers = raw.headers
    assert re.fullmatch(r"req_[0-9a-f]{32}", headers["x-request-id"])
    assert completion._request_id == headers["x-request-id"]
    assert headers["openai-version"] == "2020-10-01"
    assert headers["openai-processing-ms"].isdigit()
    assert headers["x-ratelimit-limit-requests"] == "10000"
    assert re.fullmatch(r"\d+(\.\d+)?(ms|s)|\d+m\d+(\.\d+)?s", headers["x-ratelimit-reset-requests"])
    again, _ = create(client)
    assert int(again.headers["x-ratelimit-remaining-requests"]) == int(headers["x-ratelimit-remaining-requests"]) - 1
    assert int(again.headers["x-ratelimit-remaining-tokens"]) < int(headers["x-ratelimit-remaining-tokens"])


def test_rate_limits_are_per_key(emu):
    one = openai.OpenAI(base_url=emu.base_url, api_key="sk-one", max_retries=0)
    two = openai.OpenAI(base_url=emu.base_url, api_key="sk-two", max_retries=0)
    for _ in range(3):
        create(one)
    raw, _ = create(two)
    assert raw.headers["x-ratelimit-remaining-requests"] == "9999"


def test_enforced_rate_limit_answers_the_live_429(make_emulator):
    emu = make_emulator(requests_per_minute=2, enforce_rate_limits=True)
    client = openai.OpenAI(base_url=emu.base_url, api_key="sk-x", max_retries=0)
    create(client), create(client)
    with pytest.raises(openai.RateLimitError) as caught:
        create(client)
    error = caught.value
    assert error.type == "requests" and error.code == "rate_limit_exceeded"
    assert error.body["message"].startswith("Rate limit reached for gpt-4o-mini in organization org-emulator on requests per "
                                    "min (RPM): Limit 2, Used 2, Requested 1. Please try again in ")
    assert int(error.response.headers["retry-after"]) >= 1


async def test_async_client(async_client):
    completion = await async_client.chat.completions.create(model="gpt-4o", messages=HELLO)
    assert completion.choices[0].message.role == "assistant"
    assert completion.model == "gpt-4o-2024-08-06"


def test_sdk_exceptions_carry_the_envelope(client):
    with pytest.raises(openai.BadRequestError) as caught:
        client.chat.completions.create(model="gpt-4o", messages=HELLO, temperature=5)
    assert caught.value.code == "decimal_above_max_value" and caught.value.param == "temperature"
    assert caught.value.request_id.startswith("req_")
    with pytest.raises(openai.NotFoundError) as missing:
        client.chat.completions.create(model="gpt-nope", messages=HELLO)
    assert missing.value.code == "model_not_found"


def test_models_list_and_retrieve(client, http):
    models = client.models.list()
    ids = {m.id for m in models}
    assert {"gpt-4o", "gpt-4o-mini", "o3-mini", "gpt-4.1", "gpt-5", "claude-3-haiku", "gemini-pro"} <= ids
    listing = http.get("/models").json()
    assert_valid("model_list", listing)
    model = client.models.retrieve("gpt-4o")
    assert (model.id, model.object) == ("gpt-4o", "model")
    with pytest.raises(openai.NotFoundError) as caught:
        client.models.retrieve("gpt-unknown")
    assert caught.value.code == "model_not_found"


def test_embeddings_models_are_listed_but_chat_refuses_them(client):
    assert {"text-embedding-3-small", "text-embedding-3-large", "text-embedding-ada-002"} <= {
        m.id for m in client.models.list()}
    with pytest.raises(openai.NotFoundError) as caught:
        client.chat.completions.create(model="text-embedding-3-small", messages=HELLO)
    assert caught.value.body["message"] == ("This is not a chat model and thus not supported in the "
                                            "v1/chat/completions endpoint. Did you mean to use v1/completions?")
    assert (caught.value.param, caught.value.code, caught.value.type) == ("model", None, "invalid_request_error")


def test_extra_models_and_any_model(make_emulator):
    emu = make_emulator(extra_models=("my-finetune",), accept_any_model=False)
    client = openai.OpenAI(base_url=emu.base_url, api_key="sk", max_retries=0)
    assert create(client, model="my-finetune")[1].model == "my-finetune"
    emu = make_emulator(accept_any_model=True)
    client = openai.OpenAI(base_url=emu.base_url, api_key="sk", max_retries=0)
    assert create(client, model="whatever-7b")[1].model == "whatever-7b"


def test_context_window_and_output_limit(client):
    with pytest.raises(openai.BadRequestError) as caught:
        client.chat.completions.create(model="gpt-4", messages=HELLO, max_tokens=8190)
    assert caught.value.code == "context_length_exceeded"
    assert "(" in caught.value.message and "in the completion" in caught.value.message
    with pytest.raises(openai.BadRequestError) as too_many:
        client.chat.completions.create(model="gpt-4o-mini", messages=HELLO, max_completion_tokens=20000)
    assert too_many.value.body["message"].startswith("max_tokens is too large: 20000.")


def test_cors_preflight_and_exposed_headers(emu):
    import httpx

    preflight = httpx.options(emu.base_url + "/chat/completions", headers={
        "Origin": "http://localhost:5173", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization,content-type"})
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] in ("*", "http://localhost:5173")
    response = httpx.post(emu.base_url + "/chat/completions", json={"model": "gpt-4o", "messages": HELLO},
                          headers={"Origin": "http://localhost:5173", "Authorization": "Bearer k"})
    assert "x-request-id" in response.headers["access-control-expose-headers"].lower()


def seconds(duration: str) -> float:
    """A Go duration as the headers write it (`120ms`, `59.2s`, `1m0s`) in seconds."""
    minutes, value, unit = re.fullmatch(r"(?:(\d+)m)?(\d+(?:\.\d+)?)(ms|s)", duration).groups()
    return int(minutes or 0) * 60 + float(value) / (1000 if unit == "ms" else 1)


def test_rate_limit_headers_follow_the_fixed_window_and_429s_carry_them(make_emulator):
    emu = make_emulator(requests_per_minute=2, enforce_rate_limits=True)
    client = openai.OpenAI(base_url=emu.base_url, api_key="sk-window", max_retries=0)
    first, _ = create(client)
    second, _ = create(client)
    with pytest.raises(openai.RateLimitError) as caught:
        create(client)
    limited = caught.value.response.headers
    assert limited["x-should-retry"] == "true"
    assert limited["x-ratelimit-remaining-requests"] == "0" and limited["x-ratelimit-limit-requests"] == "2"
    # The window frees both slots at once: every reset says when, and agrees with retry-after.
    resets = [seconds(r.headers["x-ratelimit-reset-requests"]) for r in (first, second)]
    resets.append(seconds(limited["x-ratelimit-reset-requests"]))
    assert resets == sorted(resets, reverse=True) and resets[0] > 50
    assert int(limited["retry-after"]) - 1 <= resets[-1] <= int(limited["retry-after"])


def test_a_flood_of_new_keys_does_not_give_a_limited_key_its_budget_back(make_emulator):
    emu = make_emulator(requests_per_minute=1, enforce_rate_limits=True, rate_limit_keys=5)
    victim = openai.OpenAI(base_url=emu.base_url, api_key="sk-limited", max_retries=0)
    create(victim)
    for i in range(12):  # more distinct keys than the table holds
        create(openai.OpenAI(base_url=emu.base_url, api_key=f"sk-flood-{i}", max_retries=0))
    with pytest.raises(openai.RateLimitError):
        create(victim)


def test_a_trailing_slash_is_an_unknown_url_not_a_redirect(http):
    response = http.post("/chat/completions/", json={"model": "gpt-4o-mini", "messages": HELLO},
                         headers={"host": "attacker.example"}, follow_redirects=False)
    assert response.status_code == 404 and "location" not in response.headers
    assert response.json()["error"]["message"] == "Invalid URL (POST /v1/chat/completions/)"
