"""Profiles `openai` (strict) and `lenient`, the per-request profile header and per-profile catalogues."""
from __future__ import annotations

import httpx
import openai
import pytest

from emulator import Emulator

API_KEY = "sk-test-key"

USER = [{"role": "user", "content": "hi"}]
LENIENT = {"x-emulator-profile": "lenient"}


@pytest.fixture
def lenient_client(emu) -> openai.OpenAI:
    return openai.OpenAI(base_url=emu.base_url, api_key=API_KEY, max_retries=0, default_headers=LENIENT)


def test_unknown_field_is_rejected_under_openai(client):
    with pytest.raises(openai.BadRequestError) as caught:
        client.chat.completions.create(model="gpt-4o-mini", messages=USER,
                                       extra_body={"anthropic_version": "bedrock-2023-05-31"})
    assert caught.value.code == "unknown_parameter"
    assert caught.value.param == "anthropic_version"
    assert caught.value.body["message"] == "Unknown parameter: 'anthropic_version'."


def test_unknown_fields_are_ignored_and_reported_under_lenient(lenient_client, emu):
    raw = lenient_client.chat.completions.with_raw_response.create(
        model="gpt-4o-mini", messages=USER,
        extra_body={"anthropic_version": "bedrock-2023-05-31", "litellm_metadata": {"team": "a"}})
    completion = raw.parse()
    assert completion.choices[0].message.content
    assert raw.headers["x-emulator-ignored-fields"] == "anthropic_version,litellm_metadata"
    # The journal keeps what the client sent.
    assert emu.requests[-1].body["anthropic_version"] == "bedrock-2023-05-31"


def test_nested_unknown_fields_are_ignored_and_reported(lenient_client):
    messages = [{"role": "user", "content": [{"type": "text", "text": "hi", "cache_control": {"type": "ephemeral"}}],
                 "cache_control": {"type": "ephemeral"}}]
    raw = lenient_client.chat.completions.with_raw_response.create(model="gpt-4o-mini", messages=messages)
    assert raw.parse().choices[0].message.content
    # Paths in the order the request lists them.
    assert raw.headers["x-emulator-ignored-fields"] == "messages[0].content[0].cache_control,messages[0].cache_control"


def test_a_request_without_extras_has_no_ignored_header(lenient_client):
    raw = lenient_client.chat.completions.with_raw_response.create(model="gpt-4o-mini", messages=USER)
    assert "x-emulator-ignored-fields" not in raw.headers


def test_lenient_still_checks_known_fields(lenient_client):
    with pytest.raises(openai.BadRequestError) as caught:
        lenient_client.chat.completions.create(model="gpt-4o-mini", messages=USER, temperature=3,
                                               extra_body={"anthropic_version": "x"})
    assert caught.value.code == "decimal_above_max_value"
    assert caught.value.response.headers["x-emulator-ignored-fields"] == "anthropic_version"


def test_profile_header_selects_per_request_on_one_server(make_emulator):
    """A lenient server can still serve a strict test: the header wins over --profile."""
    emu = make_emulator(profile="lenient")
    lenient = openai.OpenAI(base_url=emu.base_url, api_key=API_KEY, max_retries=0)
    strict = openai.OpenAI(base_url=emu.base_url, api_key=API_KEY, max_retries=0,
                           default_headers={"x-emulator-profile": "openai"})
    assert lenient.chat.completions.create(model="gpt-4o-mini", messages=USER, extra_body={"foo": 1}).choices
    with pytest.raises(openai.BadRequestError) as caught:
        strict.chat.completions.create(model="gpt-4o-mini", messages=USER, extra_body={"foo": 1})
    assert caught.value.code == "unknown_parameter"


def test_unknown_profile_header_is_a_400(http):
    response = http.post("/chat/completions", json={"model": "gpt-4o-mini", "messages": USER},
                         headers={"x-emulator-profile": "bedrock"})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_profile"
    assert error["message"] == ("Invalid value for header 'x-emulator-profile': 'bedrock'. Supported values are: "
                                "'openai', 'vllm', 'azure', and 'lenient'.")


def test_unknown_profile_fails_at_startup():
    with pytest.raises(ValueError, match="unknown profile 'bedrock'; choose one of openai, vllm, azure, lenient"):
        Emulator(profile="bedrock")


def test_gateway_model_ids_are_served_under_lenient_only(client, lenient_client):
    completion = lenient_client.chat.completions.create(model="claude-3-5-sonnet-latest", messages=USER)
    assert completion.model == "claude-3-5-sonnet-20241022"
    assert lenient_client.chat.completions.create(model="gpt-4-vision-preview", messages=USER).choices
    listed = {m.id for m in lenient_client.models.list()}
    assert {"claude-3-5-sonnet-latest", "gemini-ultra", "gemini-1.5-pro", "gpt-4-vision"} <= listed
    assert lenient_client.models.retrieve("gemini-ultra").owned_by == "google"
    with pytest.raises(openai.NotFoundError) as caught:
        client.chat.completions.create(model="claude-3-5-sonnet-latest", messages=USER)
    assert caught.value.code == "model_not_found"
    assert "claude-3-5-sonnet-latest" not in {m.id for m in client.models.list()}


def test_ignored_fields_header_is_exposed_to_browsers(emu):
    response = httpx.options(emu.base_url + "/chat/completions", headers={
        "Origin": "http://app.test", "Access-Control-Request-Method": "POST"})
    assert response.status_code == 200
    simple = httpx.post(emu.base_url + "/chat/completions", json={"model": "gpt-4o-mini", "messages": USER, "x": 1},
                        headers={"Authorization": f"Bearer {API_KEY}", "Origin": "http://app.test", **LENIENT})
    assert "x-emulator-ignored-fields" in simple.headers["access-control-expose-headers"].lower()
