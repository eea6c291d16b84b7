"""Predicted Outputs (`prediction`): how much of the prediction the reply used.

Accepted prediction tokens are the predicted tokens found in the reply (counted as a multiset);
the rest are rejected. As live, rejected tokens are billed as completion tokens too, so
`accepted + rejected` is the prediction's token count for every choice.
"""
from __future__ import annotations

from collections import Counter

from ..contract.chat_request import ChatRequest, message_text
from ..reply import Reply
from ..tokens import tokenize


def predicted_text(request: ChatRequest) -> str | None:
    prediction = request.body.get("prediction")
    if not prediction:
        return None
    return message_text({"content": prediction.get("content")})


def count_prediction(request: ChatRequest, reply: Reply) -> None:
    text = predicted_text(request)
    if not text:
        return
    predicted = Counter(tokenize(text, request.model.tokenizer))
    total = sum(predicted.values())
    for choice in reply.choices:
        said = choice.tokens if choice.content is not None or choice.audio is not None else []
        accepted = sum((predicted & Counter(said)).values())
        reply.usage.accepted_prediction_tokens += accepted
        reply.usage.rejected_prediction_tokens += total - accepted
        reply.usage.completion_tokens += total - accepted
