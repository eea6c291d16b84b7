"""`ResponsesRequest`: a validated `POST /v1/responses` body, and the conversation it means.

The request path's first step for the Responses API: shape, cross-field rules, model, server-state
lookups (`previous_response_id`), model capabilities, then the context window, in the order the live
API reports them (one error per response). The conversation is handed on as a `ChatRequest` (`chat`),
so the built-in model and scenario matching read a Responses request as they read a chat request.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Callable, Protocol

from ..ids import hex_digits
from ..json_text import json_bytes
from . import errors
from .chat_request import ChatRequest, message_text
from .models import Catalogue, ModelInfo
from .responses_input import chat_messages, check_items, input_items, resolve_references, stored_items
from .responses_shape import MOVED_FIELDS, RESPONSES_REQUEST
from .rules import schema_error
from .shapes import Object

SAMPLING_FIELDS = ("temperature", "top_p")
RESPONSE_HEX = 68  # the response's own hex in a request's draw: its id's 34 and one output item's


class PreviousResponse(Protocol):
    """What a stored response gives the next one in its chain."""

    @property
    def context(self) -> list[dict[str, Any]]:
        """Every item of the chain up to and including its output."""


@dataclass(init=False, slots=True)
class ResponsesRequest:
    body: dict[str, Any]
    model: ModelInfo
    chat: ChatRequest  # the conversation as the built-in model and scenarios read it
    context: list[dict[str, Any]]  # the chain's items before this request's own
    # This request's random hex (ids must be unique, not secret), drawn at once: the stem its ids share
    # (16), each drawn item's own 34, and last the response's (`RESPONSE_HEX`: its id and one item's).
    hexes: bytes
    stream: bool
    store: bool  # `store` is not false
    background: bool
    drawn: list[int] = field(repr=False, compare=False)  # which of the items' ids were drawn here
    _items: list[dict[str, Any]] | None = field(repr=False)  # see `items`
    _items_json: bytes | None = field(repr=False, compare=False)
    _id_slots: list[bytes] | None = field(repr=False, compare=False)  # see `again`

    # Written out: the compiled build compiles it, where a dataclass's generated `__init__` stays interpreted.
    def __init__(self, body: dict[str, Any], model: ModelInfo, chat: ChatRequest, context: list[dict[str, Any]],
                 hexes: bytes, stream: bool, store: bool, background: bool, drawn: list[int],
                 items: list[dict[str, Any]] | None, items_json: bytes | None = None,
                 id_slots: list[bytes] | None = None) -> None:
        self.body, self.model, self.chat, self.context, self.hexes = body, model, chat, context, hexes
        self.stream, self.store, self.background, self.drawn = stream, store, background, drawn
        self._items, self._items_json, self._id_slots = items, items_json, id_slots

    def again(self, headers: dict[str, str], api_key: str) -> ResponsesRequest:
        """The same validated body sent once more (by `api_key`, with `headers`): its own ids (all from
        one draw, `hexes`), and the conversation's facts computed so far (prompt tokens) carried over.
        The items' JSON is the kept JSON with the new ids' hex put in its slots; the items themselves are
        read back from it only if asked for (`items`)."""
        drawn = self.drawn
        hexes = hex_digits(16 + 34 * len(drawn) + RESPONSE_HEX)
        request = ResponsesRequest(self.body, self.model, self.chat.again(headers, api_key),
                                   self.context, hexes, self.stream, self.store, self.background, drawn,
                                   self._items, self._items_json, self._id_slots)
        if drawn:  # the same items with new ids (unique, random), sharing the stem as live ids do
            parts = (self._id_slots or self._cut_id_slots()).copy()
            if len(drawn) == 1:  # an id's hex is the stem and its own 34: here the draw's first 50
                parts[1] = hexes[:50]
            else:
                parts[1::2] = [hexes[:16] + hexes[16 + 34 * n:50 + 34 * n] for n in range(len(drawn))]
            request._items, request._items_json = None, b"".join(parts)
        return request

    def _cut_id_slots(self) -> list[bytes]:
        """The items' JSON cut around the hex of the drawn items' ids (their last 50 characters: the stem
        and their own), in item order: the text before the first, the hex, the text up to the next, ...
        (`again` puts new hex in the odd places)."""
        text, items, start = self.items_json(), self.items, 0
        parts: list[bytes] = []
        for index in self.drawn:
            quoted = b'"%s"' % items[index]["id"].encode()
            at = text.index(quoted, start) + len(quoted) - 51  # the id's first mention is its own field (ids lead items)
            parts += (text[start:at], text[at:at + 50])
            start = at + 50
        parts.append(text[start:])
        self._id_slots = parts
        return parts

    @property
    def stem(self) -> str:
        """The hex every id of this request and its response shares (16 digits), as the live ids do."""
        return self.hexes[:16].decode()

    @property
    def items(self) -> list[dict[str, Any]]:
        """This request's own input items, with ids (what `input_items` lists); a copy sent again reads
        them back from its JSON, which is all the store keeps of them."""
        if self._items is None:
            self._items = json.loads(self.items_json())
        return self._items

    def items_json(self) -> bytes:
        """`items` as JSON (as the store keeps them)."""
        if self._items_json is None:
            self._items_json = json_bytes(self._items)
        return self._items_json

    @property
    def include_obfuscation(self) -> bool:
        return (self.body.get("stream_options") or {}).get("include_obfuscation", True) is not False

    @property
    def reasoning_summary(self) -> str | None:
        """The summary asked for (`auto`, `concise`, `detailed`), on reasoning models only."""
        if not self.model.is_reasoning:
            return None
        reasoning = self.body.get("reasoning") or {}
        return reasoning.get("summary") or reasoning.get("generate_summary")


Lookup = Callable[[str], "PreviousResponse | None"]


def validate_responses_request(body: dict[str, Any], catalogue: Catalogue, *, previous: Lookup,
                               headers: dict[str, str] | None = None, api_key: str = "",
                               shape: Object = RESPONSES_REQUEST) -> ResponsesRequest:
    _check_shape(body, shape)
    _check_rules(body)
    model = _resolve(catalogue, body["model"])
    if body.get("conversation") is not None:  # conversations are not emulated: none exists
        conversation = body["conversation"]
        raise errors.conversation_not_found(conversation if isinstance(conversation, str) else conversation["id"])
    chain = _previous(body, previous)
    _check_model_rules(body, model)
    own = input_items(body.get("input"))
    context = list(chain.context) if chain is not None else []
    known = {item["id"]: item for item in context if item.get("id")}
    own = resolve_references(own, known)
    check_items(context + own)
    chat = ChatRequest(_chat_body(body, context + own), model, headers or {}, api_key, api="responses")
    hexes = hex_digits(16 + RESPONSE_HEX)  # the items draw their own (`again` draws them with these)
    items = stored_items(own, hexes[:16].decode())
    given = {item.get("id") for item in own}
    drawn = [index for index, item in enumerate(items) if item["id"] not in given]
    request = ResponsesRequest(body, model, chat, context, hexes, bool(body.get("stream")),
                               body.get("store") is not False, bool(body.get("background")), drawn, items)
    if not chat.messages:  # nothing to answer (inferred wording: the live text is not recorded)
        raise errors.empty_array("input") if "input" in body else errors.missing_parameter("input")
    if chat.prompt_tokens + (chat.max_tokens or 0) > model.context_window and body.get("truncation") != "auto":
        raise errors.input_exceeds_context_window()
    return request


def _check_shape(body: dict[str, Any], shape: Object) -> None:
    """`model` first, then fields that moved or are unknown (with a spelling hint), then every field."""
    if "model" not in body:
        raise errors.missing_parameter("model")
    for key in body:
        if key in MOVED_FIELDS:
            raise errors.moved_parameter(key, MOVED_FIELDS[key])
        if key not in shape.fields and not shape.open:
            near = _near(key, [k for k in shape.fields if k not in body])
            raise errors.unknown_parameter_suggesting(key, near) if near else errors.unknown_parameter(key)
    if not shape.value_ok(body):
        shape.check_value(body, "")


def _near(word: str, candidates: list[str]) -> str | None:
    """The first candidate within edit distance 2 (the live API's "Did you mean" hint)."""
    for candidate in candidates:
        if _distance(word, candidate) <= 2:
            return candidate
    return None


def _distance(a: str, b: str) -> int:
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def _check_rules(body: dict[str, Any]) -> None:
    if body.get("conversation") is not None and body.get("previous_response_id") is not None:
        raise errors.mutually_exclusive("previous_response_id", "conversation")
    for index, tool in enumerate(body.get("tools") or ()):
        if tool["type"] != "function":
            continue
        param = f"tools[{index}].parameters"
        parameters = tool.get("parameters")
        if not isinstance(parameters, dict):
            raise errors.invalid_function_parameters(tool["name"], "None", param)
        problem = schema_error("function", tool["name"], parameters, tool.get("strict") is True)
        if problem:
            raise errors.bad_request(problem, param, "invalid_function_parameters")
    text_format = (body.get("text") or {}).get("format") or {}
    if text_format.get("type") == "json_schema":
        problem = schema_error("response_format", text_format["name"], text_format["schema"],
                               bool(text_format.get("strict")))
        if problem:
            raise errors.bad_request(problem, "text.format.schema", "invalid_json_schema")
    if text_format.get("type") == "json_object" and not _mentions_json(body.get("input")):
        raise errors.json_word_missing_from_input()


def _mentions_json(value: Any) -> bool:
    """`instructions` do not count: only the input messages (docs/responses.md)."""
    return any("json" in message_text(m).lower() for m in chat_messages(None, input_items(value)))


def _resolve(catalogue: Catalogue, model_id: str) -> ModelInfo:
    try:
        return catalogue.resolve(model_id)
    except errors.ApiError as error:
        if error.code == "model_not_found":
            raise errors.requested_model_not_found(model_id) from None
        raise


def _previous(body: dict[str, Any], lookup: Lookup) -> PreviousResponse | None:
    response_id = body.get("previous_response_id")
    if response_id is None:
        return None
    found = lookup(response_id)
    if found is None:
        raise errors.previous_response_not_found(response_id)
    return found


def _check_model_rules(body: dict[str, Any], model: ModelInfo) -> None:
    if not model.is_reasoning:
        return
    for name in SAMPLING_FIELDS:
        if body.get(name) is not None and body[name] != 1:
            raise errors.not_supported_with_model(name)
    if "message.output_text.logprobs" in (body.get("include") or ()):
        raise errors.logprobs_with_reasoning_model("include")
    if body.get("top_logprobs"):
        raise errors.logprobs_with_reasoning_model("top_logprobs")


def _chat_body(body: dict[str, Any], items: list[dict[str, Any]]) -> dict[str, Any]:
    """The request as a Chat Completions body (what responders read): same conversation, same options."""
    chat: dict[str, Any] = {"model": body["model"], "messages": chat_messages(body.get("instructions"), items)}
    for name in ("temperature", "top_p", "metadata", "user", "safety_identifier", "service_tier", "stream",
                 "parallel_tool_calls"):
        if body.get(name) is not None:
            chat[name] = body[name]
    tools = [_chat_tool(t) for t in body.get("tools") or () if t["type"] in ("function", "custom")]
    if tools:
        chat["tools"] = tools
        choice = _chat_tool_choice(body.get("tool_choice"))
        if choice is not None:
            chat["tool_choice"] = choice
    text_format = (body.get("text") or {}).get("format")
    if text_format and text_format["type"] == "json_schema":
        spec = {k: text_format[k] for k in ("name", "schema", "description", "strict") if k in text_format}
        chat["response_format"] = {"type": "json_schema", "json_schema": spec}
    elif text_format and text_format["type"] == "json_object":
        chat["response_format"] = {"type": "json_object"}
    if body.get("max_output_tokens") is not None:
        chat["max_completion_tokens"] = body["max_output_tokens"]
    effort = (body.get("reasoning") or {}).get("effort")
    if effort is not None:
        chat["reasoning_effort"] = effort
    if "message.output_text.logprobs" in (body.get("include") or ()):
        chat["logprobs"] = True
        chat["top_logprobs"] = body.get("top_logprobs") or 0
    return chat


def _chat_tool(tool: dict[str, Any]) -> dict[str, Any]:
    if tool["type"] == "custom":
        return {"type": "custom", "custom": {k: v for k, v in tool.items() if k != "type"}}
    function = {k: tool[k] for k in ("name", "description", "parameters", "strict") if tool.get(k) is not None}
    return {"type": "function", "function": function}


def _chat_tool_choice(choice: Any) -> Any:
    if choice is None or isinstance(choice, str):
        return choice
    kind = choice["type"]
    if kind in ("function", "custom"):
        return {"type": kind, kind: {"name": choice["name"]}}
    if kind == "allowed_tools":
        return {"type": "allowed_tools", "allowed_tools": {"mode": choice["mode"], "tools": choice["tools"]}}
    return "auto"  # a hosted tool: the built-in model cannot run it
