"""Stored completions through the official SDK: create with `store: true`, then list, retrieve,
update, delete and list messages, per API key, in memory and in a `--store` SQLite file."""
from __future__ import annotations

import threading

import openai
import pytest

from emulator import Emulator
from emulator.cli import _settings, build_parser

USER = [{"role": "user", "content": "write a haiku about ai"}]


def store(client: openai.OpenAI, text: str = "hello", **fields):
    return client.chat.completions.create(
        model=fields.pop("model", "gpt-4o-mini"), messages=[{"role": "user", "content": text}], store=True, **fields)


def test_a_stored_completion_can_be_retrieved_with_its_metadata_and_request_fields(client):
    created = store(client, metadata={"team": "evals"}, temperature=0.5, seed=7)
    got = client.chat.completions.retrieve(created.id)
    assert got.id == created.id
    assert got.choices[0].message.content == created.choices[0].message.content
    assert got.usage.prompt_tokens == created.usage.prompt_tokens
    assert got.metadata == {"team": "evals"}
    extra = got.model_extra
    assert extra["temperature"] == 0.5 and extra["seed"] == 7 and extra["top_p"] == 1.0
    assert extra["request_id"].startswith("req_")


def test_completions_without_store_are_not_visible(client):
    created = client.chat.completions.create(model="gpt-4o-mini", messages=USER)
    with pytest.raises(openai.NotFoundError) as caught:
        client.chat.completions.retrieve(created.id)
    assert caught.value.body == {"message": f"No chat completion found with id '{created.id}'.",
                                 "type": "invalid_request_error", "param": None, "code": None}
    assert list(client.chat.completions.list()) == []


def test_list_pages_through_every_stored_completion_with_the_auto_pager(client):
    ids = [store(client, f"message {i}").id for i in range(5)]
    first = client.chat.completions.list(limit=2)
    assert [c.id for c in first.data] == ids[:2]
    assert first.has_more is True
    assert [c.id for c in client.chat.completions.list(limit=2)] == ids  # iterating follows `after`
    assert [c.id for c in client.chat.completions.list(limit=2, order="desc")] == ids[::-1]
    last = client.chat.completions.list(limit=2, after=ids[3])
    assert [c.id for c in last.data] == ids[4:] and last.has_more is False


def test_list_envelope_has_first_and_last_ids(http, client):
    ids = [store(client).id for _ in range(3)]
    body = http.get("/chat/completions", params={"limit": 2}).json()
    assert body["object"] == "list"
    assert (body["first_id"], body["last_id"], body["has_more"]) == (ids[0], ids[1], True)


def test_list_filters_by_model_and_metadata(client):
    a = store(client, metadata={"suite": "a", "run": "1"})
    b = store(client, metadata={"suite": "b", "run": "1"})
    c = store(client, model="gpt-4.1-nano", metadata={"suite": "a", "run": "2"})
    assert [x.id for x in client.chat.completions.list(metadata={"suite": "a"})] == [a.id, c.id]
    assert [x.id for x in client.chat.completions.list(metadata={"suite": "a", "run": "1"})] == [a.id]
    assert [x.id for x in client.chat.completions.list(model="gpt-4.1-nano")] == [c.id]
    assert [x.id for x in client.chat.completions.list(model="gpt-4o-mini-2024-07-18")] == [a.id, b.id]


def test_update_replaces_metadata_and_nothing_else(client):
    created = store(client, metadata={"a": "1"})
    updated = client.chat.completions.update(created.id, metadata={"b": "2"})
    assert updated.metadata == {"b": "2"}
    assert updated.choices[0].message.content == created.choices[0].message.content
    assert client.chat.completions.retrieve(created.id).metadata == {"b": "2"}
    assert [x.id for x in client.chat.completions.list(metadata={"b": "2"})] == [created.id]


def test_update_checks_metadata_like_create(client, http):
    created = store(client)
    with pytest.raises(openai.BadRequestError) as caught:
        client.chat.completions.update(created.id, metadata={f"k{i}": "v" for i in range(17)})
    assert caught.value.code == "object_above_max_properties" and caught.value.param == "metadata"
    missing = http.post(f"/chat/completions/{created.id}", json={})
    assert missing.status_code == 400 and missing.json()["error"]["param"] == "metadata"
    other = http.post(f"/chat/completions/{created.id}", json={"metadata": {}, "model": "gpt-4o"})
    assert other.json()["error"]["code"] == "unknown_parameter"
    with pytest.raises(openai.NotFoundError):
        client.chat.completions.update("chatcmpl-nope", metadata={"a": "b"})


def test_delete_removes_a_stored_completion(client):
    created = store(client)
    deleted = client.chat.completions.delete(created.id)
    assert (deleted.object, deleted.id, deleted.deleted) == ("chat.completion.deleted", created.id, True)
    with pytest.raises(openai.NotFoundError):
        client.chat.completions.retrieve(created.id)
    with pytest.raises(openai.NotFoundError):
        client.chat.completions.delete(created.id)


def test_messages_list_shows_the_request_messages_with_ids(client):
    parts = [{"type": "text", "text": "look "}, {"type": "text", "text": "here"}]
    created = client.chat.completions.create(model="gpt-4o-mini", store=True, messages=[
        {"role": "system", "content": "be brief"}, {"role": "user", "content": parts}])
    page = client.chat.completions.messages.list(created.id)
    assert [m.id for m in page.data] == [f"{created.id}-0", f"{created.id}-1"]
    assert page.data[0].role == "system" and page.data[0].content == "be brief"
    assert page.data[0].content_parts is None
    assert page.data[1].content == "look here"
    assert [p.text for p in page.data[1].content_parts] == ["look ", "here"]
    assert [m.id for m in client.chat.completions.messages.list(created.id, limit=1)] == [
        f"{created.id}-0", f"{created.id}-1"]
    assert [m.id for m in client.chat.completions.messages.list(created.id, order="desc").data] == [
        f"{created.id}-1", f"{created.id}-0"]
    with pytest.raises(openai.NotFoundError):
        client.chat.completions.messages.list("chatcmpl-nope")


def test_streamed_completions_are_stored_as_their_assembled_response(client):
    stream = client.chat.completions.create(model="gpt-4o-mini", messages=USER, store=True, stream=True)
    chunks = list(stream)
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    got = client.chat.completions.retrieve(chunks[0].id)
    assert got.object == "chat.completion" and got.choices[0].message.content == text


def test_stored_completions_are_per_api_key(emu, client):
    other = openai.OpenAI(base_url=emu.base_url, api_key="sk-someone-else", max_retries=0)
    mine = store(client)
    theirs = store(other)
    assert [c.id for c in client.chat.completions.list()] == [mine.id]
    assert [c.id for c in other.chat.completions.list()] == [theirs.id]
    with pytest.raises(openai.NotFoundError):
        other.chat.completions.retrieve(mine.id)
    with pytest.raises(openai.NotFoundError):
        other.chat.completions.delete(mine.id)
    assert client.chat.completions.retrieve(mine.id).id == mine.id


@pytest.mark.parametrize("params, param, code", [
    ({"limit": 0}, "limit", "integer_below_min_value"),
    ({"limit": 101}, "limit", "integer_above_max_value"),
    ({"limit": "many"}, "limit", "invalid_type"),
    ({"order": "sideways"}, "order", "invalid_value"),
])
def test_list_query_errors_use_the_live_grammar(http, params, param, code):
    response = http.get("/chat/completions", params=params)
    assert response.status_code == 400
    error = response.json()["error"]
    assert (error["param"], error["code"], error["type"]) == (param, code, "invalid_request_error")


def test_stored_completions_survive_a_restart_with_a_store_file(tmp_path):
    path = tmp_path / "completions.sqlite"
    args = build_parser().parse_args(["serve", "--port", "0", "--store", str(path), "--no-access-log"])
    with Emulator(_settings(args)) as first:
        client = openai.OpenAI(base_url=first.base_url, api_key="sk-a", max_retries=0)
        kept = store(client, metadata={"keep": "yes"})
        gone = store(client)
        client.chat.completions.delete(gone.id)
        first.reset()  # a reset never wipes the file
    with Emulator(_settings(args)) as second:
        client = openai.OpenAI(base_url=second.base_url, api_key="sk-a", max_retries=0)
        assert [c.id for c in client.chat.completions.list()] == [kept.id]
        assert client.chat.completions.retrieve(kept.id).metadata == {"keep": "yes"}
        assert [m.id for m in client.chat.completions.messages.list(kept.id)] == [f"{kept.id}-0"]
        other = openai.OpenAI(base_url=second.base_url, api_key="sk-b", max_retries=0)
        assert list(other.chat.completions.list()) == []


@pytest.mark.parametrize("backend", ["memory", "sqlite"])
def test_concurrent_writes_lose_nothing(tmp_path, backend):
    path = tmp_path / "c.sqlite" if backend == "sqlite" else None
    with Emulator(port=0, access_log=False, store_path=path) as emu:
        created: list[str] = []
        lock = threading.Lock()

        def worker(n: int) -> None:
            client = openai.OpenAI(base_url=emu.base_url, api_key="sk-concurrent", max_retries=0)
            for i in range(5):
                cid = store(client, f"worker {n} message {i}", metadata={"worker": str(n)}).id
                client.chat.completions.update(cid, metadata={"worker": str(n), "i": str(i)})
                with lock:
                    created.append(cid)

        threads = [threading.Thread(target=worker, args=(n,)) for n in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        client = openai.OpenAI(base_url=emu.base_url, api_key="sk-concurrent", max_retries=0)
        listed = list(client.chat.completions.list(limit=100))
        assert sorted(c.id for c in listed) == sorted(created) and len(created) == 30
        assert all(c.metadata["worker"] and "i" in c.metadata for c in listed)


@pytest.mark.parametrize("backend", ["memory", "sqlite"])
def test_the_cap_evicts_the_oldest(tmp_path, backend):
    path = tmp_path / "cap.sqlite" if backend == "sqlite" else None
    with Emulator(port=0, access_log=False, store_path=path, store_cap=3) as emu:
        client = openai.OpenAI(base_url=emu.base_url, api_key="sk-cap", max_retries=0)
        ids = [store(client, f"m{i}").id for i in range(5)]
        assert [c.id for c in client.chat.completions.list()] == ids[2:]
        with pytest.raises(openai.NotFoundError):
            client.chat.completions.retrieve(ids[0])


async def test_the_async_client_pages_and_manages_stored_completions(async_client):
    ids = [(await async_client.chat.completions.create(
        model="gpt-4o-mini", messages=USER, store=True, metadata={"n": str(i)})).id for i in range(3)]
    assert [c.id async for c in async_client.chat.completions.list(limit=1)] == ids
    updated = await async_client.chat.completions.update(ids[1], metadata={"n": "one"})
    assert updated.metadata == {"n": "one"}
    assert [m.id async for m in async_client.chat.completions.messages.list(ids[0])] == [f"{ids[0]}-0"]
    assert (await async_client.chat.completions.delete(ids[2])).deleted is True
    assert [c.id async for c in async_client.chat.completions.list()] == ids[:2]


def test_closing_the_emulator_releases_the_store_file(tmp_path):
    import sqlite3

    from emulator import Emulator

    with Emulator(store_path=tmp_path / "store.sqlite") as emu:
        store = emu.state.store
        assert store.get("sk", "chatcmpl-none") is None
    with pytest.raises(sqlite3.ProgrammingError):  # the connection is closed with the emulator
        store.get("sk", "chatcmpl-none")
