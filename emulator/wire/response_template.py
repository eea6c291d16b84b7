"""A Response rendered once, then stamped with each answer's own ids and timestamps.

The built-in model's reply to a body is remembered (`model/memo.py`), and a Response echoes its
request, so the same body always renders the same bytes except for the response id, its items' ids
(with the `encrypted_content` made from a reasoning item's id) and `created_at`/`completed_at`. A
`ResponseTemplate` renders the object, its stored form and its events once with marks in those places
and keeps them on the reply; each answer fills the marks in.

A mark is a JSON string holding NUL and a nonce drawn when the process starts, so no text of a request
or reply can spell one: JSON escapes NUL, and the nonce is never sent.
"""
from __future__ import annotations

import re
import secrets
from time import time as _now
from typing import Any

from ..contract.responses_input import ID_PREFIXES
from ..contract.responses_request import RESPONSE_HEX, ResponsesRequest
from ..ids import hex_digits, random_hex
from ..json_text import json_bytes, quick_json_bytes
from ..reply import Reply
from .response_events import Chunking, stream_events
from .response_object import encrypted_content, final_status, output_items, response_dict, with_billing

_NONCE = secrets.token_hex(6)
_MARK = re.compile(rb'("\\u0000' + _NONCE.encode() + rb'([a-z0-9]+)\\u0000")')
_MARK_LEAD, _MARK_END = b'"\\u0000' + _NONCE.encode(), b'\\u0000"'  # a mark's JSON around its name
_BACKGROUND = b',"background":'
_BILLING = b'"billing":{"payer":"developer"},'
MAX_TEMPLATES = 4  # per reply: one per chunk size a client asks for (x-emulator-chunk-tokens), oldest dropped


def _mark(name: str) -> str:
    return f"\x00{_NONCE}{name}\x00"


class Stamp:
    """Bytes with named holes (the marks), filled per answer."""

    __slots__ = ("_parts", "names")

    def __init__(self, rendered: bytes, parts: list[bytes] | None = None) -> None:
        if parts is None:  # literal, hole name, literal, ...: cut at each mark's lead (C), not by a regex
            pieces = rendered.split(_MARK_LEAD)
            parts = [pieces[0]]
            for piece in pieces[1:]:
                end = piece.index(_MARK_END)
                parts += (piece[:end], piece[end + len(_MARK_END):])
        self._parts = parts
        self.names = tuple(parts[index].decode() for index in range(1, len(parts), 2))

    def billed(self) -> Stamp | None:
        """The same bytes with `billing` right after `background` (a non-streamed body carries it; the
        stored object does not), or None if this is no response object. `background`'s value (a
        boolean) and the keys before it (a literal `status` and holes) hold no comma, and none of them
        can spell the key."""
        parts = self._parts
        for index in range(0, len(parts), 2):
            at = parts[index].find(_BACKGROUND)
            if at >= 0:
                comma = parts[index].index(b",", at + len(_BACKGROUND)) + 1
                billed = parts.copy()
                billed[index] = parts[index][:comma] + _BILLING + parts[index][comma:]
                return Stamp(b"", billed)
        return None

    def fill(self, values: dict[str, bytes]) -> bytes:
        return self.fill_in(list(map(values.__getitem__, self.names)))

    def fill_in(self, holes: list[bytes]) -> bytes:
        """The bytes with `holes` (the values of `names`, in order) filled in: one slice assignment and
        one join, whatever the number of holes."""
        if not holes:
            return self._parts[0]
        parts = self._parts.copy()
        parts[1::2] = holes
        return b"".join(parts)


class StampedEvents:
    """A stream's events with holes, filled in one pass over all of them and cut apart again: the
    events' bounds are fixed by the values' lengths, which are the same answer after answer (ids of
    fixed length, ten-digit times), so they are worked out once per set of lengths."""

    __slots__ = ("_whole", "_holes", "_sizes", "_bounds")

    def __init__(self, events: list[bytes]) -> None:
        self._whole = Stamp(b"".join(events))
        self._holes = [[(name.decode(), len(mark)) for mark, name in _MARK.findall(e)] for e in events]
        self._sizes = [len(event) for event in events]
        self._bounds: tuple[tuple[int, ...], list[tuple[int, int]]] | None = None

    def fill(self, values: dict[str, bytes]) -> list[bytes]:
        whole = self._whole.fill(values)
        lengths = tuple(map(len, values.values()))
        if self._bounds is None or self._bounds[0] != lengths:
            self._bounds = lengths, self._cut(values)
        return [whole[start:end] for start, end in self._bounds[1]]

    def _cut(self, values: dict[str, bytes]) -> list[tuple[int, int]]:
        bounds, start = [], 0
        for size, holes in zip(self._sizes, self._holes, strict=True):
            end = start + size + sum(len(values[name]) - marked for name, marked in holes)
            bounds.append((start, end))
            start = end
        return bounds


class Stamped:
    """One answer's own values (what fills the marks) and its response id; the objects they complete
    are built only when asked for (a scripted failure, or a journal entry that is read)."""

    __slots__ = ("values", "rid", "_template", "_ids", "_created", "_completed")

    def __init__(self, values: dict[str, bytes], rid: str, template: ResponseTemplate, ids: list[str],
                 created: int, completed: int) -> None:
        self.values, self.rid, self._template, self._ids = values, rid, template, ids
        self._created, self._completed = created, completed

    @property
    def final(self) -> dict[str, Any]:
        """The final object (as stored and journaled)."""
        template = self._template
        output = []
        for index, item in enumerate(template._final["output"]):
            own = {**item, "id": self._ids[index]}
            if template._encrypted[index]:
                own["encrypted_content"] = encrypted_content(self._ids[index])
            output.append(own)
        return {**template._final, "id": self.rid, "created_at": self._created, "completed_at": self._completed,
                "output": output}

    @property
    def initial(self) -> dict[str, Any]:
        """As `response.created` shows it (a failing stream ends with it, failed): streams only."""
        assert self._template._initial is not None
        return {**self._template._initial, "id": self.rid, "created_at": self._created}


class ResponseTemplate:
    """The Response to `req` with `reply`, for every answer to the same body."""

    def __init__(self, req: ResponsesRequest, reply: Reply, chunk_tokens: int) -> None:
        self.raw_key = req.chat.raw_key
        self.chunk_tokens = chunk_tokens
        status, incomplete = final_status(reply)
        marks: list[str] = []  # the items' ids: their holes

        def own_id(kind: str) -> str:
            marks.append(_mark(f"id{len(marks)}"))
            return marks[-1]

        items = output_items(req, reply, own_id)
        self._kinds = [item["type"] for item in items]
        self._prefixes = [ID_PREFIXES.get(kind, "item") for kind in self._kinds]  # as `item_id` spells them
        # Each id's JSON up to its hex (the response's first), for `plain_answer`.
        self._leads = [b'"resp_', *(b'"%s_' % prefix.encode() for prefix in self._prefixes)]
        self._encrypted = ["encrypted_content" in item for item in items]
        for index, item in enumerate(items):
            if self._encrypted[index]:
                item["encrypted_content"] = _mark(f"enc{index}")
        rid, created = _mark("rid"), _mark("created")
        self._final = response_dict(req, rid, created, status=status, output=items, reply=reply,
                                    incomplete_details=incomplete, completed_at=_mark("completed"))
        # As `response.created` shows it: for streams and background bodies (and a stream's failure) only.
        self._initial = response_dict(req, rid, created, status="queued" if req.background else "in_progress",
                                      output=[]) if req.stream or req.background else None
        # Logprobs and annotations may come from a scenario file, whose numbers need not be finite
        # (`quick_json_bytes`); the rest is the request's echo (finite) and the reply's text.
        choice = reply.choices[0]
        exact = bool(choice.logprobs or choice.annotations)
        self.stored = Stamp(json_bytes(self._final) if exact else quick_json_bytes(self._final))
        self.body: Stamp | None = None
        self.events: StampedEvents | None = None
        if req.background and not req.stream:
            assert self._initial is not None
            self.body = Stamp(json_bytes(self._initial))
        elif not req.stream:
            self.body = self.stored.billed() or Stamp(json_bytes(with_billing(self._final)))
        else:
            assert self._initial is not None
            obfuscate = req.include_obfuscation and not req.background  # background streams carry none
            # The padding is drawn once per template, as chat's stream templates keep theirs.
            events = stream_events(self._initial, self._final, Chunking(reply.tokenizer, chunk_tokens),
                                   obfuscate=obfuscate)
            self.events = StampedEvents(events)
        # A plain body has the stored object's holes in the same order (`billing` is a literal): the
        # answer's values are then listed once for both.
        self.body_like_stored = self.body is not None and self.body.names == self.stored.names
        # ... and without encrypted content, in the order `plain_answer` lists them.
        self.plain = self.body_like_stored and self.stored.names == (
            "rid", "created", "completed", *(f"id{index}" for index in range(len(items))))

    def plain_answer(self, hexes: bytes) -> tuple[str, bytes, bytes]:
        """For a `plain` template: the response id, the body and the stored object, stamped with the
        request's draw (`ResponsesRequest.hexes`: the stem its ids share, and last the response's own hex,
        for its id and one item; more items draw more), without the objects a failure would need."""
        tails = hexes[-RESPONSE_HEX:]
        if len(self._leads) * 34 > RESPONSE_HEX:
            tails += hex_digits(len(self._leads) * 34 - RESPONSE_HEX)
        head = hexes[:16]
        rid = b"resp_" + head + tails[:34]
        time = b"%d" % int(_now())  # created and completed in the same second: the built-in answer is immediate
        holes = [b'"%s"' % rid, time, time]
        for index in range(1, len(self._leads)):
            holes.append(self._leads[index] + head + tails[34 * index:34 * index + 34] + b'"')
        assert self.body is not None
        return rid.decode(), self.body.fill_in(holes), self.stored.fill_in(holes)

    def stamp(self, stem: str, created: int, completed: int) -> Stamped:
        """This answer's ids (sharing `stem`, as live ids do) and times. The ids' own hex (the response
        id's 34, then each item's) comes from one draw."""
        head, count = stem[:16], len(self._prefixes)
        tails = random_hex(34 * (count + 1))
        rid = f"resp_{head}{tails[:34]}"
        values = {"rid": f'"{rid}"'.encode(), "created": b"%d" % created, "completed": b"%d" % completed}
        ids = []
        for index, prefix in enumerate(self._prefixes):
            own_id = f"{prefix}_{head}{tails[34 * index + 34:34 * index + 68]}"
            ids.append(own_id)
            values[f"id{index}"] = f'"{own_id}"'.encode()
            if self._encrypted[index]:
                values[f"enc{index}"] = b'"%s"' % encrypted_content(own_id).encode()
        return Stamped(values, rid, self, ids, created, completed)


def template_for(req: ResponsesRequest, reply: Reply, chunk_tokens: int) -> ResponseTemplate:
    """The reply's template for this body, made and kept on first use. Only a body known byte for byte
    (`raw_key`: the conversation is all in it) is reused: a chained request's echo depends on the store."""
    key = ("response", chunk_tokens)
    kept = reply.rendered.get(key)
    if kept is not None and req.chat.raw_key is not None and kept.raw_key == req.chat.raw_key:
        return kept
    template = ResponseTemplate(req, reply, chunk_tokens)
    if req.chat.raw_key is not None:
        ours = [k for k in list(reply.rendered) if isinstance(k, tuple) and k[0] == "response"]  # an atomic copy
        for old in ours[: max(len(ours) + 1 - MAX_TEMPLATES, 0)]:
            reply.rendered.pop(old, None)
        reply.rendered[key] = template
    return template
