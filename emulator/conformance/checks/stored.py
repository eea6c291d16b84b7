"""Stored completions: create with ``store``, list with pagination, retrieve, update, delete, messages (docs/live-api.md#objects)."""

from __future__ import annotations

from typing import Any

from emulator.conformance import expect
from emulator.conformance.context import Check, Context
from emulator.conformance.outcome import show

GROUP = "stored"
PAGES_AT_MOST = 100
PROMPT = "Say hello in five words."


def create_stored(ctx: Context, tag: str) -> dict[str, Any]:
    body = ctx.request(PROMPT, store=True, metadata={"conformance_run": ctx.run_id, "tag": tag})
    return expect.json_ok(ctx.client.create(body), "chat_completion")


def stored_one(ctx: Context) -> dict[str, Any]:
    return ctx.once("stored.one", lambda: create_stored(ctx, "one"))


def stored_retrieve(ctx: Context) -> None:
    created = stored_one(ctx)
    exchange = ctx.client.get(f"/chat/completions/{created['id']}")
    body = expect.json_ok(exchange, "chat_completion")
    for path, want, got in (("$.id", created["id"], body["id"]),
                            ("$.choices[0].message.content", created["choices"][0]["message"]["content"],
                             body["choices"][0]["message"]["content"])):
        if want != got:
            raise expect.failed(exchange, f"{path}: expected {show(want)} as created, got {show(got)}")


def stored_list_pagination(ctx: Context) -> None:
    created = [create_stored(ctx, f"page{i}")["id"] for i in range(3)]
    params: dict[str, Any] = {"limit": 2, "order": "asc", "metadata[conformance_run]": ctx.run_id}
    seen: list[str] = []
    for _ in range(PAGES_AT_MOST):
        exchange = ctx.client.get("/chat/completions", params=params)
        page = expect.json_ok(exchange, "chat_completion_list")
        ids = [item["id"] for item in page["data"]]
        if len(ids) > 2:
            raise expect.failed(exchange, f"$.data: expected at most limit=2 items, got {len(ids)}")
        if ids and (page["first_id"], page["last_id"]) != (ids[0], ids[-1]):
            raise expect.failed(exchange, f"$.first_id/$.last_id: expected {show([ids[0], ids[-1]])}, "
                                          f"got {show([page['first_id'], page['last_id']])}")
        repeated = [i for i in ids if i in seen]
        if repeated:
            raise expect.failed(exchange, f"$.data: expected each completion once across pages, got {show(repeated[0])} again")
        seen += ids
        if not page["has_more"] or not ids:
            break
        params["after"] = ids[-1]
    missing = [i for i in created if i not in seen]
    if missing:
        raise expect.failed(exchange, f"paging with limit=2 and after=: expected the stored {show(missing[0])}, got only {show(seen)}")
    if [i for i in seen if i in created] != created:
        raise expect.failed(exchange, f"order=asc: expected {show(created)} in creation order, got {show([i for i in seen if i in created])}")


def stored_update(ctx: Context) -> None:
    completion_id = stored_one(ctx)["id"]
    metadata = {"conformance_run": ctx.run_id, "tag": "updated"}
    exchange = ctx.client.request("POST", f"/chat/completions/{completion_id}", {"metadata": metadata})
    body = expect.json_ok(exchange, "chat_completion")
    if body.get("metadata") != metadata:
        raise expect.failed(exchange, f"$.metadata: expected {show(metadata)}, got {show(body.get('metadata'))}")
    again = ctx.client.get(f"/chat/completions/{completion_id}")
    if expect.json_ok(again, "chat_completion").get("metadata") != metadata:
        raise expect.failed(again, f"$.metadata after the update: expected {show(metadata)}, got {show(again.json().get('metadata'))}")


def stored_messages(ctx: Context) -> None:
    completion_id = stored_one(ctx)["id"]
    exchange = ctx.client.get(f"/chat/completions/{completion_id}/messages")
    body = expect.json_ok(exchange, "chat_completion_message_list")
    contents = [item.get("content") for item in body["data"]]
    if PROMPT not in contents:
        raise expect.failed(exchange, f"$.data[*].content: expected the stored user message {show(PROMPT)}, got {show(contents)}")
    if ctx.strictness.live_extras:
        for i, item in enumerate(body["data"]):
            if not item["id"].startswith(completion_id + "-"):
                raise expect.failed(exchange, f"$.data[{i}].id: expected '{completion_id}-<n>', got {show(item['id'])}")


def stored_delete(ctx: Context) -> None:
    completion_id = create_stored(ctx, "delete")["id"]
    exchange = ctx.client.request("DELETE", f"/chat/completions/{completion_id}")
    body = expect.json_ok(exchange, "chat_completion_deleted")
    if (body["id"], body["deleted"]) != (completion_id, True):
        raise expect.failed(exchange, f"$: expected id {show(completion_id)} and deleted true, got {show(body)}")
    expect.error(ctx, ctx.client.get(f"/chat/completions/{completion_id}"), 404, expect.ANY, expect.ANY, expect.ANY)


def stored_not_found(ctx: Context) -> None:
    exchange = ctx.client.get("/chat/completions/chatcmpl-conformanceNoSuchCompletion")
    expect.error(ctx, exchange, 404, expect.ANY, expect.ANY, expect.ANY)


def stored_requires_store(ctx: Context) -> None:
    created = expect.json_ok(ctx.client.create(ctx.request(PROMPT)), "chat_completion")
    exchange = ctx.client.get(f"/chat/completions/{created['id']}")
    expect.error(ctx, exchange, 404, expect.ANY, expect.ANY, expect.ANY)


CHECKS = [
    Check("stored_retrieve", GROUP, "store: true → GET /chat/completions/{id} returns the same completion", stored_retrieve),
    Check("stored_list_pagination", GROUP, "GET /chat/completions pages with limit and after, each completion once, in order",
          stored_list_pagination),
    Check("stored_update", GROUP, "POST /chat/completions/{id} with metadata updates it", stored_update),
    Check("stored_messages", GROUP, "GET /chat/completions/{id}/messages lists the stored input messages", stored_messages),
    Check("stored_delete", GROUP, "DELETE /chat/completions/{id} → chat.completion.deleted, then 404", stored_delete),
    Check("stored_not_found", GROUP, "GET /chat/completions/{unknown} → 404 error envelope", stored_not_found),
    Check("stored_requires_store", GROUP, "a completion created without store cannot be retrieved (404)", stored_requires_store),
]
