"""Mistakes a JSON Schema cannot (readably) catch: exclusive keys, bad regexes, duplicate names.

Runs after the schema check, so every value already has the right type. Yields
`(path, message, point_at_key)`; the loader turns the path into a line.
"""
from __future__ import annotations

import re
from typing import Any, Iterator

from ..faults import CATALOGUE, kinds_in
from .errors import SHORTCUTS, shortcut_of

Found = Iterator[tuple[tuple, str, bool]]

STEP_KINDS = ("reply", "error", "fault")
HEADER_NAME = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
# Headers that frame the response or the connection: the server writes them, a scenario cannot.
FRAMING_HEADERS = frozenset({"content-length", "content-type", "transfer-encoding", "connection", "keep-alive",
                             "proxy-connection", "te", "trailer", "upgrade"})
AFTER_FAULTS = tuple(kind.name for kind in CATALOGUE.values() if kind.after)


def semantic_problems(data: dict[str, Any]) -> Found:
    yield from _lone_surrogates(data, ())
    names: dict[str, int] = {}
    for index, scenario in enumerate(data["scenarios"]):
        at = ("scenarios", index)
        name = scenario["name"]
        if name in names:
            yield at + ("name",), f"duplicate scenario name '{name}' (first at scenarios[{names[name]}])", False
        names.setdefault(name, index)
        yield from _scenario(scenario, at)


# What an `api: embeddings` scenario may match on and answer with.
EMBEDDING_MATCH_KEYS = ("api", "model", "input", "headers", "user")
EMBEDDING_REPLY_KEYS = ("embedding", "seed", "model", "headers")


def _scenario(scenario: dict[str, Any], at: tuple) -> Found:
    if (scenario.get("match") or {}).get("api") == "embeddings":
        yield from _embeddings_scenario(scenario, at)
    else:
        yield from _not_embeddings(scenario, at)
    if "sequence" in scenario:
        mixed = [k for k in STEP_KINDS if k in scenario]
        if mixed:
            yield (at + (mixed[0],), f"'sequence' cannot be combined with '{mixed[0]}' at the same level; "
                                     "put it in a step of the sequence", True)
        for i, step in enumerate(scenario["sequence"]):
            yield from _step(step, at + ("sequence", i))
    else:
        if "on_end" in scenario:
            yield at + ("on_end",), "'on_end' only applies to a 'sequence'", True
        if not any(k in scenario for k in (*STEP_KINDS, "chaos")):
            yield at, "a scenario needs 'reply', 'error', 'fault', 'sequence' or 'chaos'", False
        else:
            yield from _step(scenario, at)
    if "chaos" in scenario:
        yield from _chaos(scenario["chaos"], at + ("chaos",))
    for key, value in (scenario.get("match") or {}).items():
        yield from _condition(key, value, at + ("match", key))


def _steps(scenario: dict[str, Any], at: tuple) -> Iterator[tuple[dict[str, Any], tuple]]:
    if "sequence" in scenario:
        for i, step in enumerate(scenario["sequence"]):
            yield step, at + ("sequence", i)
    else:
        yield scenario, at


def _embeddings_scenario(scenario: dict[str, Any], at: tuple) -> Found:
    for key in scenario.get("match") or {}:
        if key not in EMBEDDING_MATCH_KEYS:
            yield (at + ("match", key), f"'{key}' never holds for an embeddings request; 'api: embeddings' "
                                        f"scenarios match on {', '.join(EMBEDDING_MATCH_KEYS[1:])}", True)
    for step, step_at in _steps(scenario, at):
        if "fault" in step:
            yield step_at + ("fault",), "faults apply to chat replies; an embeddings scenario gives 'reply' or 'error'", True
        if "error" in step and shortcut_of(step["error"]) == "content_filter":
            yield step_at + ("error",), "'content_filter' is a chat finish reason, not an embeddings error", False
        for key in step.get("reply") or {}:
            if key not in EMBEDDING_REPLY_KEYS:
                yield (step_at + ("reply", key), f"'{key}' is not part of an embeddings reply; give "
                                                 f"{', '.join(EMBEDDING_REPLY_KEYS)}", True)
        vector = (step.get("reply") or {}).get("embedding")
        if vector is not None and not any(vector):
            yield step_at + ("reply", "embedding"), "an embedding needs a non-zero value (it is normalized)", False


def _not_embeddings(scenario: dict[str, Any], at: tuple) -> Found:
    if "input" in (scenario.get("match") or {}):
        yield (at + ("match", "input"), "'input' matches the inputs of embeddings requests: add 'api: embeddings' "
                                        "(chat and Responses requests match with 'last_user')", True)
    for step, step_at in _steps(scenario, at):
        for key in ("embedding", "seed"):
            if key in (step.get("reply") or {}):
                yield step_at + ("reply", key), f"'{key}' answers embeddings requests: add 'api: embeddings' to 'match'", True


def _chaos(rates: dict[str, float], at: tuple) -> Found:
    from ..chaos import ChaosError, check_rates

    try:
        check_rates(rates)
    except ChaosError as error:
        yield at, str(error), True


def _step(step: dict[str, Any], at: tuple) -> Found:
    if "reply" in step and "error" in step:
        yield at + ("error",), "give either 'reply' or 'error', not both", True
    if "error" in step and "fault" in step:
        yield at + ("fault",), "'fault' applies to replies, not to 'error'", True
    if "reply" in step:
        yield from _reply(step["reply"], at + ("reply",))
    if "error" in step:
        yield from _error(step["error"], at + ("error",))
    if "fault" in step:
        yield from _fault(step["fault"], at + ("fault",))


def _reply(reply: dict[str, Any], at: tuple) -> Found:
    yield from _headers(reply.get("headers") or {}, at + ("headers",))
    if "choices" in reply:
        for key in ("content", "refusal", "tool_calls", "finish_reason", "logprobs"):
            if key in reply:
                yield at + (key,), f"'{key}' goes inside each of 'choices' when 'choices' is given", True
        for i, choice in enumerate(reply["choices"]):
            yield from _choice(choice, at + ("choices", i))
    else:
        yield from _choice(reply, at)


def _choice(choice: dict[str, Any], at: tuple) -> Found:
    if "refusal" in choice and choice.get("content") is not None:
        yield at + ("refusal",), "a refusal has no 'content'; give one or the other", True
    if "refusal" in choice and "tool_calls" in choice:
        yield at + ("refusal",), "a refusal has no 'tool_calls'; give one or the other", True
    for key in ("content", "refusal"):
        if isinstance(choice.get(key), str):
            yield from _placeholders(choice[key], at + (key,))
    for i, call in enumerate(choice.get("tool_calls", ())):
        yield from _placeholders(str(call.get("arguments", "")), at + ("tool_calls", i, "arguments"))
    logprobs = choice.get("logprobs")
    if isinstance(logprobs, list) and isinstance(choice.get("content"), str):
        joined = "".join(entry["token"] for entry in logprobs)
        if joined != choice["content"]:
            yield at + ("logprobs",), f"the logprobs tokens join to {joined!r}, not to the content", True


def _error(error: Any, at: tuple) -> Found:
    if isinstance(error, str):
        return
    yield from _headers(error.get("headers") or {}, at + ("headers",))
    named = error.get("shortcut") or (error.get("code") if error.get("code") in SHORTCUTS else None)
    if named is None and "status" not in error:
        yield at, "a custom error needs a 'status' (or a 'shortcut' such as 'server_error')", False
    if named == "content_filter" and len(error) > 1:
        yield at, "'content_filter' is a reply, not an HTTP error; it takes no other keys", False


def _fault(fault: Any, at: tuple) -> Found:
    if isinstance(fault, str):
        return
    kinds = kinds_in(fault)
    if len(kinds) > 1:
        yield at + (kinds[1],), f"one fault at a time: '{kinds[0]}' and '{kinds[1]}' cannot be combined", True
    if "after" in fault and not any(k in fault for k in AFTER_FAULTS):
        names = [f"'{name}'" for name in AFTER_FAULTS]
        yield at + ("after",), f"'after' (chunks) goes with {', '.join(names[:-1])} or {names[-1]}", True
    for kind in CATALOGUE.values():
        for option in kind.options:
            if option in fault and not fault.get(kind.name):
                yield at + (option,), f"'{option}' goes with '{kind.written}'", True
    event = fault.get("error_event")
    if event is not None:
        if event == "content_filter" or (isinstance(event, dict) and event.get("shortcut") == "content_filter"):
            yield at + ("error_event",), "'content_filter' is a finish reason, not a mid-stream error", False
        else:
            yield from _error(event, at + ("error_event",))


def _headers(headers: dict[str, str], at: tuple) -> Found:
    """Response headers a scenario adds: each must be writable as one HTTP header line."""
    for name, value in headers.items():
        if not HEADER_NAME.fullmatch(name):
            yield at + (name,), f"'{name}' is not a valid header name", True
        elif name.lower() in FRAMING_HEADERS:
            yield at + (name,), f"'{name}' is written by the server (it frames the response); a scenario cannot set it", True
        elif any(c in value for c in "\r\n\0"):
            yield at + (name,), f"the value of header '{name}' contains a line break or NUL", False
        elif not _latin1(value):
            yield at + (name,), f"the value of header '{name}' has characters HTTP headers cannot carry (only Latin-1)", False


def _latin1(text: str) -> bool:
    try:
        text.encode("latin-1")
    except UnicodeEncodeError:
        return False
    return True


def _lone_surrogates(value: Any, at: tuple) -> Found:
    """Text no response could carry: a lone surrogate (JSON's `"\\ud800"` parses to one)."""
    if isinstance(value, str):
        if not value.isascii() and any("\ud800" <= c <= "\udfff" for c in value):
            yield at, "the text holds a lone surrogate (an unpaired \\uD800-\\uDFFF escape), which no response can carry", False
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _lone_surrogates(key, at)
            yield from _lone_surrogates(item, at + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _lone_surrogates(item, at + (index,))


def _condition(key: str, value: Any, at: tuple) -> Found:
    if key in ("headers", "metadata"):
        for name, text in value.items():
            yield from _text(text, at + (name,))
    elif key in ("last_user", "any_message", "system", "tool_result", "user", "input"):
        yield from _text(value, at)
    elif key == "turn" and isinstance(value, dict):
        if value.get("min", 0) > value.get("max", 1 << 30):
            yield at, f"'min' ({value['min']}) is above 'max' ({value['max']})", False


def _text(text: Any, at: tuple) -> Found:
    if isinstance(text, dict) and "regex" in text:
        try:
            re.compile(text["regex"])
        except re.error as exc:
            yield at + ("regex",), f"invalid regex {text['regex']!r}: {exc}", False


def _placeholders(text: str, at: tuple) -> Found:
    from .reply_template import PLACEHOLDERS, placeholders_in

    for name in placeholders_in(text):
        if name not in PLACEHOLDERS:
            yield at, f"unknown placeholder '{{{{{name}}}}}'; known: " + ", ".join(PLACEHOLDERS), False
