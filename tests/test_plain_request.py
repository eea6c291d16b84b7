"""The one-pass check of a plain conversation says what the general steps say, with the same facts.

`plain_request.plain_chat_request` answers for bodies whose messages are all `{"role", "content": str}`;
every other body takes the general steps. For any body it answers for, the general steps must accept
it too (with the same prompt tokens, texts and facts), or refuse it with the same error.
"""
from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from emulator.conformance.strategies import invalid_requests, valid_requests
from emulator.contract.chat_request import ChatRequest
from emulator.contract.errors import ApiError
from emulator.contract.models import ModelCatalogue
from emulator.contract.plain_request import plain_chat_request
from emulator.contract.request_shape import CHAT_REQUEST
from emulator.contract.rules import check_request_rules
from emulator.contract.shapes import Object, String
from emulator.profiles.vllm import VLLM_REQUEST

CATALOGUE = ModelCatalogue.builtin()
FACTS = ("prompt_tokens", "media_tokens", "system_text", "last_user_text", "last_message", "tool_results",
         "messages", "n", "stream", "max_tokens", "stop", "tools", "service_tier", "include_usage")

TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40) | st.sampled_from(
    ["", "Hello! How are you today? 12345", "You are helpful.", "  two  spaces ", "json please", "tab\there"])
PLAIN_MESSAGE = st.fixed_dictionaries({"role": st.sampled_from(["system", "developer", "user", "assistant"]),
                                       "content": TEXT})
# Near-plain messages: what the one pass must hand over to the general steps.
ODD_MESSAGE = st.one_of(
    st.fixed_dictionaries({"role": st.sampled_from(["tool", "function", "robot", 3, None]), "content": TEXT}),
    st.fixed_dictionaries({"role": st.just("user"), "content": st.none() | st.integers() | st.just([])}),
    st.fixed_dictionaries({"role": st.just("user"), "content": TEXT, "name": st.just("ann")}),
    st.fixed_dictionaries({"content": TEXT}),
    st.just("not a message"),
)
# Fields with values that are often right, sometimes of the wrong type or breaking a cross-field rule.
VALUES = {"temperature": [0.5, 3, "hot"], "stream": [True, False, None, 1], "n": [1, 2, 0], "max_tokens": [5, 10**6, 0],
          "stop": ["STOP", ["a", "b"], []], "store": [True, False], "logprobs": [True, False],
          "seed": [7, 2**64, 1.5], "service_tier": ["auto", "flex", "fast", "gold"], "user": ["u", 1],
          "stream_options": [{"include_usage": True}, {"include_obfuscation": False}, None],
          "top_logprobs": [3, 30], "tool_choice": ["auto", "none"], "metadata": [{"a": "b"}, {}],
          "response_format": [{"type": "json_object"}, {"type": "text"}], "modalities": [["text"], ["text", "audio"]],
          "tools": [[{"type": "function", "function": {"name": "f"}}], []], "unknown_field": [1]}
EXTRA_FIELDS = st.lists(st.sampled_from(sorted(VALUES)), max_size=3, unique=True).flatmap(
    lambda keys: st.fixed_dictionaries({key: st.sampled_from(VALUES[key]) for key in keys}))
MODELS = st.sampled_from(["gpt-4o-mini", "gpt-4o", "o3-mini", "gpt-3.5-turbo", "gpt-4o-audio-preview", "no-such-model", 3])
MESSAGES = st.lists(PLAIN_MESSAGE, min_size=1, max_size=4) | st.lists(PLAIN_MESSAGE, min_size=1, max_size=4) | st.lists(st.one_of(PLAIN_MESSAGE, ODD_MESSAGE), max_size=3)
PLAIN_BODIES = st.builds(lambda model, messages, extra: {"model": model, "messages": messages, **extra},
                         MODELS, MESSAGES, EXTRA_FIELDS)

def general_steps(body: dict[str, Any]) -> ChatRequest:
    """The steps every body took before the one pass: shape, rules, then the request."""
    if not CHAT_REQUEST.value_ok(body):
        CHAT_REQUEST.check_value(body, "")
    check_request_rules(body)
    return ChatRequest(body, CATALOGUE.resolve(body["model"]))


def outcome(step: Any) -> Any:
    try:
        return step()
    except ApiError as error:
        return (error.status, error.message, error.param, error.code)


@settings(max_examples=600, deadline=None, database=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(st.one_of(PLAIN_BODIES, PLAIN_BODIES, valid_requests("gpt-4o"), invalid_requests("gpt-4o").map(lambda t: t[0])))
def test_the_one_pass_agrees_with_the_general_steps(body):
    plain = outcome(lambda: plain_chat_request(body, CATALOGUE, CHAT_REQUEST, None, ""))
    if plain is None:
        return  # not a plain conversation: the general steps alone answer
    general = outcome(lambda: general_steps(body))
    if isinstance(plain, tuple):  # a refusal: the same error, word for word
        assert plain == general
        return
    assert isinstance(general, ChatRequest)
    for fact in FACTS:
        assert getattr(plain, fact) == getattr(general, fact), fact


def test_a_profile_with_its_own_request_shape_keeps_its_checks():
    body = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Hi"}], "top_k": 5}
    assert plain_chat_request(body, CATALOGUE, CHAT_REQUEST, None, "") is None  # unknown to the openai shape
    assert plain_chat_request(body, CATALOGUE, VLLM_REQUEST, None, "") is not None


# Every option `ChatRequest` reads from a body.
OPTIONS = ("n", "stream", "include_usage", "include_obfuscation", "logprobs", "top_logprobs", "seed", "max_tokens",
           "stop", "tools", "functions", "response_format", "service_tier")


def test_a_body_of_a_model_and_messages_reads_every_option_at_its_default():
    body = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Hi"}]}
    model = CATALOGUE.resolve("gpt-4o-mini")
    usual, read = ChatRequest(body, model), ChatRequest({**body, "user": "ann"}, model)  # `user`: read by no option
    for option in OPTIONS:
        assert getattr(usual, option) == getattr(read, option), option


def test_a_shape_that_restricts_the_model_checks_a_body_of_a_model_and_messages():
    restricted = Object({**CHAT_REQUEST.fields, "model": String(enum=("gpt-4o",))}, required=("model", "messages"))
    messages = [{"role": "user", "content": "Hi"}]
    assert plain_chat_request({"model": "gpt-4o-mini", "messages": messages}, CATALOGUE, restricted, None, "") is None
    assert plain_chat_request({"model": "gpt-4o", "messages": messages}, CATALOGUE, restricted, None, "") is not None
    required = Object(dict(CHAT_REQUEST.fields), required=("model", "messages", "user"))
    assert plain_chat_request({"model": "gpt-4o", "messages": messages}, CATALOGUE, required, None, "") is None
