"""Identifiers in the live formats (docs/live-api.md#ids): `chatcmpl-` + 29, `call_` + 24, `req_` + 32 hex."""
from __future__ import annotations

import binascii
import hashlib
import os
import random
import string
import struct
from functools import lru_cache

ALNUM = string.ascii_letters + string.digits
_random = random.Random(os.urandom(16))
# A forked child (a process manager that forks after import) must not draw its parent's ids.
os.register_at_fork(after_in_child=lambda: _random.seed(os.urandom(16)))


# base64 of random bytes with its two symbols mapped to letters: alphanumeric, and ten times
# cheaper than drawing 29 characters one by one. The bytes come from the process's PRNG (seeded from
# os.urandom once): ids must be unique, not secret, and a getrandom syscall per id cost more than
# the rest of building the reply.
_B64_TO_ALNUM = bytes.maketrans(b"+/", b"xZ")


def completion_id() -> str:
    # `binascii` directly: `base64.b64encode` is a Python function around it, interpreted even when compiled.
    raw = _random.getrandbits(192).to_bytes(24, "big")
    return "chatcmpl-" + binascii.b2a_base64(raw, newline=False).translate(_B64_TO_ALNUM)[:29].decode()


def random_hex(length: int) -> str:
    """`length` random hex digits (the parts of Responses ids that are their own), from the same PRNG."""
    return "%0*x" % (length, _random.getrandbits(4 * length))


def hex_digits(length: int) -> bytes:
    """`random_hex` as ASCII bytes (as JSON holds them), `length` even: for ids written into bytes."""
    return binascii.hexlify(_random.getrandbits(4 * length).to_bytes(length // 2, "big"))


def request_id() -> str:
    # 32 hex digits. `getrandbits` (C) rather than `randbytes` (a Python method around it); `hex()` is
    # cheaper than formatting a 128-bit int.
    return "req_" + _random.getrandbits(128).to_bytes(16, "big").hex()


def tool_call_id(bits: int) -> str:
    """`call_` + 24 alphanumerics from 144 bits (the base64 of 18 bytes, as `completion_id` maps it): the
    built-in model passes bits drawn from the request's seed, so the same request gets the same ids."""
    return "call_" + binascii.b2a_base64(bits.to_bytes(18, "big"), newline=False).translate(_B64_TO_ALNUM).decode()


# The version of the built-in model's answers, part of every `system_fingerprint`: the live one marks
# "backend changes ... that might impact determinism" (the OpenAPI spec's description of the field),
# so a client that pins answers by `seed` can tell why they changed. 2: draws from the request's hash through splitmix64
# (docs/performance.md, "The built-in model's seed").
ANSWERS_VERSION = 2


@lru_cache(maxsize=256)  # one per model: a sha1 per request cost more than the rest of the ids
def system_fingerprint(model: str) -> str:
    """`fp_` + 10 hex, stable per model (as the live API's is per deployment) and answers version."""
    return "fp_" + hashlib.sha1(f"{model}\x1fanswers {ANSWERS_VERSION}".encode()).hexdigest()[:10]


def stable_seed(*parts: object) -> int:
    """A seed that is the same in every process (unlike `hash()`, which is salted)."""
    return text_seed("\x1f".join(map(str, parts)))


_FIRST_WORD = struct.Struct(">Q").unpack  # the digest as an integer, as `int.from_bytes(d, "big")` reads it


def text_seed(text: str) -> int:
    """`stable_seed`'s hash of its parts joined with `\x1f` (callers on the request path join them with an
    f-string, which formats each part as `str` does, in one step instead of a call per part)."""
    return _FIRST_WORD(hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8).digest())[0]
