"""`POST /v1/embeddings` through the official SDK and raw HTTP: formats, dimensions, usage, the live errors,
and the properties of the built-in vectors a retrieval test relies on."""
from __future__ import annotations

import array
import base64
import math
import warnings

import httpx
import openai
import pytest
import tiktoken
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

SMALL, LARGE, ADA = "text-embedding-3-small", "text-embedding-3-large", "text-embedding-ada-002"
INVALID_INPUT = "'$.input' is invalid. Please check the API reference: https://platform.openai.com/docs/api-reference."

DOCUMENTS = [
    "Paris is the capital of France and home of the Eiffel Tower.",
    "Berlin is the capital of Germany, known for the Brandenburg Gate.",
    "Mitochondria are the powerhouse of the cell.",
    "Python is a programming language that values readability.",
]


def cl100k() -> tiktoken.Encoding:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        from bpe_openai import registry

        spec = registry.cl100k_base()
    return tiktoken.Encoding(name="cl100k_base", pat_str=spec["pat_str"], mergeable_ranks=spec["mergeable_ranks"],
                             special_tokens=spec["special_tokens"])


def cosine(a: list[float], b: list[float]) -> float:
    return sum(x * y for x, y in zip(a, b, strict=True))


def norm(vector: list[float]) -> float:
    return math.sqrt(sum(x * x for x in vector))


def embed(client: openai.OpenAI, texts: list[str] | str, **options) -> list[list[float]]:
    answer = client.embeddings.create(model=options.pop("model", SMALL), input=texts, **options)
    return [item.embedding for item in answer.data]


# --- the answer ----------------------------------------------------------------------------------

def test_default_sdk_call_asks_for_base64_and_decodes_the_same_floats(client, emu):
    decoded = client.embeddings.create(model=SMALL, input="The food was delicious.")
    assert emu.requests[-1].body["encoding_format"] == "base64"  # the SDK's own default
    floats = client.embeddings.create(model=SMALL, input="The food was delicious.", encoding_format="float")
    assert decoded.data[0].embedding == floats.data[0].embedding
    assert len(floats.data[0].embedding) == 1536
    assert abs(norm(floats.data[0].embedding) - 1) < 1e-6
    assert floats.model == SMALL and floats.object == "list" and floats.data[0].object == "embedding"


def test_base64_is_little_endian_float32_on_the_wire(emu):
    body = {"model": SMALL, "input": "hello", "encoding_format": "base64"}
    answer = httpx.post(f"{emu.base_url}/embeddings", json=body, headers={"authorization": "Bearer sk-x"}).json()
    text = answer["data"][0]["embedding"]
    assert isinstance(text, str) and len(text) == 8192  # 1536 floats, 6,144 bytes
    as_floats = httpx.post(f"{emu.base_url}/embeddings", json={**body, "encoding_format": "float"},
                           headers={"authorization": "Bearer sk-x"}).json()["data"][0]["embedding"]
    values = array.array("f")
    values.frombytes(base64.b64decode(text))  # this machine is little-endian, as the SDK assumes
    assert values.tolist() == as_floats


def test_one_vector_per_input_in_order_and_usage_counts_cl100k_tokens(client):
    texts = ["first text", "a second, longer text with more tokens", "third"]
    answer = client.embeddings.create(model=SMALL, input=texts, encoding_format="float")
    assert [item.index for item in answer.data] == [0, 1, 2]
    alone = [embed(client, text, encoding_format="float")[0] for text in texts]
    assert [item.embedding for item in answer.data] == alone  # batching does not change a vector
    expected = sum(len(cl100k().encode(text)) for text in texts)
    assert answer.usage.prompt_tokens == answer.usage.total_tokens == expected


def test_token_arrays_embed_as_the_text_they_encode(client):
    tokens = cl100k().encode("The capital of France is Paris.")
    from_text = embed(client, "The capital of France is Paris.")[0]
    answer = client.embeddings.create(model=SMALL, input=tokens)
    assert answer.data[0].embedding == from_text and answer.usage.prompt_tokens == len(tokens)
    both = client.embeddings.create(model=SMALL, input=[tokens, cl100k().encode("Berlin")])
    assert len(both.data) == 2 and both.data[0].embedding == from_text


def test_dimensions_shorten_to_the_full_vectors_prefix_renormalized(client):
    full = embed(client, "a long document about rivers", model=LARGE, encoding_format="float")[0]
    short = embed(client, "a long document about rivers", model=LARGE, dimensions=256, encoding_format="float")[0]
    assert len(full) == 3072 and len(short) == 256
    assert abs(norm(short) - 1) < 1e-6
    prefix = full[:256]
    assert max(abs(a - b / norm(prefix)) for a, b in zip(short, prefix, strict=True)) < 1e-6


def test_ada_002_reports_its_v2_snapshot(client, emu):
    answer = client.embeddings.create(model=ADA, input="hello")
    assert answer.model == "text-embedding-ada-002-v2" and len(answer.data[0].embedding) == 1536
    assert emu.requests[-1].matched == "builtin"


def test_openai_model_header_and_rate_limit_tokens(emu):
    headers = {"authorization": "Bearer sk-embeddings-budget"}
    first = httpx.post(f"{emu.base_url}/embeddings", json={"model": SMALL, "input": "one two three"}, headers=headers)
    second = httpx.post(f"{emu.base_url}/embeddings", json={"model": SMALL, "input": "four"}, headers=headers)
    assert first.headers["openai-model"] == SMALL
    used = int(first.headers["x-ratelimit-remaining-tokens"]) - int(second.headers["x-ratelimit-remaining-tokens"])
    assert used == second.json()["usage"]["prompt_tokens"] == 1


def test_rate_limit_enforced_on_embedding_tokens(make_emulator):
    server = make_emulator(tokens_per_minute=10, enforce_rate_limits=True)
    client = server.client(max_retries=0)
    client.embeddings.create(model=SMALL, input="one two three four five six")
    with pytest.raises(openai.RateLimitError) as caught:
        client.embeddings.create(model=SMALL, input="seven eight nine ten eleven twelve")
    assert caught.value.code == "rate_limit_exceeded" and "tokens per min (TPM)" in caught.value.message


# --- the vectors ---------------------------------------------------------------------------------

def test_vectors_are_deterministic_and_differ_per_model(client):
    assert embed(client, "same text") == embed(client, "same text")
    assert embed(client, "same text", model=ADA) != embed(client, "same text")


def test_the_document_about_paris_answers_a_question_about_paris(client):
    documents = embed(client, DOCUMENTS)
    for question, expected in [("What is the capital of France?", 0), ("Which city has the Brandenburg Gate?", 1),
                               ("what powers a cell", 2), ("Is Python readable?", 3)]:
        query = embed(client, question)[0]
        ranked = sorted(range(len(DOCUMENTS)), key=lambda i: -cosine(query, documents[i]))
        assert ranked[0] == expected, question


def test_texts_sharing_words_are_closer_than_texts_sharing_none(client):
    vocabulary = ("river", "mountain", "violin", "engine", "garden", "planet", "coffee", "harbor", "lantern",
                  "glacier", "piano", "desert", "falcon", "market", "orchard", "canyon")
    for i in range(8):
        a = " ".join(vocabulary[j % 16] for j in range(i, i + 4))
        shares = " ".join(vocabulary[j % 16] for j in range(i + 3, i + 7))  # one word in common
        disjoint = " ".join(vocabulary[j % 16] for j in range(i + 8, i + 12))
        va, vs, vd = embed(client, [a, shares, disjoint])
        assert cosine(va, vs) > cosine(va, vd), (a, shares, disjoint)


def test_different_texts_get_different_vectors(client):
    one, two = embed(client, ["Paris", "paris"])
    assert one != two and cosine(one, two) > 0.9  # case folds into the same word, the exact text still counts


# --- errors, as the live API words them -----------------------------------------------------------

ERRORS = [
    ({"input": ""}, 400, INVALID_INPUT, None, None),
    ({"input": []}, 400, INVALID_INPUT, None, None),
    ({"input": ["fine", ""]}, 400, INVALID_INPUT, None, None),
    ({"input": ["x"] * 2049}, 400, INVALID_INPUT, None, None),
    ({"input": [[1, 2], []]}, 400, INVALID_INPUT, None, None),
    ({"input": ["text", 42]}, 400, INVALID_INPUT, None, None),
    ({"input": {"text": "hi"}}, 400, INVALID_INPUT, None, None),
    ({"input": [999999999]}, 400, INVALID_INPUT, None, None),
    ({"model": ADA, "dimensions": 256}, 400, "This model does not support specifying dimensions.", None, None),
    ({"model": ADA, "dimensions": None}, 400, "This model does not support specifying dimensions.", None, None),
    ({"dimensions": 0}, 400, "Invalid 'dimensions': integer below minimum value. Expected a value >= 1, but got 0 "
                             "instead.", "dimensions", "integer_below_min_value"),
    ({"dimensions": 1537}, 400, "Invalid 'dimensions': integer above maximum value. Expected a value <= 1536, but "
                                "got 1537 instead.", "dimensions", "integer_above_max_value"),
    ({"input": "word " * 8200}, 400, "This model's maximum context length is 8192 tokens, however you requested 8201 "
                                     "tokens (8201 in your prompt; 0 for the completion). Please reduce your prompt; "
                                     "or completion length.", None, None),
    ({"input": ["word " * 8000] * 38}, 400, "Requested 304038 tokens, max 300000 tokens per request", None,
     "max_tokens_per_request"),
    ({"model": "gpt-4o"}, 403, "You are not allowed to generate embeddings from this model", None, None),
    ({"model": "text-embedding-4-imaginary"}, 404, "The model `text-embedding-4-imaginary` does not exist or you do "
                                                   "not have access to it.", None, "model_not_found"),
    ({"encoding_format": "int8"}, 400, "Invalid value: 'int8'. Supported values are: 'float' and 'base64'.",
     "encoding_format", "invalid_value"),
    ({"temperature": 0.5}, 400, "Unknown parameter: 'temperature'.", "temperature", "unknown_parameter"),
    ({"user": 7}, 400, "Invalid type for 'user': expected a string, but got an integer instead.", "user",
     "invalid_type"),
]


@pytest.mark.parametrize(("change", "status", "message", "param", "code"), ERRORS,
                         ids=[f"{i}-{'-'.join(map(str, e[0]))}" for i, e in enumerate(ERRORS)])
def test_live_errors(client, change, status, message, param, code):
    body = {"model": SMALL, "input": "hello", "encoding_format": "float", **change}
    with pytest.raises(openai.APIStatusError) as caught:
        client.embeddings.create(**{k: body.pop(k) for k in ("model", "input")}, extra_body=body)
    error = caught.value
    assert error.status_code == status
    assert error.body == {"message": message, "type": error.body["type"], "param": param, "code": code}
    assert error.body["type"] == ("max_tokens_per_request" if code == "max_tokens_per_request"
                                  else "invalid_request_error")


def test_missing_fields(emu):
    headers = {"authorization": "Bearer sk-x"}
    no_input = httpx.post(f"{emu.base_url}/embeddings", json={"model": SMALL}, headers=headers)
    assert no_input.status_code == 400 and no_input.json()["error"]["message"] == "Missing required parameter: 'input'."
    no_model = httpx.post(f"{emu.base_url}/embeddings", json={"input": "x"}, headers=headers)
    assert no_model.json()["error"]["message"] == "you must provide a model parameter"


def test_any_body_gets_an_error_envelope_never_a_500(emu):
    headers = {"authorization": "Bearer sk-x"}
    for body in ([1, 2], {"model": None, "input": "x"}, {"model": SMALL, "input": [[1], ["a"]]},
                 {"model": SMALL, "input": [True]}, {"model": SMALL, "input": "x", "dimensions": "8"},
                 {"model": SMALL, "input": "x", "dimensions": 2.5}, {"model": SMALL, "input": [[-1]]}):
        answer = httpx.post(f"{emu.base_url}/embeddings", json=body, headers=headers)
        assert answer.status_code == 400, body
        assert set(answer.json()["error"]) == {"message", "type", "param", "code"}


def test_embeddings_models_are_listed_and_refused_by_chat(client):
    assert {SMALL, LARGE, ADA} <= {model.id for model in client.models.list()}
    with pytest.raises(openai.NotFoundError):
        client.chat.completions.create(model=SMALL, messages=[{"role": "user", "content": "hi"}])


def test_any_model_id_embeds_under_accept_any_model(make_emulator):
    client = make_emulator(accept_any_model=True).client(max_retries=0)
    answer = client.embeddings.create(model="nomic-embed-text", input="hello", dimensions=384)
    assert answer.model == "nomic-embed-text" and len(answer.data[0].embedding) == 384
    with pytest.raises(openai.PermissionDeniedError):  # a catalogue chat model still refuses
        client.embeddings.create(model="gpt-4o", input="hello")


# --- profiles ------------------------------------------------------------------------------------

def test_lenient_profile_ignores_unknown_fields_and_names_them(make_emulator):
    server = make_emulator(profile="lenient")
    answer = httpx.post(f"{server.base_url}/embeddings", headers={"authorization": "Bearer sk-x"},
                        json={"model": SMALL, "input": "hi", "truncate_prompt_tokens": 10})
    assert answer.status_code == 200 and answer.headers["x-emulator-ignored-fields"] == "truncate_prompt_tokens"


def test_azure_deployments_path_through_azure_openai(make_emulator):
    server = make_emulator(profile="azure", api_keys=("sk-azure",),
                           azure_deployments=(("embed-prod", SMALL), ("chat-prod", "gpt-4o-mini")))
    azure = openai.AzureOpenAI(azure_endpoint=server.url, api_key="sk-azure", api_version="2024-10-21",
                               max_retries=0)
    answer = azure.embeddings.create(model="embed-prod", input=["hello", "world"])
    assert len(answer.data) == 2 and len(answer.data[1].embedding) == 1536
    assert server.requests[-1].path == "/openai/deployments/embed-prod/embeddings"
    with pytest.raises(openai.BadRequestError) as caught:
        azure.embeddings.create(model="chat-prod", input="hello")
    assert caught.value.body["code"] == "OperationNotSupported"
    assert caught.value.body["message"].startswith("The embeddings operation does not work with the specified "
                                                   "model, chat-prod.")
    v1 = openai.OpenAI(base_url=f"{server.url}/openai/v1", api_key="sk-azure", max_retries=0)
    assert len(v1.embeddings.create(model="embed-prod", input="hi", dimensions=64).data[0].embedding) == 64


# --- properties over generated inputs --------------------------------------------------------------

PROPERTY = settings(max_examples=60, deadline=None, database=None, derandomize=True,
                    suppress_health_check=list(HealthCheck))
TEXTS = st.text(min_size=1, max_size=200)


@PROPERTY
@given(texts=st.lists(TEXTS, min_size=1, max_size=4), dimensions=st.integers(1, 3072))
def test_any_text_gets_deterministic_unit_vectors_whose_shortening_is_a_prefix(http, texts, dimensions):
    def ask(**fields) -> list[list[float]]:
        answer = http.post("/embeddings", json={"model": LARGE, "input": texts, "encoding_format": "float", **fields})
        assert answer.status_code == 200, answer.text
        return [item["embedding"] for item in answer.json()["data"]]

    full, short = ask(), ask(dimensions=dimensions)
    assert ask() == full
    for whole, cut in zip(full, short, strict=True):
        assert len(cut) == dimensions and abs(norm(cut) - 1) < 1e-6
        prefix = whole[:dimensions]
        if norm(prefix) > 1e-3:  # a prefix that caught no feature is a fixed unit vector instead
            assert max(abs(a - b / norm(prefix)) for a, b in zip(cut, prefix, strict=True)) < 1e-5


JSON_VALUES = st.recursive(st.none() | st.booleans() | st.integers(-3, 200000) | st.floats(allow_nan=False) |
                           st.text(max_size=5), lambda inner: st.lists(inner, max_size=3) |
                           st.dictionaries(st.text(max_size=3), inner, max_size=2), max_leaves=6)


@PROPERTY
@given(field=st.sampled_from(["input", "model", "dimensions", "encoding_format", "user"]), value=JSON_VALUES)
def test_any_field_value_gets_an_answer_or_an_error_envelope_never_a_500(http, field, value):
    body = {"model": SMALL, "input": "hello", field: value}
    answer = http.post("/embeddings", json=body)
    assert answer.status_code in (200, 400, 403, 404), answer.text
    if answer.status_code != 200:
        assert set(answer.json()["error"]) == {"message", "type", "param", "code"}
