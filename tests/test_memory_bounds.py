"""What one client can make the server keep is bounded: the reply memo in bytes, the stream
templates of one reply, the sequence positions of namespaces (docs/security.md)."""
from __future__ import annotations

import json

import openai

from emulator.contract.models import ModelCatalogue
from emulator.contract.validate import validate_chat_request
from emulator.model import memo as memo_module
from emulator.model.memo import ReplyMemo, Sightings, reply_bytes
from emulator.reply import Choice, Reply, TokenLogprob, Usage
from emulator.scenarios import NAMESPACE_HEADER
from emulator.scenarios import positions
from emulator.wire.stamped import MAX_STREAM_TEMPLATES, sse_events

HELLO = [{"role": "user", "content": "hello"}]
CATALOGUE = ModelCatalogue.builtin()


def _reply(tokens: int, top: int = 0) -> Reply:
    words = [" word"] * tokens
    logprobs = [TokenLogprob(t, -0.1, [(t, -0.1)] * top) for t in words] if top else None
    choice = Choice(0, content="".join(words), tokens=words, logprobs=logprobs)
    return Reply(choices=[choice], usage=Usage(1, tokens), model="gpt-4o-2024-08-06")


def _remember(memo: ReplyMemo, index: int, reply: Reply) -> Reply:
    """Sends a request twice: a reply is kept the second time (model/memo.py)."""
    body = {"model": "gpt-4o", "messages": [{"role": "user", "content": f"hello {index}"}]}
    request = validate_chat_request(body, CATALOGUE)
    request.raw_key = (json.dumps(body).encode(), "openai", "/v1/chat/completions")
    memo.reply(request, lambda _: reply)
    return memo.reply(request, lambda _: reply)


def test_the_memo_keeps_replies_up_to_its_byte_bound():
    memo = ReplyMemo(max_replies=1000, max_bytes=2 * 1024 * 1024)
    heavy = _reply(100, top=5)  # about half a megabyte with its renderings
    for index in range(200):
        _remember(memo, index, heavy)
    assert 0 < memo.bytes <= memo.max_bytes
    assert len(memo._replies) == memo.bytes // reply_bytes(heavy)  # the least recently used went first


def test_a_reply_heavier_than_the_per_reply_bound_is_not_kept():
    memo = ReplyMemo()
    huge = _reply(4000, top=20)
    assert reply_bytes(huge) > memo_module.MAX_REPLY_BYTES
    assert _remember(memo, 1, huge) is huge
    assert memo.bytes == 0
    rebuilt = _reply(1)
    assert _remember(memo, 1, rebuilt) is rebuilt  # built again, not remembered


def test_a_reply_keeps_a_bounded_number_of_stream_renderings():
    reply = _reply(12)
    for chunk_tokens in range(1, 11):
        events = sse_events(reply, "chatcmpl-1", 1, include_usage=False, include_obfuscation=False,
                            chunk_tokens=chunk_tokens)
        assert len(events) == -(-12 // chunk_tokens) + 3  # role, content chunks, finish, [DONE]
    assert sum(1 for key in reply.rendered if key[0] == "sse") == MAX_STREAM_TEMPLATES


def test_many_chunk_sizes_over_the_wire_still_stream_correctly(client: openai.OpenAI):
    for chunk_tokens in range(1, 9):
        stream = client.chat.completions.create(model="gpt-4o", messages=HELLO, stream=True,
                                                extra_headers={"x-emulator-chunk-tokens": str(chunk_tokens)})
        text = "".join(c.choices[0].delta.content or "" for c in stream if c.choices)
        assert text.startswith("This is the chat-emulator built-in model")


def test_sequence_positions_are_kept_for_the_most_recent_namespaces(emu, client, monkeypatch):
    monkeypatch.setattr(positions, "MAX_POSITIONS", 3)
    emu.add_scenario({"name": "counting", "sequence": [{"reply": {"content": "one"}}, {"reply": {"content": "two"}}]})

    def say(namespace: str) -> str:
        completion = client.chat.completions.create(model="gpt-4o", messages=HELLO,
                                                    extra_headers={NAMESPACE_HEADER: namespace})
        return completion.choices[0].message.content

    assert say("first") == "one"
    assert say("recent") == "one"
    for other in ("a", "b"):
        say(other)
    assert say("recent") == "two"  # among the three most recent: its position is kept
    say("c")
    say("d")
    assert say("first") == "one"  # dropped long ago: its sequence starts again


def test_the_memo_remembers_a_bounded_number_of_sightings():
    sightings = Sightings(3)
    assert [sightings.first(key) for key in ("a", "b", "c", "d")] == [True] * 4
    assert sightings.first("a")  # the oldest was forgotten when "d" came
    assert not sightings.first("d")  # the second sighting
    assert len(sightings._hashes) <= 3
