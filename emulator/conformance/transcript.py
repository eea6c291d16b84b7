"""Offline mode: validate recorded exchanges (a request and its JSON or SSE response) without a server.

The file format is described by ``transcript.schema.json`` and in docs/conformance.md.
Streams go through the same rules as live streaming checks, so faults get the same names.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Callable

import jsonschema

from emulator.contract.json_schemas import schema_errors
from emulator.conformance.outcome import show
from emulator.conformance.strictness import Strictness
from emulator.conformance.runner import FAIL, PASS, Result
from emulator.conformance.stream_rules import RULES, Stream, StreamRequest, problems

GROUP = "transcript"
FORMAT = json.loads(Path(__file__).with_name("transcript.schema.json").read_text(encoding="utf-8"))

# (method, path below the version prefix) → the schema of a 2xx JSON body.
ROUTES: list[tuple[str, re.Pattern[str], str]] = [
    ("POST", re.compile(r"^/chat/completions$"), "chat_completion"),
    ("GET", re.compile(r"^/chat/completions$"), "chat_completion_list"),
    ("GET", re.compile(r"^/chat/completions/[^/]+/messages$"), "chat_completion_message_list"),
    ("GET", re.compile(r"^/chat/completions/[^/]+$"), "chat_completion"),
    ("POST", re.compile(r"^/chat/completions/[^/]+$"), "chat_completion"),
    ("DELETE", re.compile(r"^/chat/completions/[^/]+$"), "chat_completion_deleted"),
    ("GET", re.compile(r"^/models$"), "model_list"),
    ("GET", re.compile(r"^/models/[^/]+$"), "model"),
]


def transcript_files(paths: list[str]) -> list[Path]:
    """The files named, with directories expanded to their ``*.json`` files."""
    found: list[Path] = []
    for name in paths:
        path = Path(name)
        found += sorted(path.glob("*.json")) if path.is_dir() else [path]
    return found


def body_schema(method: str, path: str) -> str | None:
    path = re.sub(r"^/v\d+", "", path.split("?", 1)[0])
    return next((name for verb, pattern, name in ROUTES if verb == method and pattern.match(path)), None)


def _header(headers: dict[str, str], name: str) -> str | None:
    return next((v for k, v in headers.items() if k.lower() == name), None)


def json_rules(exchange: dict[str, Any]) -> dict[str, Callable[[], list[str]]]:
    request, response = exchange["request"], exchange["response"]
    body, status = response["body"], response["status"]
    is_error = isinstance(body, dict) and "error" in body
    name = "error" if is_error or status >= 400 else body_schema(request["method"], request["path"])

    def status_rule() -> list[str]:
        if is_error != (status >= 400):
            return [f"status: expected {'an error status' if is_error else '200'} for this body, got {status}"]
        return []

    def content_type() -> list[str]:
        value = _header(response.get("headers") or {}, "content-type")
        return [] if value is None or value.startswith("application/json") else [
            f"content-type: expected application/json, got {show(value)}"]

    def schema_rule() -> list[str]:
        if name is None:
            return [f"{request['method']} {request['path']}: not an operation of the Chat Completions contract"]
        return [f"{name} schema: {error}" for error in schema_errors(name, body)]

    def choices() -> list[str]:
        sent = request.get("body") if isinstance(request.get("body"), dict) else {}
        if name != "chat_completion" or request["method"] != "POST" or not isinstance(body.get("choices"), list):
            return []
        n = sent.get("n") or 1
        found = [] if len(body["choices"]) == n else [f"$.choices: expected {n} choices for n={n}, got {len(body['choices'])}"]
        for i, choice in enumerate(body["choices"]):
            if isinstance(choice, dict) and bool(sent.get("logprobs")) != (choice.get("logprobs") is not None):
                found.append(f"$.choices[{i}].logprobs: expected {'token logprobs' if sent.get('logprobs') else 'null'}, "
                             f"got {show(choice.get('logprobs'))}")
        return found

    return {"status": status_rule, "content_type": content_type, "body_schema": schema_rule, "choices": choices}


def sse_rules(exchange: dict[str, Any], strictness: Strictness) -> dict[str, Callable[[], list[str]]]:
    request, response = exchange["request"], exchange["response"]
    stream = Stream.read(response["sse"], strict=strictness.strict_framing)
    sent = StreamRequest.from_body(request.get("body") if isinstance(request.get("body"), dict) else {})

    def status_rule() -> list[str]:
        return [] if response["status"] == 200 else [f"status: expected 200 for an event stream, got {response['status']}"]

    def content_type() -> list[str]:
        value = _header(response.get("headers") or {}, "content-type")
        return [] if value is None or value.startswith("text/event-stream") else [
            f"content-type: expected text/event-stream, got {show(value)}"]

    rules: dict[str, Callable[[], list[str]]] = {"status": status_rule, "content_type": content_type}
    def rule_check(rule: str) -> Callable[[], list[str]]:
        return lambda: problems(stream, sent, strictness, [rule])

    for rule in RULES:
        rules[rule] = rule_check(rule)
    return rules


def check_file(path: Path, strictness: Strictness) -> list[Result]:
    """One result per rule applied to the recorded exchange in ``path``."""
    prefix = path.stem

    def result(rule: str, found: list[str], description: str) -> Result:
        detail = found[0] + (f" (and {len(found) - 1} more)" if len(found) > 1 else "") if found else ""
        return Result(f"{prefix}:{rule}", GROUP, description, FAIL if found else PASS, detail)

    try:
        exchange = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        return [result("format", [f"cannot read the transcript: {error}"], "the file is a transcript")]
    invalid = jsonschema.exceptions.best_match(jsonschema.Draft202012Validator(FORMAT).iter_errors(exchange))
    if invalid is not None:
        return [result("format", [f"{invalid.json_path}: {invalid.message}"], "the file is a transcript")]
    rules = json_rules(exchange) if "body" in exchange["response"] else sse_rules(exchange, strictness)
    return [result("format", [], "the file is a transcript")] + [
        result(name, rule(), f"recorded exchange: {name}") for name, rule in rules.items()]
