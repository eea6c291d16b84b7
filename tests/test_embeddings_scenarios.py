"""Scenarios for embeddings (`match: {api: embeddings}`): pinned vectors per input, seeds, errors, strict
mode, and the file checks that keep chat and embeddings scenarios apart."""
from __future__ import annotations

import math

import openai
import pytest

from emulator.scenarios.loader import ScenarioFileError

SMALL = "text-embedding-3-small"


def cosine(a: list[float], b: list[float]) -> float:
    return sum(x * y for x, y in zip(a, b, strict=True))


def vectors(client: openai.OpenAI, texts: list[str] | str, **options) -> list[list[float]]:
    return [item.embedding for item in client.embeddings.create(model=SMALL, input=texts, **options).data]


def test_a_pinned_vector_answers_only_the_input_it_matches(client, emu):
    emu.add_scenario({"name": "pin-question", "match": {"api": "embeddings", "input": {"equals": "the question"}},
                      "reply": {"embedding": [3, 4]}})
    builtin = vectors(client, "another text")[0]
    pinned, other = vectors(client, ["the question", "another text"], dimensions=8)
    assert pinned == [0.6000000238418579, 0.800000011920929, 0, 0, 0, 0, 0, 0]  # zero-padded, normalized, float32
    prefix_norm = math.sqrt(sum(x * x for x in builtin[:8]))
    assert max(abs(a - b / prefix_norm) for a, b in zip(other, builtin[:8], strict=True)) < 1e-6  # built-in
    assert emu.requests[-1].matched == "pin-question"


def test_a_seed_text_embeds_the_input_as_that_text(client, emu):
    documents = ["Paris is the capital of France.", "Berlin is the capital of Germany."]
    emu.add_scenario({"name": "vague-question", "match": {"api": "embeddings", "input": "that city"},
                      "reply": {"seed": "Berlin"}})
    question = vectors(client, "Tell me about that city")[0]
    paris, berlin = vectors(client, documents)
    assert cosine(question, berlin) > cosine(question, paris)
    assert question == vectors(client, "Berlin")[0] != vectors(client, "Tell me about this town")[0]


def test_an_integer_seed_gives_a_fixed_random_unit_vector(client, emu):
    emu.add_scenario({"name": "noise", "match": {"api": "embeddings", "input": "noise"}, "reply": {"seed": 7}})
    first, second = vectors(client, ["noise one", "noise two"])
    assert first == second and abs(math.sqrt(sum(x * x for x in first)) - 1) < 1e-6


def test_a_sequence_gives_each_call_its_step(client, emu):
    emu.add_scenario({"name": "drift", "match": {"api": "embeddings"},
                      "sequence": [{"reply": {"embedding": [1, 0]}}, {"reply": {"embedding": [0, 1]}}]})
    assert vectors(client, "x", dimensions=2) == [[1, 0]]
    assert vectors(client, "x", dimensions=2) == [[0, 1]]


def test_a_scripted_rate_limit_is_retried_by_the_sdk(emu):
    emu.fail_next(error="rate_limit_exceeded", match={"api": "embeddings"})
    client = emu.client(max_retries=1)
    answer = client.embeddings.create(model=SMALL, input="retry me")
    assert len(answer.data[0].embedding) == 1536
    assert [(e.status, e.matched is not None) for e in emu.requests[-2:]] == [(429, True), (200, True)]


def test_an_error_step_fails_the_request(client, emu):
    emu.add_scenario({"name": "down", "match": {"api": "embeddings", "model": "text-embedding-3-*"},
                      "error": "server_error"})
    with pytest.raises(openai.InternalServerError):
        client.embeddings.create(model=SMALL, input="anything")
    assert emu.requests[-1].matched == "down"


def test_chat_and_embeddings_scenarios_answer_their_own_requests(client, emu):
    emu.reply_with_text("chat only")  # no match: every chat request
    emu.add_scenario({"name": "all-embeddings", "match": {"api": "embeddings"}, "reply": {"embedding": [1]}})
    assert vectors(client, "hello", dimensions=1) == [[1.0]]
    chat = client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "hello"}])
    assert chat.choices[0].message.content == "chat only"


def test_strict_mode_refuses_an_input_no_scenario_answers(make_emulator):
    server = make_emulator(strict=True)
    server.add_scenario({"name": "known", "match": {"api": "embeddings", "input": "known"}, "reply": {"seed": 1}})
    client = server.client(max_retries=0)
    assert len(vectors(client, "a known text")) == 1
    with pytest.raises(openai.NotFoundError) as caught:
        client.embeddings.create(model=SMALL, input=["a known text", "a stranger"])
    assert "known" in caught.value.message and "input" in caught.value.message
    assert server.requests[-1].near_misses[0].scenario == "known"
    assert "POST /v1/embeddings model='text-embedding-3-small' input: ['a known text', 'a stranger']" in \
        server.unmatched_report()
    server.allow_unmatched()


@pytest.mark.parametrize(("scenario", "complaint"), [
    ({"match": {"input": "x"}, "reply": {"content": "hi"}}, "'input' matches the inputs of embeddings requests"),
    ({"reply": {"embedding": [1]}}, "'embedding' answers embeddings requests: add 'api: embeddings'"),
    ({"match": {"api": "embeddings", "last_user": "x"}, "reply": {"seed": 1}}, "'last_user' never holds"),
    ({"match": {"api": "embeddings"}, "reply": {"content": "hi"}}, "'content' is not part of an embeddings reply"),
    ({"match": {"api": "embeddings"}, "fault": "stall"}, "faults apply to chat replies"),
    ({"match": {"api": "embeddings"}, "reply": {"embedding": [0, 0]}}, "an embedding needs a non-zero value"),
    ({"match": {"api": "embeddings"}, "error": "content_filter"}, "not an embeddings error"),
])
def test_scenario_files_keep_chat_and_embeddings_apart(emu, scenario, complaint):
    with pytest.raises(ScenarioFileError) as caught:
        emu.scenarios.add({"name": "wrong", **scenario})
    assert complaint in str(caught.value)


def test_api_chat_matches_chat_requests(client, emu):
    emu.add_scenario({"name": "chat-api", "match": {"api": "chat"}, "reply": {"content": "from the chat scenario"}})
    chat = client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "hi"}])
    assert chat.choices[0].message.content == "from the chat scenario"
    client.embeddings.create(model=SMALL, input="hi")
    assert emu.requests[-1].matched == "builtin"
