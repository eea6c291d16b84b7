"""`ChatRequest`: a validated request body plus the facts every responder asks about it."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Generic, TypeVar, overload

from ..tokens import count_definition_tokens, count_message_tokens
from .media.parts import media_tokens
from .models import ModelInfo


def message_text(message: dict[str, Any]) -> str:
    """The text of a message: its string content, or its text (and refusal) parts joined."""
    content = message.get("content")
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(p.get("text") or p.get("refusal") or "" for p in content if isinstance(p, dict))
    return ""


T = TypeVar("T")
_TIERS = {"auto": "default", "fast": "priority"}  # the tier a response reports for the one asked


class cached_property(Generic[T]):  # noqa: N801  (named for what it replaces)
    """`functools.cached_property` without its lock (Python 3.11 takes an RLock on every first read,
    which showed in the per-request profile; 3.12 dropped it). A request is read by one task, so two
    threads never compute the same fact at once; if they did, both would compute the same value."""

    def __init__(self, compute: Callable[[Any], T]) -> None:
        self.compute, self.__doc__ = compute, compute.__doc__
        self.name = compute.__name__

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @overload
    def __get__(self, instance: None, owner: type) -> "cached_property[T]": ...
    @overload
    def __get__(self, instance: object, owner: type) -> T: ...

    def __get__(self, instance: object, owner: type) -> "T | cached_property[T]":
        if instance is None:
            return self
        value = instance.__dict__[self.name] = self.compute(instance)
        return value


@dataclass
class ChatRequest:
    body: dict[str, Any]
    model: ModelInfo
    headers: dict[str, str] = field(default_factory=dict)
    api_key: str = ""
    # What identifies the request's content for the built-in model's memo: the raw body and whatever
    # shaped it on the way in (the profile and the path); None when unknown.
    raw_key: tuple[bytes, str, str] | None = None
    # Which API the request came through: "chat", or "responses" for a Responses request read as a
    # conversation (contract/responses_request.py); scenarios may match on it with `api`.
    api: str = "chat"

    # --- plain fields with their defaults -------------------------------------------------
    # The body is not changed once validated: the facts read many times per request are kept.
    @cached_property
    def messages(self) -> list[dict[str, Any]]:
        return self.body["messages"]

    @cached_property
    def n(self) -> int:
        return int(self.body.get("n") or 1)

    @property
    def stream(self) -> bool:
        return bool(self.body.get("stream"))

    @property
    def include_usage(self) -> bool:
        return bool((self.body.get("stream_options") or {}).get("include_usage"))

    @property
    def include_obfuscation(self) -> bool:
        return (self.body.get("stream_options") or {}).get("include_obfuscation", True) is not False

    @property
    def logprobs(self) -> bool:
        return bool(self.body.get("logprobs"))

    @property
    def top_logprobs(self) -> int:
        return int(self.body.get("top_logprobs") or 0)

    @property
    def seed(self) -> int | None:
        seed = self.body.get("seed")
        return None if seed is None else int(seed)

    @cached_property
    def max_tokens(self) -> int | None:
        """The completion budget: `max_completion_tokens`, else the deprecated `max_tokens`."""
        value = self.body.get("max_completion_tokens")
        if value is None:
            value = self.body.get("max_tokens")
        return None if value is None else int(value)

    @cached_property
    def stop(self) -> list[str]:
        stop = self.body.get("stop")
        if stop is None:
            return []
        return [stop] if isinstance(stop, str) else list(stop)

    @property
    def tools(self) -> list[dict[str, Any]]:
        return self.body.get("tools") or []

    @property
    def functions(self) -> list[dict[str, Any]]:
        """The deprecated `functions` list."""
        return self.body.get("functions") or []

    @property
    def response_format(self) -> dict[str, Any] | None:
        return self.body.get("response_format")

    @property
    def service_tier(self) -> str:
        """The tier the response reports: `auto` and `default` run as `default`, `fast` as `priority`."""
        tier = self.body.get("service_tier") or "auto"
        return _TIERS.get(tier, tier)

    # --- facts about the conversation ---------------------------------------------------------
    @cached_property
    def last_message(self) -> dict[str, Any]:
        return self.messages[-1]

    @cached_property
    def last_user_text(self) -> str:
        for message in reversed(self.messages):
            if message.get("role") == "user":
                return message_text(message)
        return ""

    @cached_property
    def system_text(self) -> str:
        return "\n".join(message_text(m) for m in self.messages if m.get("role") in ("system", "developer"))

    @cached_property
    def all_text(self) -> str:
        return "\n".join(message_text(m) for m in self.messages)

    @cached_property
    def prompt_tokens(self) -> int:
        """Prompt tokens as the live API bills them: messages with per-message overhead, images, audio
        and files, plus tools."""
        encoding = self.model.tokenizer
        return (count_message_tokens(self.messages, encoding)
                + count_definition_tokens(self.tools or self.functions, encoding) + self.media_tokens[0])

    @cached_property
    def media_tokens(self) -> tuple[int, int]:
        """Prompt tokens of the non-text parts (images, audio, files), and the audio share of them."""
        return media_tokens(self.messages, self.model)

    @property
    def turn(self) -> int:
        """1 for the first user turn, 2 for the second, ... (counts user messages)."""
        return sum(1 for m in self.messages if m.get("role") == "user")

    @cached_property
    def tool_results(self) -> list[dict[str, Any]]:
        """The tool (and legacy function) messages after the last assistant message, with the tool name."""
        if self.last_message.get("role") not in ("tool", "function"):
            return []  # the usual turn: no results to answer
        names: dict[str, str] = {}
        for message in self.messages:
            for call in message.get("tool_calls") or ():
                names[call.get("id", "")] = (call.get("function") or call.get("custom") or {}).get("name", "")
        results = []
        for message in reversed(self.messages):
            role = message.get("role")
            if role == "tool":
                results.append({"name": names.get(message.get("tool_call_id", ""), ""),
                                "tool_call_id": message.get("tool_call_id"), "content": message_text(message)})
            elif role == "function":
                results.append({"name": message.get("name", ""), "tool_call_id": None,
                                "content": message.get("content") or ""})
            else:
                break
        results.reverse()
        return results
