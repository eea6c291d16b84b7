"""A response's header lines written once, as the bytes the server sends (the served fast path).

uvicorn writes an ASGI response's head header by header: two regular-expression checks, a
`lower()`, three comparisons and a list extension for each, and an answer carries about fourteen.
The emulator knows its answers' headers, so its start messages carry them twice: as the ASGI
`headers` list that every server, middleware and test reads, and under `HEAD` as the lines ready to
write, checked once over the joined values (names once per family of answers). Only the emulator's own uvicorn protocol
(`served_protocol.py`) reads `HEAD`; other servers ignore a key they do not know.

`HEAD`'s value is `(headers, lines, length)`: a copy of the `headers` list the lines were made from
(a server writes the lines only while the message's `headers` are still equal to it: a middleware
that edits them, in place or in a new list, gets them written as it left them), the lines, and the
body's length (`None`: no `content-length`, the body is sent chunked).

Ready lines can also be made without a dict at all, by the code that knows their values are safe (the
standard headers and the rate limiter's: ids, integers, durations). Such an answer's headers travel as
those `bytes` (`Headers`), and a one-write answer goes to the server's own `write_answer` when `send` is
its unwrapped method (served_protocol.py): nothing else could see the messages, so none is built.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, Union

HEAD = "emulator.head"
RawHeaders = list[tuple[bytes, bytes]]
Head = tuple[RawHeaders, bytes, "int | None"]
# An answer's headers: names to values, or lines already written (`name: value\r\n` each) by code that
# knows the values are ready (digits, ids, durations).
Headers = Union[dict[str, str], bytes]
WRITE_ANSWER = "write_answer"  # the method a server's `send` may be bound to (served_protocol.ReadyHeadCycle)

# The lines are ready only when uvicorn would write the headers unchanged and do nothing else for
# them: names it would not refuse (its HEADER_RE) nor lower-case, values it would not refuse (its
# HEADER_VALUE_RE), and none of the names it acts on. Anything else leaves the head to uvicorn.
_NOT_READY_NAME = re.compile('[\x00-\x1f\x7f()<>@,;:\\[\\]={} \t\\\\"A-Z]')
_ACTED_ON = frozenset({"content-length", "transfer-encoding", "connection"})
# The bytes uvicorn allows in a value, deleted to see what is left (`bytes.translate`, in C).
_VALUE_BYTES = bytes(b for b in range(256) if not (b <= 0x08 or 0x0A <= b <= 0x1F or b == 0x7F))
_MAX_FAMILIES = 256


class _Family:
    """What the answers with one list of header names share: the names encoded, the lines as a
    template for the values (None when uvicorn must see these names), and the separators of the values."""

    __slots__ = ("names", "template", "separators")

    def __init__(self, names: tuple[str, ...]) -> None:
        self.names = tuple(name.encode("latin-1") for name in names)
        ready = not (_NOT_READY_NAME.search("".join(names)) or _ACTED_ON.intersection(names))
        self.template = b"".join(name.replace(b"%", b"%%") + b": %b\r\n" for name in self.names) if ready else None
        self.separators = b"\x00" * (len(names) - 1)


# One per family: a handful in practice (chat's JSON answers, its streams, ...), bounded all the same.
_family = lru_cache(maxsize=_MAX_FAMILIES)(_Family)


def encode_headers(headers: dict[str, str], lead: RawHeaders, lead_lines: bytes) -> tuple[RawHeaders, bytes | None]:
    """The ASGI header list (`lead`, extended with `headers` encoded) and the lines uvicorn would write for it
    (`lead_lines`: `lead` written by the caller from values it made), or None for the lines when
    uvicorn must see the headers itself.

    An answer family (the same names in the same order: chat's JSON answers, its streams, ...) is
    looked at once; each answer's values are joined, encoded and checked in one pass each (a value
    holds no NUL: uvicorn refuses it, so NUL separates them), not header by header."""
    names = tuple(headers)
    family = _family(names)
    values = "\x00".join(headers.values()).encode("latin-1")
    if family.template is None or values.translate(None, _VALUE_BYTES) != family.separators:
        lead.extend([(k.encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()])
        return lead, None
    split = values.split(b"\x00") if names else []
    # No `strict`: the values came from as many headers as names (the keyword alone costs a fifth of the list).
    # `lead` is the caller's own new list: extended, not copied. A `dict` (not any Mapping): the compiled
    # build reads its values natively.
    lead.extend(zip(family.names, split))  # noqa: B905
    return lead, lead_lines + family.template % tuple(split)


def pairs_of(lines: bytes) -> RawHeaders:
    """Ready lines as the ASGI header list (for whoever must see the headers themselves)."""
    pairs: RawHeaders = []
    for line in lines.split(b"\r\n")[:-1]:
        name, _, value = line.partition(b": ")
        pairs.append((name, value))
    return pairs


def as_dict(headers: Headers) -> dict[str, str]:
    """`headers` by name (ready lines decoded; a dict as it is)."""
    if isinstance(headers, dict):
        return headers
    return {name.decode("latin-1"): value.decode("latin-1") for name, value in pairs_of(headers)}


def encode_any(headers: Headers, lead: RawHeaders, lead_lines: bytes) -> tuple[RawHeaders, bytes | None]:
    """`encode_headers` for either form of `headers`: ready lines need no check."""
    if isinstance(headers, dict):
        return encode_headers(headers, lead, lead_lines)
    lead.extend(pairs_of(headers))
    return lead, lead_lines + headers


def start_message(status: int, headers: RawHeaders, lines: bytes | None,
                  length: int | None) -> dict[str, Any]:
    """The `http.response.start` message: `headers`, and `lines` under `HEAD` when there are some."""
    message: dict[str, Any] = {"type": "http.response.start", "status": status, "headers": headers}
    if lines is not None:
        message[HEAD] = (headers[:], lines, length)
    return message


def add_header(message: dict[str, Any], name: bytes, value: bytes) -> None:
    """Append a header to a start message (in a new `headers` list, as Starlette's middleware do), and
    to its ready lines when it has some. `name` and `value`: constants the caller knows are ready."""
    headers = [*message.get("headers", ()), (name, value)]
    head: Head | None = message.pop(HEAD, None)
    if head is not None and head[0] == message.get("headers"):
        message[HEAD] = (headers[:], head[1] + name + b": " + value + b"\r\n", head[2])
    message["headers"] = headers
