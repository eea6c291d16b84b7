"""API keys kept out of what the emulator shows (the inspector, the admin API, client-check findings):
only a key's last four characters, wherever a client put it (a header, the URL's query, the body)."""
from __future__ import annotations

import re
from urllib.parse import parse_qsl, quote

# Headers that carry a key by themselves (Azure's `api-key`, gateways' `x-api-key`).
KEY_HEADERS = ("api-key", "x-api-key")
KEY_FIELDS = {"api_key", "api-key", "apikey", "openai_api_key"}  # body fields that hold a key
KEY_PARAMS = KEY_FIELDS | {"key", "access_token", "token"}  # query parameters that do
SECRET = re.compile(r"\bsk-[A-Za-z0-9_\-]{8,}")  # an OpenAI-style key, whatever holds it


def masked(key: str) -> str:
    return f"...{key[-4:]}" if len(key) > 8 else "***"


def masked_headers(headers: dict[str, str]) -> dict[str, str]:
    """`Authorization` and the key headers with only their keys' last four characters."""
    out = dict(headers)
    auth = out.get("authorization")
    if auth:
        scheme, _, key = auth.partition(" ")
        out["authorization"] = f"{scheme} {masked(key)}"
    for name in KEY_HEADERS:
        if name in out:
            out[name] = masked(out[name])
    return out


def header_key(headers: dict[str, str]) -> str | None:
    """The key the request sent in its headers (`Authorization: Bearer …` or `api-key`), if any."""
    scheme, _, key = headers.get("authorization", "").partition(" ")
    return key.strip() or headers.get("api-key") or None


def is_key_param(name: str, value: str, key: str | None = None) -> bool:
    """A query parameter that holds a key: by its name, by its look, or being the headers' `key`."""
    return name.lower() in KEY_PARAMS or SECRET.search(value) is not None or (bool(key) and value == key)


def masked_query(query: str, key: str | None = None) -> str:
    """A URL's query string with the values of key-like parameters (`?api-key=`, `?key=`, `?api_key=`,
    a value that looks like a key or is the headers' `key`) masked; the other parameters as sent."""
    pairs = parse_qsl(query, keep_blank_values=True)
    if not any(is_key_param(name, value, key) for name, value in pairs):
        return query
    return "&".join(f"{quote(name, safe='')}="
                    f"{masked(value) if is_key_param(name, value, key) else quote(value, safe='')}"
                    for name, value in pairs)
