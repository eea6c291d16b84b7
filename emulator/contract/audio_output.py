"""Spoken replies (`modalities: ["text", "audio"]`): which output formats a request may ask for.

Streams carry pcm16 only, as on the live API. The emulator writes `wav` and `pcm16` (see
`model/audio_output.py`); mp3, aac, flac and opus need an encoder it does not ship, so they are
refused with a clear 400 instead of a fake file.
"""
from __future__ import annotations

from typing import Any

from . import errors

ENCODABLE = ("wav", "pcm16")


def wants_audio(body: dict[str, Any]) -> bool:
    return "audio" in (body.get("modalities") or ())


def check_audio_output(body: dict[str, Any]) -> None:
    """Formats a stream or the emulator cannot produce."""
    if not wants_audio(body):
        return
    audio_format = body["audio"]["format"]
    if body.get("stream") and audio_format != "pcm16":
        # The live text, as reported by users of gpt-audio (github.com/Agent-Field/agentfield issues 584, 968).
        raise errors.unsupported_value(
            "audio.format", f"'audio.format' does not support '{audio_format}' when stream=true. "
            "Supported values are: 'pcm16'.")
    if audio_format not in ENCODABLE:
        raise errors.bad_request(
            f"The emulator cannot produce '{audio_format}' audio: it writes 'wav' and 'pcm16' only "
            "(mp3, aac, flac and opus need an encoder it does not ship).", "audio.format", "unsupported_value")
