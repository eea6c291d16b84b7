"""``/models``: the list, one model, and unknown models  (spec: `ListModelsResponse`, `Model`)."""

from __future__ import annotations

from emulator.conformance import expect
from emulator.conformance.context import Check, Context
from emulator.conformance.outcome import show

GROUP = "models"
MISSING = "gpt-conformance-no-such-model"


def models_list(ctx: Context) -> None:
    exchange = ctx.client.get("/models")
    body = expect.json_ok(exchange, "model_list")
    ids = [model["id"] for model in body["data"]]
    if ctx.strictness.live_extras and ctx.model not in ids:
        raise expect.failed(exchange, f"$.data[*].id: expected the configured model {show(ctx.model)} listed, got {show(ids)}")


def model_retrieve(ctx: Context) -> None:
    exchange = ctx.client.get(f"/models/{ctx.model}")
    body = expect.json_ok(exchange, "model")
    if body["id"] != ctx.model:
        raise expect.failed(exchange, f"$.id: expected {show(ctx.model)}, got {show(body['id'])}")


def model_retrieve_missing(ctx: Context) -> None:
    exchange = ctx.client.get(f"/models/{MISSING}")
    expect.error(ctx, exchange, 404, expect.ANY, expect.ANY, "model_not_found")


def chat_unknown_model(ctx: Context) -> None:
    exchange = ctx.client.create(ctx.request() | {"model": MISSING})
    expect.error(ctx, exchange, 404, f"The model `{MISSING}` does not exist or you do not have access to it.",
                 None, "model_not_found")


CHECKS = [
    Check("models_list", GROUP, "GET /models → a ListModelsResponse that lists the configured model", models_list),
    Check("model_retrieve", GROUP, "GET /models/{model} → a Model with that id", model_retrieve),
    Check("model_retrieve_missing", GROUP, "GET /models/{unknown} → 404 model_not_found", model_retrieve_missing),
    Check("chat_unknown_model", GROUP, "a create request for an unknown model → 404 model_not_found, id in backticks",
          chat_unknown_model),
]
