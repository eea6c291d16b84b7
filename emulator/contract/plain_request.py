"""One pass over the most common chat body: a conversation of plain messages.

Most requests are messages of a role and a string (`{"role": "user", "content": "Hi"}`). The general
steps (`validate.validate_chat_request`) walk such a conversation five times: the shape, the
conversation rule (tool messages answer tool calls), the content parts, their media tokens and the
prompt count, and a responder then walks it again for each fact it reads (the system text, the last
user text). Here the messages are checked once, the facts are noted on the way, and the rest of the
body takes the shape's own check with `messages` left out.

It answers only where the answer is certain: every message a dict of exactly a `role` among
`PLAIN_ROLES` and a string `content`, and a model the catalogue knows. Such a body is valid exactly
when the general steps say so, with the same facts (`tests/test_plain_request.py` checks both on
generated bodies). Anything else returns None and takes the general steps, which word every error.
"""
from __future__ import annotations

from typing import Any

from .chat_request import ChatRequest
from .models import Catalogue
from .request_shape import MESSAGES
from .rules import check_request_rules
from .shapes import Object

# The roles whose message may be `{"role", "content": str}` and nothing else; True for those whose
# text is the system text (`ChatRequest.system_text`).
PLAIN_ROLES = {"system": True, "developer": True, "user": False, "assistant": False}
# The body fields a cross-field rule (`rules.check_request_rules`) reads besides the messages: without
# them, a conversation of plain messages breaks no rule.
RULED_FIELDS = frozenset(("tools", "tool_choice", "parallel_tool_calls", "stream_options", "top_logprobs",
                          "metadata", "response_format", "modalities", "functions", "function_call"))


_NO_MEDIA = (0, 0)

# Per request shape: whether a body of a string `model` and checked `messages` alone passes it.
_BARE_BODIES: dict[Object, bool] = {}


def _takes_any_model(shape: Object) -> bool:
    """Whether `shape` takes a body of only a `model` (any string) and `messages` (checked apart): true
    when the model's type is all its field checks and nothing else is required. Asked once per shape."""
    takes = _BARE_BODIES.get(shape)
    if takes is None:
        model = shape.fields.get("model")
        types = None if model is None else model.types_only()
        takes = _BARE_BODIES[shape] = types is not None and str in types and shape.validator_besides("messages")(
            {"model": "", "messages": []})
    return takes


def plain_chat_request(body: dict[str, Any], catalogue: Catalogue, shape: Object, headers: dict[str, str] | None,
                       api_key: str) -> ChatRequest | None:
    """The `ChatRequest` of a body whose messages are all plain, its shape checked and its cross-field
    rules applied (`ApiError` for a broken one), with the conversation's facts filled in; None for any
    other body."""
    messages = body.get("messages")
    model_id = body.get("model")
    if type(messages) is not list or not messages or type(model_id) is not str \
            or shape.fields.get("messages") is not MESSAGES:  # a profile with messages of its own
        return None
    model = catalogue.get(model_id)
    if model is None:  # an unknown id: the general steps refuse it (or make the model up) in their order
        return None
    system: list[str] = []
    user = ""
    for message in messages:
        if type(message) is not dict or len(message) != 2:
            return None
        role, content = message.get("role"), message.get("content")
        if type(role) is not str or type(content) is not str:
            return None
        in_system = PLAIN_ROLES.get(role)
        if in_system is None:
            return None
        if in_system:
            system.append(content)
        elif role == "user":
            user = content
    if not (len(body) == 2 and _takes_any_model(shape)  # two fields: the model and the messages, seen above
            or shape.validator_besides("messages")(body)):
        return None
    if not RULED_FIELDS.isdisjoint(body):
        check_request_rules(body)
    request = ChatRequest(body, model, headers, api_key)
    # The conversation's facts, as `ChatRequest` would compute them.
    request._system_text, request._last_user_text = "\n".join(system), user
    request._media_tokens, request._tool_results = _NO_MEDIA, []  # no content parts, no tool messages
    request._prompt_tokens = request.text_prompt_tokens(plain=True)
    return request
