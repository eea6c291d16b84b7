"""The abstract answer: what every responder builds and every renderer (JSON or SSE) consumes.

Nothing here knows about HTTP or the wire format; ids and timestamps are given to the renderer.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .pacing import Pacing
from .tokens import token_bytes, token_label


@dataclass(slots=True)
class ToolCall:
    id: str
    name: str
    arguments: str  # a JSON string for function tools; free text (`input`) for custom tools
    type: str = "function"  # "function" or "custom"


@dataclass(slots=True)
class TokenLogprob:
    token: str
    logprob: float
    top: list[tuple[str, float]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "token": token_label(self.token),
            "logprob": self.logprob,
            "bytes": list(token_bytes(self.token)),
            "top_logprobs": [{"token": token_label(t), "logprob": lp, "bytes": list(token_bytes(t))}
                             for t, lp in self.top],
        }


@dataclass(slots=True)
class Audio:
    id: str
    data: str  # base64
    expires_at: int
    transcript: str


# Choice, Usage and Reply (one each a reply) write their `__init__`: the compiled build
# (docs/performance.md) compiles what the source says, and a dataclass's generated `__init__` stays interpreted.
@dataclass(slots=True, init=False)
class Choice:
    index: int
    content: str | None
    refusal: str | None
    tool_calls: list[ToolCall]
    function_call: ToolCall | None  # deprecated `functions` answer
    finish_reason: str
    # Tokens of `content` (or `refusal`) in order, in the model's encoding; they concatenate to the
    # text (see `tokens.join`). Streaming sends them as fragments and logprobs describe them one by one.
    tokens: list[str]
    logprobs: list[TokenLogprob] | None  # set when the request asked for logprobs
    annotations: list[dict[str, Any]]
    audio: Audio | None

    def __init__(self, index: int, content: str | None = None, refusal: str | None = None,
                 tool_calls: list[ToolCall] | None = None, function_call: ToolCall | None = None,
                 finish_reason: str = "stop", tokens: list[str] | None = None,
                 logprobs: list[TokenLogprob] | None = None, annotations: list[dict[str, Any]] | None = None,
                 audio: Audio | None = None) -> None:
        self.index, self.content, self.refusal, self.function_call = index, content, refusal, function_call
        self.tool_calls = [] if tool_calls is None else tool_calls
        self.finish_reason, self.logprobs, self.audio = finish_reason, logprobs, audio
        self.tokens = [] if tokens is None else tokens
        self.annotations = [] if annotations is None else annotations


@dataclass(slots=True, init=False)
class Usage:
    prompt_tokens: int
    completion_tokens: int
    reasoning_tokens: int
    cached_tokens: int
    prompt_audio_tokens: int
    completion_audio_tokens: int
    accepted_prediction_tokens: int
    rejected_prediction_tokens: int
    image_tokens: int

    def __init__(self, prompt_tokens: int, completion_tokens: int, reasoning_tokens: int = 0, cached_tokens: int = 0,
                 prompt_audio_tokens: int = 0, completion_audio_tokens: int = 0,
                 accepted_prediction_tokens: int = 0, rejected_prediction_tokens: int = 0,
                 image_tokens: int = 0) -> None:
        self.prompt_tokens, self.completion_tokens, self.reasoning_tokens = prompt_tokens, completion_tokens, reasoning_tokens
        self.cached_tokens, self.prompt_audio_tokens = cached_tokens, prompt_audio_tokens
        self.completion_audio_tokens, self.image_tokens = completion_audio_tokens, image_tokens
        self.accepted_prediction_tokens, self.rejected_prediction_tokens = accepted_prediction_tokens, rejected_prediction_tokens

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    def as_dict(self) -> dict[str, Any]:
        return {
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "total_tokens": self.total_tokens,
            "prompt_tokens_details": {"cached_tokens": self.cached_tokens, "audio_tokens": self.prompt_audio_tokens},
            "completion_tokens_details": {
                "reasoning_tokens": self.reasoning_tokens,
                "audio_tokens": self.completion_audio_tokens,
                "accepted_prediction_tokens": self.accepted_prediction_tokens,
                "rejected_prediction_tokens": self.rejected_prediction_tokens,
            },
        }


@dataclass(slots=True, init=False)
class Reply:
    choices: list[Choice]
    usage: Usage
    model: str  # the resolved snapshot id reported as `model`
    service_tier: str | None
    system_fingerprint: str | None
    metadata: dict[str, str] | None
    pacing: Pacing | None
    fault: Any  # a `faults.Fault` to apply while rendering, set by scenarios
    chaos: dict[str, float] | None  # a scenario's chaos rates (chaos.py), drawn per request
    headers: dict[str, str]  # extra response headers
    source: str  # what produced it: "builtin" or the scenario's name
    tokenizer: str  # the encoding its tokens are in (the model's catalogue `tokenizer`)
    # Parts of a reasoning summary, for the Responses API's `reasoning` item when the request asks for one.
    reasoning_summary: list[str]
    # Its wire renderings with marks for id and `created` (wire/stamped.py), by format and options.
    rendered: dict[Any, Any] = field(repr=False, compare=False)

    def __init__(self, choices: list[Choice], usage: Usage, model: str, service_tier: str | None = "default",
                 system_fingerprint: str | None = None, metadata: dict[str, str] | None = None,
                 pacing: Pacing | None = None, fault: Any = None, chaos: dict[str, float] | None = None,
                 headers: dict[str, str] | None = None, source: str = "builtin", tokenizer: str = "o200k_base",
                 reasoning_summary: list[str] | None = None, rendered: dict[Any, Any] | None = None) -> None:
        self.choices, self.usage, self.model, self.service_tier = choices, usage, model, service_tier
        self.system_fingerprint, self.metadata, self.pacing, self.fault = system_fingerprint, metadata, pacing, fault
        self.chaos, self.source, self.tokenizer = chaos, source, tokenizer
        self.headers = {} if headers is None else headers
        self.reasoning_summary = [] if reasoning_summary is None else reasoning_summary
        self.rendered = {} if rendered is None else rendered
