"""What every reply gets after its responder (scenario or built-in model) built it: the token
details of audio input and predictions, and the spoken form when the request asked for audio."""
from __future__ import annotations

from ..contract.chat_request import ChatRequest
from ..reply import Reply
from ..contract.audio_output import wants_audio
from .audio_output import speak
from .prediction import count_prediction


def apply_request_options(request: ChatRequest, reply: Reply) -> Reply:
    usage, body = reply.usage, request.body
    if not usage.prompt_audio_tokens:
        usage.prompt_audio_tokens = request.media_tokens[1]
    if "prediction" in body:  # the usual body asks for neither (a look-up each, no call)
        count_prediction(request, reply)
    if "modalities" in body and wants_audio(body):
        speak(request, reply)
    return reply
