"""A minimal *correct* Chat Completions server for the checker's tests, with named faults to break it.

It is not the emulator: it does just enough, the way docs/live-api.md describes the live API,
for every check to pass in the openai profile. Each fault in ``FAULTS`` breaks one
rule, so a test can assert that the checker names exactly that fault.

Tests import it as ``conformance_server``: pytest's default import mode puts
``tests/`` (which has no ``__init__.py``) on ``sys.path``.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import re
import socket
import threading
import time
from contextlib import contextmanager
from typing import Any, Iterator

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from emulator.conformance.checks.auth import NO_KEY, incorrect_key_message
from emulator.conformance.checks.validation import NOT_JSON
from emulator.contract.json_schemas import validator

FAULTS = {
    "wrong_field_type": "'created' is a string in JSON bodies",
    "missing_done": "streams end without data: [DONE]",
    "id_changes": "the chunk id changes mid-stream",
    "tool_name_repeated": "later tool-call deltas repeat function.name",
    "server_error_for_bad_request": "validation errors are answered with 500",
    "wrong_error_envelope": "error bodies lack 'param' and 'code'",
    "fails_once": "the fifth create request gets a 500, every other one succeeds",
}
MODELS = {"gpt-4o-mini": "gpt-4o-mini-2024-07-18", "gpt-4o": "gpt-4o-2024-08-06"}
KEY = "sk-test"
ROLES = ("system", "assistant", "user", "function", "tool", "developer")
TOKENS = ["Hello", "!", " I", " am", " a", " reference", " server", "."]
CREATED = 1727346168


class ApiError(Exception):
    def __init__(self, status: int, message: str, param: str | None = None, code: str | None = None,
                 type_: str = "invalid_request_error") -> None:
        super().__init__(message)
        self.status, self.message, self.param, self.code, self.type = status, message, param, code, type_


def param_path(path: Any) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


KINDS = {"number": "a decimal", "integer": "an integer", "string": "a string", "boolean": "a boolean",
         "array": "an array", "object": "an object", "null": "null"}


def json_kind(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a decimal number"
    return {str: "a string", list: "an array", dict: "an object", type(None): "null"}[type(value)]


def schema_error(body: dict[str, Any]) -> ApiError | None:
    """The first schema violation in live-API words."""
    errors = sorted(validator("chat_request").iter_errors(body), key=lambda e: [str(p) for p in e.absolute_path])
    if not errors:
        return None
    error = errors[0]
    param = param_path(error.absolute_path)
    if error.validator == "required":
        missing = param_path([*error.absolute_path, error.message.split("'")[1]])
        return ApiError(400, f"Missing required parameter: '{missing}'.", missing, "missing_required_parameter")
    if error.validator == "additionalProperties" and not error.absolute_path:
        name = next(k for k in body if k not in error.schema["properties"])
        return ApiError(400, f"Unknown parameter: '{name}'.", name, "unknown_parameter")
    # Under anyOf (nullable fields) the real fault is the leaf that is not "wrong type for another branch".
    leaves = list(error.context) or [error]
    specific = [e for e in leaves if e.validator != "type"]
    typed = [e for e in leaves if e.validator == "type" and e.validator_value != "null"]
    e = specific[0] if specific else typed[0] if typed else error
    if e.validator in ("minimum", "maximum"):
        kind = "integer" if isinstance(e.instance, int) else "decimal"
        above = e.validator == "maximum"
        return ApiError(400, f"Invalid '{param}': {kind} {'above maximum' if above else 'below minimum'} value. Expected a "
                             f"value {'<=' if above else '>='} {e.validator_value}, but got {e.instance} instead.",
                        param, f"{kind}_{'above_max' if above else 'below_min'}_value")
    if e.validator == "minItems":
        return ApiError(400, f"Invalid '{param}': empty array. Expected an array with minimum length "
                             f"{e.validator_value}, but got an empty array instead.", param, "empty_array")
    if e.validator == "maxItems":
        return ApiError(400, f"Invalid '{param}': array too long. Expected an array with maximum length {e.validator_value}, "
                             f"but got an array with length {len(e.instance)} instead.", param, "array_above_max_length")
    if e.validator == "maxProperties":
        return ApiError(400, f"Invalid '{param}': too many properties. Expected an object with at most {e.validator_value} "
                             f"properties, but got an object with {len(e.instance)} properties instead.",
                        param, "object_above_max_properties")
    if e.validator == "type":
        wanted = e.validator_value[0] if isinstance(e.validator_value, list) else e.validator_value
        return ApiError(400, f"Invalid type for '{param}': expected {KINDS[wanted]}, but got {json_kind(error.instance)} "
                             "instead.", param, "invalid_type")
    return ApiError(400, f"Invalid value for '{param}'.", param, "invalid_value")


def validate(body: Any) -> None:
    if not isinstance(body, dict):
        raise ApiError(400, NOT_JSON)
    if "model" not in body:
        raise ApiError(400, "you must provide a model parameter")
    for i, message in enumerate(body.get("messages") or [] if isinstance(body.get("messages"), list) else []):
        role = message.get("role") if isinstance(message, dict) else None
        if isinstance(role, str) and role not in ROLES:
            supported = ", ".join(f"'{r}'" for r in ROLES[:-1]) + f", and '{ROLES[-1]}'"
            raise ApiError(400, f"Invalid value: '{role}'. Supported values are: {supported}.", f"messages[{i}].role", "invalid_value")
    error = schema_error(body)
    if error:
        raise error
    if body.get("stream_options") is not None and not body.get("stream"):
        raise ApiError(400, "The 'stream_options' parameter is only allowed when 'stream' is enabled.", "stream_options")
    for key in ("tool_choice", "parallel_tool_calls"):
        if key in body and not body.get("tools"):
            raise ApiError(400, f"Invalid value for '{key}': '{key}' is only allowed when 'tools' are specified.", key)
    if body.get("metadata") and not body.get("store"):
        raise ApiError(400, "The 'metadata' parameter is only allowed when 'store' is enabled.", "metadata")
    if (body.get("response_format") or {}).get("type") == "json_object" and "json" not in json.dumps(body["messages"]).lower():
        raise ApiError(400, "'messages' must contain the word 'json' in some form, to use 'response_format' of type "
                            "'json_object'.", "messages")
    for i, message in enumerate(body["messages"]):
        previous = body["messages"][i - 1] if i else {}
        if message["role"] == "tool" and not previous.get("tool_calls") and previous.get("role") != "tool":
            raise ApiError(400, "Invalid parameter: messages with role 'tool' must be a response to a preceeding message "
                                "with 'tool_calls'.", f"messages.[{i}].role")
    if body["model"] not in MODELS:
        raise ApiError(404, f"The model `{body['model']}` does not exist or you do not have access to it.", None, "model_not_found")


def example_for(schema: dict[str, Any]) -> Any:
    """A small value valid against a simple JSON Schema (for tool arguments and json_schema output)."""
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "object":
        return {k: example_for(v) for k, v in schema.get("properties", {}).items()}
    if kind == "array":
        return [example_for(schema.get("items", {"type": "string"}))]
    return {"integer": 1, "number": 1.5, "boolean": True, "null": None}.get(kind, "text")


class Reference:
    """The server state (stored completions) and the request handling, with faults switched on by name."""

    def __init__(self, faults: frozenset[str] = frozenset()) -> None:
        assert faults <= FAULTS.keys(), faults
        self.faults = faults
        self.stored: dict[str, dict[str, Any]] = {}
        self.counter = itertools.count()
        self.creates = itertools.count()
        self.app = Starlette(routes=[Route("/{path:path}", self.dispatch, methods=["GET", "POST", "DELETE"])])

    # --- wire helpers
    def headers(self) -> dict[str, str]:
        return {"x-request-id": "req_" + hashlib.md5(str(next(self.counter)).encode()).hexdigest(),
                "x-ratelimit-limit-requests": "500", "x-ratelimit-limit-tokens": "200000",
                "x-ratelimit-remaining-requests": "499", "x-ratelimit-remaining-tokens": "199990",
                "x-ratelimit-reset-requests": "120ms", "x-ratelimit-reset-tokens": "6m0s"}

    def json(self, body: Any, status: int = 200) -> Response:
        if "wrong_field_type" in self.faults and isinstance(body, dict) and "created" in body:
            body = {**body, "created": str(body["created"])}
        return JSONResponse(body, status, headers=self.headers())

    def error(self, error: ApiError) -> Response:
        if "server_error_for_bad_request" in self.faults and error.status == 400:
            error = ApiError(500, "The server had an error processing your request.", None, None, "server_error")
        envelope = {"message": error.message, "type": error.type, "param": error.param, "code": error.code}
        if "wrong_error_envelope" in self.faults:
            envelope = {"message": error.message, "type": error.type}
        return JSONResponse({"error": envelope}, error.status, headers=self.headers())

    # --- routing
    async def dispatch(self, request: Request) -> Response:
        path, method = "/" + request.path_params["path"], request.method
        try:
            if not request.headers.get("authorization", "").startswith("Bearer "):
                raise ApiError(401, NO_KEY)
            key = request.headers["authorization"][7:]
            if key != KEY:
                raise ApiError(401, incorrect_key_message(key), None, "invalid_api_key")
            if (method, path) == ("POST", "/v1/chat/completions"):
                try:
                    body = json.loads(await request.body())
                except ValueError:
                    raise ApiError(400, NOT_JSON) from None
                return self.create(body)
            if (method, path) == ("GET", "/v1/chat/completions"):
                return self.list(request)
            if (method, path) == ("GET", "/v1/models"):
                return self.json({"object": "list", "data": [self.model(m) for m in MODELS]})
            found = re.fullmatch(r"/v1/models/([^/]+)", path)
            if found and method == "GET":
                if found[1] not in MODELS:
                    raise ApiError(404, f"The model '{found[1]}' does not exist", "model", "model_not_found")
                return self.json(self.model(found[1]))
            found = re.fullmatch(r"/v1/chat/completions/([^/]+)(/messages)?", path)
            if found and (method == "GET" or not found[2]):
                return await self.stored_op(method, found[1], bool(found[2]), request)
            raise ApiError(404, f"Invalid URL ({method} {path})")
        except ApiError as error:
            return self.error(error)

    def model(self, name: str) -> dict[str, Any]:
        return {"id": name, "object": "model", "created": 1721172741, "owned_by": "system"}

    # --- completions
    def answer(self, body: dict[str, Any]) -> tuple[list[str], list[dict[str, Any]], str]:
        """(content tokens, tool calls, finish_reason) for a request, deterministically."""
        tools = body.get("tools") or []
        choice = body.get("tool_choice", "auto" if tools else "none")
        if tools and choice != "none" and choice != "auto" and body["messages"][-1]["role"] != "tool":
            named = choice["function"]["name"] if isinstance(choice, dict) else None
            chosen = [t["function"] for t in tools if named in (None, t["function"]["name"])][:1]
            calls = [{"id": f"call_{i}ReferenceToolCall000000", "name": f["name"],
                      "arguments": json.dumps(example_for(f.get("parameters") or {"type": "object"}), separators=(",", ":"))}
                     for i, f in enumerate(chosen)]
            return [], calls, "tool_calls"
        fmt = body.get("response_format") or {}
        if fmt.get("type") == "json_schema":
            text = json.dumps(example_for(fmt["json_schema"].get("schema") or {"type": "object"}), separators=(",", ":"))
            tokens = [text[i:i + 4] for i in range(0, len(text), 4)]
        elif fmt.get("type") == "json_object":
            tokens = ['{"', 'greeting', '":"', 'hello', '"}']
        else:
            tokens = TOKENS
        limit = body.get("max_completion_tokens") or body.get("max_tokens")
        if limit and limit < len(tokens) and fmt.get("type") not in ("json_schema", "json_object"):
            return tokens[:limit], [], "length"
        return tokens, [], "stop"

    def logprob(self, token: str, top: int) -> dict[str, Any]:
        entry = {"token": token, "logprob": -0.25, "bytes": list(token.encode())}
        return {**entry, "top_logprobs": [entry][:top]}

    def create(self, body: Any) -> Response:
        if "fails_once" in self.faults and next(self.creates) == 4:
            raise ApiError(500, "The server had an error processing your request.", None, None, "server_error")
        validate(body)
        number = next(self.counter)
        completion_id = f"chatcmpl-Reference{number:020d}"
        tokens, calls, finish = self.answer(body)
        n = body.get("n") or 1
        usage = {"prompt_tokens": 9, "completion_tokens": len(tokens) or 5, "total_tokens": 9 + (len(tokens) or 5)}
        head = {"id": completion_id, "created": CREATED, "model": MODELS[body["model"]]}
        if body.get("stream"):
            return self.stream(body, head, tokens, calls, finish, n, usage)
        message: dict[str, Any] = {"role": "assistant", "content": None if calls else "".join(tokens), "refusal": None}
        if calls:
            message["tool_calls"] = [{"id": c["id"], "type": "function", "function": {"name": c["name"], "arguments": c["arguments"]}}
                                     for c in calls]
        message["annotations"] = []
        top = body.get("top_logprobs") or 0
        logprobs = {"content": [self.logprob(t, top) for t in tokens], "refusal": None} if body.get("logprobs") else None
        completion = {"id": head["id"], "object": "chat.completion", "created": head["created"], "model": head["model"],
                      "choices": [{"index": i, "message": message, "logprobs": logprobs, "finish_reason": finish} for i in range(n)],
                      "usage": usage, "service_tier": "default", "system_fingerprint": "fp_reference0"}
        if body.get("store"):
            completion["metadata"] = body.get("metadata") or {}
            self.stored[completion_id] = {"completion": completion, "messages": body["messages"], "seq": number}
        return self.json(completion)

    def stream(self, body: dict[str, Any], head: dict[str, Any], tokens: list[str], calls: list[dict[str, Any]],
               finish: str, n: int, usage: dict[str, Any]) -> Response:
        options = body.get("stream_options") or {}
        with_usage, obfuscate = bool(options.get("include_usage")), options.get("include_obfuscation", True) is not False
        top = body.get("top_logprobs") or 0

        def chunk(choices: list[dict[str, Any]], number: int, **extra: Any) -> str:
            data = {"id": head["id"] + ("X" if "id_changes" in self.faults and number > 1 else ""),
                    "object": "chat.completion.chunk", "created": head["created"], "model": head["model"],
                    "service_tier": "default", "system_fingerprint": "fp_reference0", "choices": choices}
            if obfuscate:
                data["obfuscation"] = "x" * (1 + number % 5)
            if with_usage:
                data["usage"] = None
            data.update(extra)
            return "data: " + json.dumps(data, separators=(",", ":")) + "\n\n"

        def choice(index: int, delta: dict[str, Any], token: str | None = None, finish_reason: str | None = None) -> dict[str, Any]:
            logprobs = None
            if body.get("logprobs") and finish_reason is None:
                logprobs = {"content": [self.logprob(token, top)] if token else [], "refusal": None}
            return {"index": index, "delta": delta, "logprobs": logprobs, "finish_reason": finish_reason}

        events: list[tuple[int, dict[str, Any]]] = []
        for i in range(n):
            events.append((i, choice(i, {"role": "assistant", "content": None if calls else "", "refusal": None})))
        for step, token in enumerate(tokens):
            events += [(i, choice(i, {"content": token}, token)) for i in range(n)]
        for i in range(n):
            for c_index, call in enumerate(calls):
                events.append((i, choice(i, {"tool_calls": [{"index": c_index, "id": call["id"], "type": "function",
                                                             "function": {"name": call["name"], "arguments": ""}}]})))
                args = call["arguments"]
                for start in range(0, len(args), 5):
                    function = {"arguments": args[start:start + 5]}
                    if "tool_name_repeated" in self.faults:
                        function["name"] = call["name"]
                    events.append((i, choice(i, {"tool_calls": [{"index": c_index, "function": function}]})))
        events += [(i, choice(i, {}, finish_reason=finish)) for i in range(n)]
        text = "".join(chunk([c], number) for number, (_, c) in enumerate(events))
        if with_usage:
            text += chunk([], len(events), usage=usage)
        if "missing_done" not in self.faults:
            text += "data: [DONE]\n\n"
        return Response(text, 200, media_type="text/event-stream", headers=self.headers())

    # --- stored completions
    async def stored_op(self, method: str, completion_id: str, messages: bool, request: Request) -> Response:
        entry = self.stored.get(completion_id)
        if entry is None:
            raise ApiError(404, f"No chat completion found with id '{completion_id}'.", None, None)
        if messages:
            items = [{"id": f"{completion_id}-{i}", "role": m["role"],
                      "content": m.get("content") if isinstance(m.get("content"), str) else None,
                      "refusal": None, "name": m.get("name"), "content_parts": None}
                     for i, m in enumerate(entry["messages"])]
            return self.json({"object": "list", "data": items, "first_id": items[0]["id"], "last_id": items[-1]["id"],
                              "has_more": False})
        if method == "DELETE":
            del self.stored[completion_id]
            return self.json({"object": "chat.completion.deleted", "id": completion_id, "deleted": True})
        if method == "POST":
            entry["completion"]["metadata"] = (json.loads(await request.body()) or {}).get("metadata") or {}
        return self.json(entry["completion"])

    def list(self, request: Request) -> Response:
        query = request.query_params
        limit = int(query.get("limit", 20))
        entries = sorted(self.stored.values(), key=lambda e: e["seq"], reverse=query.get("order") == "desc")
        filters = {k[9:-1]: v for k, v in query.items() if k.startswith("metadata[")}
        entries = [e for e in entries if all(e["completion"]["metadata"].get(k) == v for k, v in filters.items())]
        ids = [e["completion"]["id"] for e in entries]
        start = ids.index(query["after"]) + 1 if query.get("after") in ids else 0
        page = [e["completion"] for e in entries[start:start + limit]]
        return self.json({"object": "list", "data": page, "first_id": page[0]["id"] if page else None,
                          "last_id": page[-1]["id"] if page else None, "has_more": start + limit < len(entries)})


@contextmanager
def serve(app: Any) -> Iterator[str]:
    """Run an ASGI app with uvicorn on 127.0.0.1 (a free port) in a thread; yields its /v1 base URL."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    config = uvicorn.Config(app, log_level="error", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}/v1"
    finally:
        server.should_exit = True
        thread.join(5)
        sock.close()
