"""Authentication errors: a missing key and a rejected key (texts in contract/errors.py)."""

from __future__ import annotations

from emulator.conformance import expect
from emulator.conformance.context import Check, Context
from emulator.conformance.outcome import CheckSkipped

GROUP = "auth"

NO_KEY = (
    "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth "
    "(i.e. Authorization: Bearer YOUR_KEY), or as the password field (with blank username) if you're accessing the API "
    "from your browser and are prompted for a username and password. You can obtain an API key from "
    "https://platform.openai.com/account/api-keys."
)
BAD_KEY = "sk-conformance-invalid-key-0000000000000000000000000000"


def masked(key: str) -> str:
    """The live API shows a rejected key as its first 8 characters, asterisks, and its last 4."""
    return key[:8] + "*" * (len(key) - 12) + key[-4:]


def incorrect_key_message(key: str) -> str:
    return f"Incorrect API key provided: {masked(key)}. You can find your API key at https://platform.openai.com/account/api-keys."


def missing_key(ctx: Context) -> None:
    exchange = ctx.client.create(ctx.request(), auth=False)
    expect.error(ctx, exchange, 401, NO_KEY, None, None)


def missing_key_models(ctx: Context) -> None:
    exchange = ctx.client.get("/models", auth=False)
    expect.error(ctx, exchange, 401, NO_KEY, None, None)


def invalid_key(ctx: Context) -> None:
    exchange = ctx.client.create(ctx.request(), api_key=BAD_KEY)
    if exchange.status == 200:
        raise CheckSkipped("the server accepts any API key")
    expect.error(ctx, exchange, 401, incorrect_key_message(BAD_KEY), None, "invalid_api_key")


CHECKS = [
    Check("missing_key", GROUP, "no Authorization header → 401 with the live 'didn't provide an API key' text", missing_key),
    Check("missing_key_models", GROUP, "no Authorization header on GET /models → 401", missing_key_models),
    Check("invalid_key", GROUP, "a rejected key → 401 invalid_api_key with the key masked (skips if any key is accepted)",
          invalid_key),
]
