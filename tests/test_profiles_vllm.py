"""The `vllm` profile through the official client: extra_body fields, guided decoding, vLLM's errors."""
from __future__ import annotations

import json
import re

import jsonschema
import openai
import pytest


API_KEY = "sk-test-key"
USER = [{"role": "user", "content": "Describe a person called Ada, aged 36."}]
PERSON = {"type": "object", "properties": {"name": {"type": "string"}, "age": {"type": "integer", "minimum": 0}},
          "required": ["name", "age"], "additionalProperties": False}


@pytest.fixture
def vllm_server(make_emulator):
    return make_emulator(profile="vllm")


@pytest.fixture
def vllm(vllm_server) -> openai.OpenAI:
    vllm_server.reset()
    return openai.OpenAI(base_url=vllm_server.base_url, api_key=API_KEY, max_retries=0)


def ask(client: openai.OpenAI, **extra):
    return client.chat.completions.create(model="gpt-4o-mini", messages=USER, extra_body=extra)


@pytest.mark.parametrize("schema", [PERSON, json.dumps(PERSON)], ids=["object", "string"])
def test_guided_json_gives_schema_valid_content(vllm, schema):
    content = ask(vllm, guided_json=schema).choices[0].message.content
    jsonschema.validate(json.loads(content), PERSON)


def test_guided_json_streams_the_same_valid_content(vllm):
    whole = ask(vllm, guided_json=PERSON).choices[0].message.content
    stream = vllm.chat.completions.create(model="gpt-4o-mini", messages=USER, stream=True,
                                          extra_body={"guided_json": PERSON})
    assert "".join(c.choices[0].delta.content or "" for c in stream if c.choices) == whole


def test_guided_choice_returns_one_of_the_choices_deterministically(vllm):
    choices = ["positive", "negative", "neutral"]
    first = ask(vllm, guided_choice=choices).choices[0].message.content
    assert first in choices
    assert ask(vllm, guided_choice=choices).choices[0].message.content == first


def test_guided_regex_matches_the_whole_pattern(vllm):
    pattern = r"[A-Z]{3}-\d{4}"
    assert re.fullmatch(pattern, ask(vllm, guided_regex=pattern).choices[0].message.content)


def test_guided_grammar_of_literal_alternatives_picks_one(vllm):
    assert ask(vllm, guided_grammar='root ::= "yes" | "no"').choices[0].message.content in ("yes", "no")


def test_structured_outputs_as_newer_vllm_spells_them(vllm):
    assert ask(vllm, structured_outputs={"choice": ["red", "green"]}).choices[0].message.content in ("red", "green")
    content = ask(vllm, structured_outputs={"json": PERSON}).choices[0].message.content
    jsonschema.validate(json.loads(content), PERSON)


def test_sampling_extras_are_accepted(vllm):
    completion = ask(vllm, top_k=40, min_p=0.05, repetition_penalty=1.1, best_of=2, ignore_eos=False,
                     skip_special_tokens=True, stop_token_ids=[128009], min_tokens=1,
                     chat_template_kwargs={"enable_thinking": False}, priority=0, request_id="r-1")
    assert completion.choices[0].message.content


def test_unknown_fields_are_ignored_like_vllm_does(vllm):
    raw = vllm.chat.completions.with_raw_response.create(model="gpt-4o-mini", messages=USER,
                                                         extra_body={"guided_jsonn": PERSON})
    assert raw.parse().choices[0].message.content
    assert raw.headers["x-emulator-ignored-fields"] == "guided_jsonn"


def _error(vllm, **extra) -> openai.APIStatusError:
    with pytest.raises(openai.APIStatusError) as caught:
        ask(vllm, **extra)
    return caught.value


def test_type_errors_come_in_vllms_envelope(vllm):
    error = _error(vllm, top_k="40")
    assert error.status_code == 400
    assert error.body == {"message": "Invalid type for 'top_k': expected an integer, but got a string instead.",
                          "type": "BadRequestError", "param": "top_k", "code": 400}
    assert _error(vllm, guided_choice="yes").body["param"] == "guided_choice"
    assert _error(vllm, chat_template_kwargs=[]).body["param"] == "chat_template_kwargs"


@pytest.mark.parametrize("extra, message", [
    ({"min_p": 1.5}, "min_p must be in [0, 1], got 1.5."),
    ({"top_k": -2}, "top_k must be 0 (disable), or at least 1, got -2."),
    ({"repetition_penalty": 0}, "repetition_penalty must be greater than zero, got 0.0."),
    ({"n": 3, "best_of": 2}, "best_of must be greater than or equal to n, got n=3 and best_of=2."),
    ({"min_tokens": 5, "max_tokens": 4}, "min_tokens must be less than or equal to max_tokens=4, got 5."),
    ({"guided_json": PERSON, "guided_choice": ["a"]},
     "You can only use one kind of guided decoding ('guided_json', 'guided_regex' or 'guided_choice')."),
    ({"guided_json": "{not json"}, "Invalid 'guided_json': expected a JSON schema object or a string holding one."),
])
def test_range_and_guided_errors_use_vllms_texts(vllm, extra, message):
    error = _error(vllm, **extra)
    assert (error.status_code, error.body["type"], error.body["code"], error.body["message"]) == (
        400, "BadRequestError", 400, message)


def test_sampling_range_errors_name_no_param_as_in_vllm(vllm):
    assert _error(vllm, min_p=-0.1).body == {"message": "min_p must be in [0, 1], got -0.1.",
                                             "type": "BadRequestError", "param": None, "code": 400}


def test_unknown_model_is_vllms_404(vllm):
    with pytest.raises(openai.NotFoundError) as caught:
        vllm.chat.completions.create(model="gpt-nope", messages=USER)
    assert caught.value.body == {"message": "The model `gpt-nope` does not exist.", "type": "NotFoundError",
                                 "param": "model", "code": 404}


def test_vllm_repo_ids_are_listed_and_served(vllm):
    assert "meta-llama/Llama-3.1-8B-Instruct" in {m.id for m in vllm.models.list()}
    completion = vllm.chat.completions.create(model="Qwen/Qwen2.5-7B-Instruct", messages=USER)
    assert completion.model == "Qwen/Qwen2.5-7B-Instruct"


def test_wrong_key_gets_vllms_unauthorized(make_emulator):
    emu = make_emulator(profile="vllm", api_keys=("sk-right",))
    client = openai.OpenAI(base_url=emu.base_url, api_key="sk-wrong", max_retries=0)
    with pytest.raises(openai.AuthenticationError) as caught:
        client.chat.completions.create(model="gpt-4o-mini", messages=USER)
    assert caught.value.response.json() == {"error": "Unauthorized"}


def test_guided_fields_are_unknown_under_openai(client):
    with pytest.raises(openai.BadRequestError) as caught:
        client.chat.completions.create(model="gpt-4o-mini", messages=USER, extra_body={"guided_json": PERSON})
    assert (caught.value.code, caught.value.param) == ("unknown_parameter", "guided_json")


def test_vllm_header_on_a_strict_server(emu):
    client = openai.OpenAI(base_url=emu.base_url, api_key=API_KEY, max_retries=0,
                           default_headers={"x-emulator-profile": "vllm"})
    assert ask(client, guided_choice=["only"]).choices[0].message.content == "only"
