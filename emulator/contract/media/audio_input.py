"""Duration of `input_audio` clips: WAV through the standard `wave` module, MP3 from its frame headers."""
from __future__ import annotations

import io
import wave

# MPEG-1 Layer III bitrates (kbit/s) and sample rates by header index.
_MP3_BITRATES = (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 0)
_MP3_V2_BITRATES = (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160, 0)

# Audio tokens per second of input (user audio is billed at one token per 100 ms).
INPUT_TOKENS_PER_SECOND = 10


def audio_duration(data: bytes, format: str) -> float | None:
    """Seconds of audio, or None when the bytes are not a readable file of that format."""
    return _wav_duration(data) if format == "wav" else _mp3_duration(data)


def _wav_duration(data: bytes) -> float | None:
    try:
        with wave.open(io.BytesIO(data)) as clip:
            rate = clip.getframerate()
            return clip.getnframes() / rate if rate else None
    except (wave.Error, EOFError, ValueError):
        return None


def _mp3_duration(data: bytes) -> float | None:
    start = 0
    if data[:3] == b"ID3" and len(data) >= 10:  # skip an ID3v2 tag (syncsafe size)
        start = 10 + (data[6] << 21 | data[7] << 14 | data[8] << 7 | data[9])
    header = data[start:start + 4]
    if len(header) < 4 or header[0] != 0xFF or header[1] & 0xE0 != 0xE0:
        return None
    version_bits, layer_bits = header[1] >> 3 & 0x3, header[1] >> 1 & 0x3
    if version_bits == 1 or layer_bits == 0:
        return None
    table = _MP3_BITRATES if version_bits == 3 else _MP3_V2_BITRATES
    bitrate = table[header[2] >> 4]
    if not bitrate:
        return None
    return (len(data) - start) * 8 / (bitrate * 1000)


def input_audio_tokens(seconds: float) -> int:
    return max(1, round(seconds * INPUT_TOKENS_PER_SECOND))
