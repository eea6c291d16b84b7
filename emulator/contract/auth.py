"""Reading the caller's API key: one rule for every route, under every profile.

The live API takes `Authorization: Bearer KEY`. A profile may name one more header that carries
the key by itself (Azure's `api-key`, which the Azure SDKs send instead of a Bearer token); when
it is sent, it is the key on every route.
"""
from __future__ import annotations

import hmac
from typing import Mapping

from . import errors


def bearer_token(headers: Mapping[str, str]) -> str:
    """The token of `Authorization: Bearer TOKEN`, or "" when there is none."""
    scheme, _, token = headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def sent_key(headers: Mapping[str, str], key_header: str | None = None) -> str:
    """The key the caller sent: `key_header`'s value when sent, else the Bearer token."""
    if key_header is not None:
        key = headers.get(key_header, "").strip()
        if key:
            return key
    return bearer_token(headers)


def read_api_key(headers: Mapping[str, str], accepted: tuple[str, ...], key_header: str | None = None) -> str:
    """The caller's key, or the live 401 (no key; a key not in `accepted`, when keys are configured)."""
    key = sent_key(headers, key_header)
    if not key:
        raise errors.missing_api_key()
    if accepted and not is_accepted(key, accepted):
        raise errors.incorrect_api_key(key)
    return key


def is_accepted(key: str, accepted: tuple[str, ...]) -> bool:
    """Whether `key` is one of `accepted`, in time that does not depend on how much of it matches: each
    candidate is compared in constant time, and all of them are compared."""
    given = key.encode("utf-8", "surrogatepass")
    found = False
    for candidate in accepted:
        found |= hmac.compare_digest(given, candidate.encode("utf-8", "surrogatepass"))
    return found
