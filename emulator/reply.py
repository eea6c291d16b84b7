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


@dataclass(slots=True)
class Choice:
    index: int
    content: str | None = None
    refusal: str | None = None
    tool_calls: list[ToolCall] = field(default_factory=list)
    function_call: ToolCall | None = None  # deprecated `functions` answer
    finish_reason: str = "stop"
    # Tokens of `content` (or `refusal`) in order, in the model's encoding; they concatenate to the
    # text (see `tokens.join`). Streaming sends them as fragments and logprobs describe them one by one.
    tokens: list[str] = field(default_factory=list)
    logprobs: list[TokenLogprob] | None = None  # set when the request asked for logprobs
    annotations: list[dict[str, Any]] = field(default_factory=list)
    audio: Audio | None = None


@dataclass(slots=True)
class Usage:
    prompt_tokens: int
    completion_tokens: int
    reasoning_tokens: int = 0
    cached_tokens: int = 0
    prompt_audio_tokens: int = 0
    completion_audio_tokens: int = 0
    accepted_prediction_tokens: int = 0
    rejected_prediction_tokens: int = 0
    image_tokens: int = 0

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


@dataclass(slots=True)
class Reply:
    choices: list[Choice]
    usage: Usage
    model: str  # the resolved snapshot id reported as `model`
    service_tier: str | None = "default"
    system_fingerprint: str | None = None
    metadata: dict[str, str] | None = None
    pacing: Pacing | None = None
    fault: Any = None  # a `faults.Fault` to apply while rendering, set by scenarios
    chaos: dict[str, float] | None = None  # a scenario's chaos rates (chaos.py), drawn per request
    headers: dict[str, str] = field(default_factory=dict)  # extra response headers
    source: str = "builtin"  # what produced it: "builtin" or the scenario's name
    tokenizer: str = "o200k_base"  # the encoding its tokens are in (the model's catalogue `tokenizer`)
    # Parts of a reasoning summary, for the Responses API's `reasoning` item when the request asks for one.
    reasoning_summary: list[str] = field(default_factory=list)
    # Its wire renderings with marks for id and `created` (wire/stamped.py), by format and options.
    rendered: dict[Any, Any] = field(default_factory=dict, repr=False, compare=False)
