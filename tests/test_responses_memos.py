"""What the Responses and embeddings endpoints remember between requests (validated bodies, rendered
templates, vector encodings) changes nothing a client sees, and what they keep is bounded: the store
of responses in bytes, the templates per reply, the encodings in bytes (docs/responses.md)."""
from __future__ import annotations

import time
from array import array

import openai
import pytest

from emulator.wire.embedding_body import EncodingMemo

BODY = {"model": "gpt-4o-mini", "instructions": "You are helpful.", "input": "Hello! How are you today?"}


def test_the_same_body_twice_gets_its_own_ids_and_its_own_input_items(client):
    first, second = client.responses.create(**BODY), client.responses.create(**BODY)
    assert first.id != second.id and first.output[0].id != second.output[0].id
    assert first.output_text == second.output_text
    first_items = client.responses.input_items.list(first.id).data
    second_items = client.responses.input_items.list(second.id).data
    assert first_items[0].id != second_items[0].id
    assert first_items[0].id[4:20] == first.id[5:21]  # an item shares its response's leading hex
    assert client.responses.retrieve(second.id).output[0].id == second.output[0].id


def test_the_same_body_from_two_keys_is_stored_under_each(emu, client):
    other = openai.OpenAI(base_url=emu.base_url, api_key="sk-someone-else", max_retries=0)
    mine, theirs = client.responses.create(**BODY), other.responses.create(**BODY)
    assert client.responses.retrieve(mine.id).id == mine.id
    assert other.responses.retrieve(theirs.id).id == theirs.id
    with pytest.raises(openai.NotFoundError):
        other.responses.retrieve(mine.id)


def test_a_refused_body_is_refused_again_in_the_same_words(http):
    body = {**BODY, "temperature": 7}
    first, second = http.post("/responses", json=body), http.post("/responses", json=body)
    assert first.status_code == second.status_code == 400
    assert first.json() == second.json()


def test_a_repeated_chained_body_continues_from_the_store_each_time(client):
    start = client.responses.create(model="gpt-4o-mini", input="My name is Ada.")
    follow = {"model": "gpt-4o-mini", "input": "What is my name?", "previous_response_id": start.id}
    first = client.responses.create(**follow)
    client.responses.delete(start.id)
    with pytest.raises(openai.BadRequestError):  # the same bytes again: the chain is read again, and is gone
        client.responses.create(**follow)
    assert first.usage.input_tokens > client.responses.create(model="gpt-4o-mini", input="What is my name?"
                                                              ).usage.input_tokens


def test_the_store_is_bounded_in_bytes_and_keeps_the_newest(emu, client, monkeypatch):
    store = emu.state.responses.kept  # the in-memory records and their byte count
    monkeypatch.setattr(store, "max_bytes", 20_000)
    created = [client.responses.create(model="gpt-4o-mini", input=f"Message {n}") for n in range(30)]
    assert 0 < store.bytes <= 20_000
    with pytest.raises(openai.NotFoundError):
        client.responses.retrieve(created[0].id)
    newest = client.responses.retrieve(created[-1].id)
    assert newest.output_text == created[-1].output_text
    chained = client.responses.create(model="gpt-4o-mini", input="And then?", previous_response_id=created[-1].id)
    assert chained.usage.input_tokens > created[-1].usage.input_tokens


def test_many_chunk_sizes_still_stream_the_same_text(client):
    expected = client.responses.create(**BODY).output_text
    counts = []
    for chunk_tokens in range(1, 8):  # more than a reply keeps templates for
        with client.responses.stream(**BODY, extra_headers={"x-emulator-chunk-tokens": str(chunk_tokens)}) as stream:
            deltas = [e.delta for e in stream if e.type == "response.output_text.delta"]
        assert "".join(deltas) == expected
        counts.append(len(deltas))
    assert counts == sorted(counts, reverse=True) and counts[0] > counts[-1]


def test_kept_vector_encodings_are_bounded_in_bytes():
    memo = EncodingMemo(max_bytes=100_000)
    vectors = [array("f", [float(n)] * 1536) for n in range(40)]
    texts = [memo.encoded(vector, "base64")[1] for vector in vectors]
    assert 0 < memo.bytes <= 100_000
    assert memo.encoded(vectors[-1], "base64")[1] is texts[-1]  # the newest is kept
    assert memo.encoded(vectors[0], "base64")[1] == texts[0]  # the oldest is made again, the same


def test_repeated_embeddings_are_the_same_vectors(client):
    texts = ["The quick brown fox", "jumped over the lazy dog"]
    first = client.embeddings.create(model="text-embedding-3-small", input=texts)
    second = client.embeddings.create(model="text-embedding-3-small", input=texts, encoding_format="float")
    assert [d.embedding for d in first.data] == [d.embedding for d in second.data]


def test_identical_bodies_are_stamped_from_one_rendering_each_with_its_own_ids_and_times(emu, http):
    before = int(time.time())
    sent = [http.post("/responses", json=BODY) for _ in range(3)]  # the second on: the memo'd request and template
    after = int(time.time())
    answers = [response.json() for response in sent]
    assert len({a["id"] for a in answers}) == 3 and len({a["output"][0]["id"] for a in answers}) == 3
    for answer in answers:
        assert answer["output"][0]["id"][4:20] == answer["id"][5:21]  # the item shares its response's stem
        assert before <= answer["created_at"] == answer["completed_at"] <= after
        assert {k: v for k, v in answer.items() if k not in ("id", "created_at", "completed_at", "output")} == \
            {k: v for k, v in answers[0].items() if k not in ("id", "created_at", "completed_at", "output")}
        stored = http.get(f"/responses/{answer['id']}").json()
        assert stored == {k: v for k, v in answer.items() if k != "billing"}  # what was sent, as a retrieval reads it
    journaled = [entry.response for entry in emu.requests if entry.path == "/v1/responses" and entry.method == "POST"]
    assert journaled == [http.get(f"/responses/{answer['id']}").json() for answer in answers]
    assert [len(response.content) for response in sent] == [len(sent[0].content)] * 3
