"""Spoken replies (`modalities: ["text", "audio"]`): `message.audio` with a real WAV or PCM16 file.

The voice is a quiet deterministic tone as long as the transcript would take to say (about 15
characters a second), 24 kHz mono 16-bit as the live API sends. WAV is written with the standard
`wave` module and PCM16 is the raw samples; mp3, aac, flac and opus need an encoder the emulator
does not ship (the request check is `contract/audio_output.py`). Streams carry pcm16 only, as live.
"""
from __future__ import annotations

import base64
import io
import math
import os
import time
import wave
from ..contract.chat_request import ChatRequest
from ..reply import Audio, Reply

SAMPLE_RATE = 24000
CHARACTERS_PER_SECOND = 15
OUTPUT_TOKENS_PER_SECOND = 20  # assistant audio is billed at one token per 50 ms
EXPIRES_AFTER = 3600  # seconds the live API keeps an audio response for multi-turn use

# One period of a quiet 400 Hz tone (60 samples at 24 kHz); repeated to any length in C, not Python.
_PERIOD = b"".join(int(1200 * math.sin(2 * math.pi * i / 60)).to_bytes(2, "little", signed=True) for i in range(60))


def samples_for(text: str) -> bytes:
    seconds = max(len(text) / CHARACTERS_PER_SECOND, 0.5)
    frames = int(seconds * SAMPLE_RATE)
    whole, rest = divmod(frames, 60)
    return _PERIOD * whole + _PERIOD[:rest * 2]


def encode(pcm: bytes, audio_format: str) -> bytes:
    if audio_format == "pcm16":
        return pcm
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(SAMPLE_RATE)
        out.writeframes(pcm)
    return buffer.getvalue()


def speak(request: ChatRequest, reply: Reply) -> None:
    """Turn each text answer into `message.audio` (content becomes null, the transcript keeps the text)."""
    audio_format = request.body["audio"]["format"]
    expires_at = int(time.time()) + EXPIRES_AFTER
    for choice in reply.choices:
        if choice.content is None or choice.tool_calls or choice.audio is not None:
            continue
        pcm = samples_for(choice.content)
        data = base64.b64encode(encode(pcm, audio_format)).decode("ascii")
        choice.audio = Audio(id="audio_" + os.urandom(16).hex(), data=data, expires_at=expires_at,
                             transcript=choice.content)
        choice.content = None
        tokens = max(1, round(len(pcm) / 2 / SAMPLE_RATE * OUTPUT_TOKENS_PER_SECOND))
        reply.usage.completion_audio_tokens += tokens
        reply.usage.completion_tokens += tokens
