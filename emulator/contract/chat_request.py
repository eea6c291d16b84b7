"""`ChatRequest`: a validated request body plus the facts every responder asks about it."""
from __future__ import annotations

from typing import Any

from ..tokens import count_definition_tokens, count_message_tokens, count_plain_messages
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


_TIERS = {"auto": "default", "fast": "priority"}  # the tier a response reports for the one asked
_NO_OPTIONS: dict[str, Any] = {}


class ChatRequest:
    """A validated body, its model, and who sent it (`headers`, `api_key`).

    The body is not changed once validated, so its fields are read once, when the request is built,
    into plain attributes (responders read several of them per request). The facts about the
    conversation (its prompt tokens, texts, tool results) are computed on first read and kept in
    attributes of their own (None, or -1 for the prompt tokens, until then); the one-pass validation
    of a plain conversation (`plain_request.py`) fills them in as it checks the messages.

    A native class in the compiled build (every attribute declared): compiled code reads and sets its
    attributes in C, where a Python class's instance goes through its `__dict__` on every access.
    """

    body: dict[str, Any]
    model: ModelInfo
    headers: dict[str, str]
    api_key: str
    # What identifies the request's content for the built-in model's memo: the raw body and whatever
    # shaped it on the way in (the profile and the path); None when unknown.
    raw_key: tuple[bytes, str, str] | None
    # Which API the request came through: "chat", or "responses" for a Responses request read as a
    # conversation (contract/responses_request.py); scenarios may match on it with `api`.
    api: str
    # --- the body's fields, with their defaults ----------------------------------------------------
    messages: list[dict[str, Any]]
    n: int
    stream: bool
    include_usage: bool
    include_obfuscation: bool
    logprobs: bool
    top_logprobs: int
    seed: int | None
    max_tokens: int | None  # the completion budget: `max_completion_tokens`, else the deprecated `max_tokens`
    stop: list[str]
    tools: list[dict[str, Any]]
    functions: list[dict[str, Any]]  # the deprecated `functions` list
    response_format: dict[str, Any] | None
    service_tier: str  # the tier the response reports: `auto` and `default` run as `default`, `fast` as `priority`
    # --- the facts, once computed (see the properties below) ------------------------------------------
    _system_text: str | None = None
    _last_user_text: str | None = None
    _tool_results: list[dict[str, Any]] | None = None
    _media_tokens: tuple[int, int] | None = None
    _prompt_tokens: int = -1
    # Scenario matching's canonical forms of the body, by what computed them (scenarios/matching.py).
    canonical_forms: dict[Any, Any] | None = None

    def __init__(self, body: dict[str, Any], model: ModelInfo, headers: dict[str, str] | None = None,
                 api_key: str = "", raw_key: tuple[bytes, str, str] | None = None, api: str = "chat") -> None:
        self.body, self.model, self.api_key, self.raw_key, self.api = body, model, api_key, raw_key, api
        self.headers = {} if headers is None else headers
        get = body.get
        self.messages = body["messages"]
        if len(body) == 2 and "model" in body:  # the usual body, a model and messages: every option at its default
            self.n, self.stream, self.include_usage, self.include_obfuscation = 1, False, False, True
            self.logprobs, self.top_logprobs, self.service_tier = False, 0, "default"
            self.seed = self.max_tokens = self.response_format = None
            self.stop, self.tools, self.functions = [], [], []
            return
        self.n = int(get("n") or 1)
        self.stream = bool(get("stream"))
        options = get("stream_options") or _NO_OPTIONS
        self.include_usage = bool(options.get("include_usage"))
        self.include_obfuscation = options.get("include_obfuscation", True) is not False
        self.logprobs = bool(get("logprobs"))
        self.top_logprobs = int(get("top_logprobs") or 0)
        seed = get("seed")
        self.seed = None if seed is None else int(seed)
        budget = get("max_completion_tokens")
        if budget is None:
            budget = get("max_tokens")
        self.max_tokens = None if budget is None else int(budget)
        stop = get("stop")
        self.stop = [] if stop is None else [stop] if isinstance(stop, str) else list(stop)
        self.tools = get("tools") or []
        self.functions = get("functions") or []
        self.response_format = get("response_format")
        tier = get("service_tier") or "auto"
        self.service_tier = _TIERS.get(tier, tier)

    def again(self, headers: dict[str, str], api_key: str) -> ChatRequest:
        """The same validated body sent once more (by `api_key`, with `headers`): the options read anew
        (a look-up each), the facts computed so far carried over."""
        copy = ChatRequest(self.body, self.model, headers, api_key, self.raw_key, self.api)
        copy._system_text, copy._last_user_text = self._system_text, self._last_user_text
        copy._tool_results, copy._media_tokens, copy._prompt_tokens = (self._tool_results, self._media_tokens,
                                                                       self._prompt_tokens)
        copy.canonical_forms = self.canonical_forms
        return copy

    def __repr__(self) -> str:
        return f"ChatRequest(model={self.model.id!r}, api={self.api!r}, body={self.body!r})"

    # --- facts about the conversation (computed on first read, then kept) ---------------------------
    @property
    def last_message(self) -> dict[str, Any]:
        return self.messages[-1]

    @property
    def last_user_text(self) -> str:
        text = self._last_user_text
        if text is None:
            text = self._last_user_text = _last_user_text(self.messages)
        return text

    @property
    def system_text(self) -> str:
        text = self._system_text
        if text is None:
            text = self._system_text = "\n".join(
                message_text(m) for m in self.messages if m.get("role") in ("system", "developer"))
        return text

    @property
    def all_text(self) -> str:
        return "\n".join(message_text(m) for m in self.messages)

    @property
    def prompt_tokens(self) -> int:
        """Prompt tokens as the live API bills them: messages with per-message overhead, images, audio
        and files, plus tools."""
        tokens = self._prompt_tokens
        if tokens < 0:
            tokens = self._prompt_tokens = self.text_prompt_tokens() + self.media_tokens[0]
        return tokens

    def text_prompt_tokens(self, plain: bool = False) -> int:
        """The prompt tokens of the messages' text (with their overhead) and of the tool definitions;
        `plain`: every message is a role and a string content and nothing else."""
        encoding = self.model.tokenizer
        messages = count_plain_messages(self.messages, encoding) if plain else count_message_tokens(self.messages,
                                                                                                    encoding)
        definitions = self.tools or self.functions
        return messages + count_definition_tokens(definitions, encoding) if definitions else messages

    @property
    def media_tokens(self) -> tuple[int, int]:
        """Prompt tokens of the non-text parts (images, audio, files), and the audio share of them."""
        tokens = self._media_tokens
        if tokens is None:
            tokens = self._media_tokens = media_tokens(self.messages, self.model)
        return tokens

    @property
    def turn(self) -> int:
        """1 for the first user turn, 2 for the second, ... (counts user messages)."""
        return sum(1 for m in self.messages if m.get("role") == "user")

    @property
    def tool_results(self) -> list[dict[str, Any]]:
        """The tool (and legacy function) messages after the last assistant message, with the tool name."""
        results = self._tool_results
        if results is None:
            results = self._tool_results = _tool_results(self.messages)
        return results


def _last_user_text(messages: list[dict[str, Any]]) -> str:
    for message in messages[::-1]:  # not reversed(): mypyc (2.4) has failed on it
        if message.get("role") == "user":
            return message_text(message)
    return ""


def _tool_results(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """`ChatRequest.tool_results` of `messages`."""
    if messages[-1].get("role") not in ("tool", "function"):
        return []  # the usual turn: no results to answer
    names: dict[str, str] = {}
    for message in messages:
        for call in message.get("tool_calls") or ():
            names[call.get("id", "")] = (call.get("function") or call.get("custom") or {}).get("name", "")
    results = []
    for message in messages[::-1]:  # as in `_last_user_text`
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
