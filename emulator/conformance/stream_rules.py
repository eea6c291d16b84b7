"""The rules a chat completion stream must follow (docs/live-api.md#streaming), applied to a whole recorded stream.

Each rule takes the parsed stream, what the request asked for and the strictness level, and
returns its problems in words (empty when the rule holds). The live checks and the
offline transcript mode share these rules, so a fault is named the same way in both.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Callable

from emulator.contract.json_schemas import schema_errors
from emulator.conformance.outcome import CheckFailed, show
from emulator.conformance.strictness import Strictness
from emulator.conformance.sse import SseParse, parse

DONE = "[DONE]"


@dataclass(frozen=True)
class StreamRequest:
    """The parts of a request that decide what its stream must look like."""

    n: int = 1
    include_usage: bool = False
    include_obfuscation: bool = True
    logprobs: bool = False

    @classmethod
    def from_body(cls, body: dict[str, Any]) -> StreamRequest:
        options = body.get("stream_options") or {}
        return cls(
            n=body.get("n") or 1,
            include_usage=bool(options.get("include_usage")),
            include_obfuscation=options.get("include_obfuscation", True) is not False,
            logprobs=bool(body.get("logprobs")),
        )


@dataclass
class Stream:
    """An SSE body split into events, and the chunk objects among them."""

    sse: SseParse
    chunks: list[dict[str, Any]] = field(default_factory=list)
    undecodable: list[str] = field(default_factory=list)

    @classmethod
    def read(cls, body: str, *, strict: bool) -> Stream:
        stream = cls(parse(body, strict=strict))
        for number, payload in enumerate(stream.sse.events):
            if payload == DONE:
                continue
            try:
                value = json.loads(payload)
            except ValueError:
                stream.undecodable.append(f"event {number}: data is not JSON: {show(payload[:80])}")
                continue
            if isinstance(value, dict) and value.get("error"):
                stream.undecodable.append(f"event {number}: the server sent an error mid-stream: {show(value['error'])}")
            elif not isinstance(value, dict):
                stream.undecodable.append(f"event {number}: data is not a JSON object: {show(value)}")
            else:
                stream.chunks.append(value)
        return stream

    def choice_chunks(self) -> list[tuple[int, dict[str, Any]]]:
        """(chunk number, choice) for every choice in every chunk, in stream order."""
        return [(number, choice) for number, chunk in enumerate(self.chunks)
                for choice in chunk.get("choices") or [] if isinstance(choice, dict)]


@dataclass
class Accumulated:
    """One choice rebuilt from its deltas, the way the SDK accumulates them."""

    content: str | None = None
    refusal: str | None = None
    tool_calls: list[dict[str, str]] = field(default_factory=list)
    finish_reason: str | None = None
    logprob_bytes: bytearray = field(default_factory=bytearray)  # what the logprob entries spell


def accumulate(stream: Stream) -> dict[int, Accumulated]:
    choices: dict[int, Accumulated] = {}
    for _, choice in stream.choice_chunks():
        acc = choices.setdefault(choice.get("index", 0), Accumulated())
        delta = choice.get("delta") or {}
        for key in ("content", "refusal"):
            if isinstance(delta.get(key), str):
                setattr(acc, key, (getattr(acc, key) or "") + delta[key])
        for call in delta.get("tool_calls") or []:
            index = call.get("index", 0)
            while len(acc.tool_calls) <= index:
                acc.tool_calls.append({"id": "", "name": "", "arguments": ""})
            function = call.get("function") or {}
            acc.tool_calls[index]["id"] += call.get("id") or ""
            acc.tool_calls[index]["name"] += function.get("name") or ""
            acc.tool_calls[index]["arguments"] += function.get("arguments") or ""
        if choice.get("finish_reason"):
            acc.finish_reason = choice["finish_reason"]
        logprobs = choice.get("logprobs") or {}
        acc.logprob_bytes += spelled_bytes(logprobs.get("content") or [])
    return choices


Rule = Callable[[Stream, StreamRequest, Strictness], list[str]]


def framing(stream: Stream, request: StreamRequest, strictness: Strictness) -> list[str]:
    return list(stream.sse.problems)


def done(stream: Stream, request: StreamRequest, strictness: Strictness) -> list[str]:
    events = stream.sse.events
    if DONE not in events:
        return [f"missing [DONE]: expected 'data: [DONE]' as the last event, got {len(events)} events without it"]
    if events.count(DONE) > 1:
        return [f"[DONE]: expected once, got {events.count(DONE)} times"]
    if events[-1] != DONE:
        return [f"[DONE]: expected as the last event, got {len(events) - 1 - events.index(DONE)} events after it"]
    return []


def chunk_json(stream: Stream, request: StreamRequest, strictness: Strictness) -> list[str]:
    if not stream.chunks and not stream.undecodable:
        return ["expected at least one chunk, got none"]
    return list(stream.undecodable)


def chunk_schema(stream: Stream, request: StreamRequest, strictness: Strictness) -> list[str]:
    return [f"chunk {n}: {error}" for n, chunk in enumerate(stream.chunks)
            for error in schema_errors("chat_completion_chunk", chunk)]


def same_id(stream: Stream, request: StreamRequest, strictness: Strictness) -> list[str]:
    if not stream.chunks:
        return []
    first = stream.chunks[0]
    return [f"chunk {n}: $.{key}: expected {show(first.get(key))} as on chunk 0, got {show(chunk.get(key))}"
            for n, chunk in enumerate(stream.chunks[1:], start=1)
            for key in ("id", "created", "model") if chunk.get(key) != first.get(key)]


def role_first(stream: Stream, request: StreamRequest, strictness: Strictness) -> list[str]:
    problems, seen = [], set()
    for number, choice in stream.choice_chunks():
        index, delta = choice.get("index"), choice.get("delta") or {}
        if index not in seen:
            seen.add(index)
            if delta.get("role") != "assistant":
                problems.append(f"chunk {number}: $.choices[index={index}].delta.role: expected \"assistant\" on the "
                                f"choice's first delta, got {show(delta.get('role'))}")
        elif "role" in delta:
            problems.append(f"chunk {number}: $.choices[index={index}].delta.role: expected the role only once per "
                            f"choice, got it again ({show(delta['role'])})")
    return problems


def choice_indices(stream: Stream, request: StreamRequest, strictness: Strictness) -> list[str]:
    problems, order = [], []
    for number, chunk in enumerate(stream.chunks):
        choices = chunk.get("choices") or []
        if strictness.strict_stream and len(choices) > 1:
            problems.append(f"chunk {number}: $.choices: expected one choice per chunk, got {len(choices)}")
        order += [c.get("index") for c in choices if isinstance(c, dict) and c.get("index") not in order]
    if order != list(range(request.n)):
        problems.append(f"choice indices: expected {list(range(request.n))} first appearing in order, got {order}")
    return problems


def tool_calls(stream: Stream, request: StreamRequest, strictness: Strictness) -> list[str]:
    problems: list[str] = []
    started: dict[int, list[int]] = {}
    for number, choice in stream.choice_chunks():
        calls = started.setdefault(choice.get("index", 0), [])
        for call in (choice.get("delta") or {}).get("tool_calls") or []:
            index = call.get("index")
            where = f"chunk {number}: $.choices[index={choice.get('index')}].delta.tool_calls[index={index}]"
            function = call.get("function")
            if not isinstance(function, dict):
                problems.append(f"{where}.function: expected an object on every tool-call delta, got {show(function)}")
                function = {}
            if index not in calls:
                if index != len(calls):
                    problems.append(f"{where}.index: expected {len(calls)} (indices contiguous from 0), got {show(index)}")
                calls.append(index)
                for key, value in (("id", call.get("id")), ("type", call.get("type")), ("function.name", function.get("name"))):
                    if not isinstance(value, str) or not value:
                        problems.append(f"{where}.{key}: expected on the call's first delta, got {show(value)}")
                if strictness.strict_stream and function.get("arguments") != "":
                    problems.append(f"{where}.function.arguments: expected \"\" on the call's first delta, "
                                    f"got {show(function.get('arguments'))}")
                continue
            if strictness.strict_stream and index != calls[-1]:
                problems.append(f"{where}: expected deltas for call {calls[-1]} only (call {index} was finished), got one for {index}")
            for key, value in (("id", call.get("id")), ("type", call.get("type")), ("function.name", function.get("name"))):
                if value is not None:
                    problems.append(f"{where}.{key}: expected only index and arguments after the first delta, "
                                    f"got {key} repeated ({show(value)})")
    return problems


def tool_arguments(stream: Stream, request: StreamRequest, strictness: Strictness) -> list[str]:
    problems = []
    for index, acc in accumulate(stream).items():
        for number, call in enumerate(acc.tool_calls):
            try:
                json.loads(call["arguments"])
            except ValueError:
                problems.append(f"choice {index} tool call {number}: arguments: expected JSON once concatenated, "
                                f"got {show(call['arguments'])}")
    return problems


def final_chunk(stream: Stream, request: StreamRequest, strictness: Strictness) -> list[str]:
    problems: list[str] = []
    finished: dict[Any, int] = {}
    for number, choice in stream.choice_chunks():
        index = choice.get("index")
        if index in finished:
            problems.append(f"chunk {number}: $.choices[index={index}]: expected nothing after the choice's "
                            f"finish_reason (chunk {finished[index]}), got another delta")
        elif choice.get("finish_reason") is not None:
            finished[index] = number
            if strictness.strict_stream and choice.get("delta") != {}:
                problems.append(f"chunk {number}: $.choices[index={index}].delta: expected {{}} on the final chunk, "
                                f"got {show(choice.get('delta'))}")
    for index in sorted({c.get("index") for _, c in stream.choice_chunks()} - set(finished), key=str):
        problems.append(f"$.choices[index={index}].finish_reason: expected a final chunk with a finish_reason, got none")
    return problems


def usage(stream: Stream, request: StreamRequest, strictness: Strictness) -> list[str]:
    chunks = stream.chunks
    with_usage = [n for n, chunk in enumerate(chunks) if chunk.get("usage") is not None]
    if not request.include_usage:
        if strictness.strict_stream and with_usage:
            return [f"chunk {with_usage[0]}: $.usage: expected no usage without stream_options.include_usage, "
                    f"got {show(chunks[with_usage[0]]['usage'])}"]
        return []
    if not chunks:
        return []
    last = len(chunks) - 1
    problems = []
    if with_usage != [last]:
        problems.append(f"$.usage: expected usage on the last chunk only (chunk {last}), got it on chunks {with_usage}")
    if chunks[last].get("choices") != []:
        problems.append(f"chunk {last}: $.choices: expected [] on the usage chunk, got {show(chunks[last].get('choices'))}")
    totals = chunks[last].get("usage") or {}
    if isinstance(totals, dict) and all(isinstance(totals.get(k), int) for k in ("prompt_tokens", "completion_tokens", "total_tokens")):
        if totals["total_tokens"] != totals["prompt_tokens"] + totals["completion_tokens"]:
            problems.append(f"chunk {last}: $.usage.total_tokens: expected prompt_tokens + completion_tokens = "
                            f"{totals['prompt_tokens'] + totals['completion_tokens']}, got {totals['total_tokens']}")
    if strictness.strict_stream:
        problems += [f"chunk {n}: $.usage: expected null on every chunk but the last when include_usage is set, got no usage key"
                     for n, chunk in enumerate(chunks[:last]) if "usage" not in chunk]
    return problems


def obfuscation(stream: Stream, request: StreamRequest, strictness: Strictness) -> list[str]:
    if request.include_obfuscation or not strictness.strict_stream:
        return []
    return [f"chunk {n}: $.obfuscation: expected no obfuscation with include_obfuscation false, got {show(chunk['obfuscation'])}"
            for n, chunk in enumerate(stream.chunks) if "obfuscation" in chunk]


def spelled_bytes(entries: list[Any]) -> bytes:
    """The text logprob entries spell, as bytes: each `token`, or its `bytes` where the token holds
    part of a character (its `token` then shows escaped bytes)."""
    spelled = bytearray()
    for entry in entries:
        if not isinstance(entry, dict):
            continue
        raw = bytes(b for b in entry.get("bytes") or () if isinstance(b, int) and 0 <= b < 256)
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError:
            spelled += raw
        else:
            spelled += str(entry.get("token", "")).encode("utf-8")
    return bytes(spelled)


def logprobs(stream: Stream, request: StreamRequest, strictness: Strictness) -> list[str]:
    problems = []
    for number, choice in stream.choice_chunks():
        has = choice.get("logprobs") is not None
        text = (choice.get("delta") or {}).get("content")
        if not request.logprobs and has:
            problems.append(f"chunk {number}: $.choices[index={choice.get('index')}].logprobs: expected null without "
                            f"logprobs: true, got {show(choice['logprobs'])}")
        if request.logprobs and text and not has:
            problems.append(f"chunk {number}: $.choices[index={choice.get('index')}].logprobs: expected token logprobs "
                            f"for the content {show(text)}, got null")
    if request.logprobs and strictness.strict_stream:
        for index, acc in accumulate(stream).items():
            spelled = acc.logprob_bytes.decode("utf-8", "replace")
            if acc.content is not None and spelled != acc.content:
                problems.append(f"choice {index}: logprobs.content tokens: expected them to spell the content "
                                f"{show(acc.content)}, got {show(spelled)}")
    return problems


RULES: dict[str, Rule] = {
    "framing": framing,
    "done": done,
    "chunk_json": chunk_json,
    "chunk_schema": chunk_schema,
    "same_id": same_id,
    "role_first": role_first,
    "choice_indices": choice_indices,
    "tool_calls": tool_calls,
    "tool_arguments": tool_arguments,
    "final_chunk": final_chunk,
    "usage": usage,
    "obfuscation": obfuscation,
    "logprobs": logprobs,
}


def problems(stream: Stream, request: StreamRequest, strictness: Strictness, rules: list[str]) -> list[str]:
    """Every problem of the named rules, in rule order."""
    return [problem for name in rules for problem in RULES[name](stream, request, strictness)]


def require(stream: Stream, request: StreamRequest, strictness: Strictness, *rules: str) -> None:
    """Fail with the first problem of the named rules (and how many more there are)."""
    found = problems(stream, request, strictness, list(rules))
    if found:
        more = f" (and {len(found) - 1} more)" if len(found) > 1 else ""
        raise CheckFailed(found[0] + more)
