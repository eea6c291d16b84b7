"""The built-in model's words: deterministic text that shows the client what it sent."""
from __future__ import annotations

import string
from typing import Any

from ..contract.chat_request import ChatRequest
from ..contract.media.parts import describe_inputs

# Trigger phrases (documented in the README): put one in the last user message.
REFUSAL_TRIGGER = "[emulator:refuse]"
CONTENT_FILTER_TRIGGER = "[emulator:content_filter]"

REFUSAL_TEXT = "I'm very sorry, but I can't assist with that request."

_QUOTE_LIMIT = 160

# Sentences the built-in model draws from (by seed and choice index) after quoting the user.
SENTENCES = (
    "Every answer here is deterministic, so the same request always gets the same words.",
    "A different seed or choice index picks different sentences, just as sampling would.",
    "No network is involved: this reply was produced locally in a few microseconds.",
    "Point your client at a scenario file to script exactly what comes back.",
    "Streaming this reply gives the same text, one token per chunk.",
    "Token counts in the usage block match the text you are reading.",
    "Tool calls and structured output follow the schemas your request gave.",
    "The request id in the response headers identifies this exchange in the journal.",
    "Set max_completion_tokens to see the reply cut with finish_reason length.",
    "Ask for logprobs to get a deterministic probability for every token.",
    "Rate-limit headers count down with each request and reset every minute.",
    "Errors come back in the same envelope, status and wording as the live API.",
)

def quote(text: str, limit: int = _QUOTE_LIMIT) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def filler(seed: int, index: int) -> str:
    """The closing sentence(s) of choice `index`: pairwise different across the choices of one request
    (`n` up to 143). The first 12 choices take one sentence each, from a starting point the seed picks
    (the seed is a hash of the request, as uniform as a draw: no generator is needed); later ones take a
    pair whose second sentence is offset by the block number, so no two pairs coincide."""
    count = len(SENTENCES)
    first = (seed + index) % count
    if index < count:
        return SENTENCES[first]
    return SENTENCES[first] + " " + SENTENCES[(first + index // count) % count]


def _quoted(said: str) -> list[str]:
    """` You said: "..."`. in parts: cut before the marks that end the text when a letter or digit
    comes before them. A letter or digit run ends there and marks (ASCII punctuation) are one piece in
    both exact encodings, so the cut is a token boundary; the first part then holds the text's own
    last word (` 1234`, ` today`), which counting its prompt tokens already cut into tokens."""
    body = said.rstrip(string.punctuation)
    last = body[-1:]
    if last.isalnum() and last.isascii():
        return [' You said: "' + body, said[len(body):] + '".']
    return [f' You said: "{said}".']


def conversational_text(request: ChatRequest, closing: str) -> list[str]:
    """The default answer, in parts: names the model, quotes the last user message, then the closing
    sentence. Parts after the first start with a space, so they tokenize separately (and cached)."""
    parts = [opening(request.model.snapshot), *quoted(request.last_user_text)]
    received = describe_inputs(request.messages, request.model)
    if received:
        parts.append(" I received " + ", ".join(received) + ".")
    parts.append(" " + closing)
    return parts


def opening(snapshot: str) -> str:
    return f"This is the chat-emulator built-in model ({snapshot})."


def quoted(said: str) -> list[str]:
    """The parts quoting the user's text (none when it is blank): see `_quoted`."""
    return _quoted(quote(said)) if said.strip() else []


def tool_results_text(results: list[dict[str, Any]]) -> str:
    """The answer after tool results: uses them, so an agent loop ends."""
    summaries = []
    for result in results:
        name = result["name"] or "the tool"
        summaries.append(f"{name} returned {quote(result['content'], 200)}")
    return "Based on the tool results: " + "; ".join(summaries) + "."


def reasoning_summary(request: ChatRequest, detail: str) -> list[str]:
    """The parts of a reasoning summary (Responses `reasoning.summary`): a bold title line and a short
    paragraph each, as the live summaries read; `detailed` gives two parts."""
    topic = quote(request.last_user_text, 80) or "the request"
    parts = [f"**Considering the request**\n\nThe user wrote \"{topic}\"; I will answer it directly."]
    if detail == "detailed":
        parts.append("**Planning the answer**\n\nI will keep the reply short and deterministic, as the "
                     "emulator's built-in model does.")
    return parts
