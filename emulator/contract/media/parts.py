"""`image_url`, `input_audio` and `file` content parts: the live checks, their token cost and a
short description for the built-in model ("1 image (640x480)").

Each part is inspected by `received_inputs`, which raises the live `ApiError` for bad input; the
request check, the prompt-token count and the description all read its result. Decoding a data URL
happens once per request: results are memoised by the string's (hash, length), never the string.
"""
from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from typing import Any, Callable

from .. import errors
from ..errors import ApiError
from ..models import ModelInfo
from .audio_input import audio_duration, input_audio_tokens
from .data_url import DataUrlError, decode_base64, parse_data_url
from .image_size import image_size
from .image_tokens import REMOTE_IMAGE_SIZE, image_tokens

IMAGE_MEDIA_TYPES = ("image/png", "image/jpeg", "image/jpg", "image/gif", "image/webp")
IMAGE_EXAMPLE = "data:image/png;base64,aW1nIGJ5dGVzIGhlcmU="
FILE_MEDIA_TYPES = ("application/pdf",)
FILE_EXAMPLE = "data:application/pdf;base64,SGVsbG8sIFdvcmxkIQ=="
# A PDF is billed as its extracted text plus an image of each page; without a PDF engine the
# emulator counts this many tokens per page (pages are counted from the file's page objects).
FILE_TOKENS_PER_PAGE = 300
_PDF_PAGE = re.compile(rb"/Type\s*/Page(?![a-zA-Z])")


@dataclass(frozen=True)
class Received:
    """One non-text part as the model sees it."""

    kind: str  # "image", "audio" or "file"
    label: str  # "640x480", "remote URL", "wav, 2.1 s", "report.pdf"
    tokens: int
    audio_tokens: int = 0


# --- the live errors ------------------------------------------------------------------------

def unsupported_content_type(kind: str, message: int, part: int) -> ApiError:
    # Live text and param form for images [OBS community.openai.com/t/1289584]; the same grammar is
    # inferred for audio and file parts.
    return errors.bad_request(f"Invalid content type. {kind} is only supported by certain models.",
                              f"messages.[{message}].content.[{part}].type")


def invalid_image_url(param: str, got: str) -> ApiError:
    return errors.bad_request(
        f"Invalid image URL: '{param}'. Expected a base64-encoded data URL with an image MIME type "
        f"(e.g. '{IMAGE_EXAMPLE}'), but got {got}.", param, "invalid_value")


def invalid_image_format() -> ApiError:
    return errors.bad_request(
        "You uploaded an unsupported image. Please make sure your image has of one the following formats: "
        "['png', 'jpeg', 'gif', 'webp'].", None, "invalid_image_format")


def invalid_file_data(param: str, got: str) -> ApiError:
    return errors.bad_request(
        f"Invalid file data: '{param}'. Expected a base64-encoded data URL with an application/pdf MIME type "
        f"(e.g. '{FILE_EXAMPLE}'), but got {got}.", param, "invalid_value")


def unsupported_audio_format() -> ApiError:
    return errors.bad_request("This model does not support the format you provided.", "messages",
                              "unsupported_format")


def audio_required() -> ApiError:
    return errors.bad_request("This model requires that either input content or output modality contain audio.",
                              "model", "invalid_value")


# --- decoding, memoised -------------------------------------------------------------------

_MEMO: dict[tuple[str, int, int], Any] = {}
_MEMO_SIZE = 256
_MEMO_LOCK = threading.Lock()  # several emulators may serve in threads of one process


def _memo(kind: str, text: str, compute: Callable[[], Any]) -> Any:
    key = (kind, hash(text), len(text))  # a str caches its hash: the second look-up is O(1)
    with _MEMO_LOCK:
        if key in _MEMO:
            return _MEMO[key]
    value = compute()
    with _MEMO_LOCK:
        if len(_MEMO) >= _MEMO_SIZE:
            _MEMO.pop(next(iter(_MEMO)))
        _MEMO[key] = value
    return value


def _decoded_image(url: str) -> tuple[str, int, int] | str | None:
    """(format, width, height); a `DataUrlError` phrase as a str; None for bytes that are no image."""
    try:
        _, data = parse_data_url(url, IMAGE_MEDIA_TYPES)
    except DataUrlError as error:
        return str(error)
    return image_size(data)


def _decoded_audio(data: str, format: str) -> float | None:
    try:
        return audio_duration(decode_base64(data), format)
    except DataUrlError:
        return None


def _decoded_file(url: str) -> int | str:
    """Pages of a PDF data URL, or a `DataUrlError` phrase."""
    try:
        _, data = parse_data_url(url, FILE_MEDIA_TYPES)
    except DataUrlError as error:
        return str(error)
    return max(1, len(_PDF_PAGE.findall(data)))


# --- parts --------------------------------------------------------------------------------

def _image(part: dict[str, Any], m: int, p: int, model: ModelInfo) -> Received:
    image_url = part["image_url"]
    url, detail = image_url["url"], image_url.get("detail") or "auto"
    param = f"messages[{m}].content[{p}].image_url.url"
    if url.startswith(("http://", "https://")):
        if not model.can("vision"):
            if model.is_reasoning:  # o1-mini/o3-mini ask for a data URL instead [OBS community 1110985]
                raise invalid_image_url(param, "a value without the 'data:' prefix")
            raise unsupported_content_type("image_url", m, p)
        width, height = REMOTE_IMAGE_SIZE
        return Received("image", "remote URL, not fetched", image_tokens(model.snapshot, width, height, detail))
    decoded = _memo("image", url, lambda: _decoded_image(url))
    if isinstance(decoded, str):
        raise invalid_image_url(param, decoded)
    if not model.can("vision"):
        raise unsupported_content_type("image_url", m, p)
    if decoded is None:
        raise invalid_image_format()
    _, width, height = decoded
    return Received("image", f"{width}x{height}", image_tokens(model.snapshot, width, height, detail))


def _audio(part: dict[str, Any], m: int, p: int, model: ModelInfo) -> Received:
    if not model.can("audio"):
        raise unsupported_content_type("input_audio", m, p)
    audio = part["input_audio"]
    data, audio_format = audio["data"], audio["format"]
    seconds = _memo("audio/" + audio_format, data, lambda: _decoded_audio(data, audio_format))
    if seconds is None:
        raise unsupported_audio_format()
    tokens = input_audio_tokens(seconds)
    return Received("audio", f"{audio_format}, {seconds:.1f} s", tokens, tokens)


def _file(part: dict[str, Any], m: int, p: int, model: ModelInfo) -> Received:
    if not model.can("vision"):
        raise unsupported_content_type("file", m, p)
    file = part["file"]
    name = file.get("filename") or file.get("file_id") or "file"
    if "file_data" in file:
        param = f"messages[{m}].content[{p}].file.file_data"
        pages = _memo("file", file["file_data"], lambda: _decoded_file(file["file_data"]))
        if isinstance(pages, str):
            raise invalid_file_data(param, pages)
        return Received("file", name, pages * FILE_TOKENS_PER_PAGE)
    if "file_id" not in file:
        raise errors.missing_parameter(f"messages[{m}].content[{p}].file.file_id")
    return Received("file", name, FILE_TOKENS_PER_PAGE)  # no Files API here: any id is one page


_INSPECTORS = {"image_url": _image, "input_audio": _audio, "file": _file}


def received_inputs(messages: list[dict[str, Any]], model: ModelInfo) -> list[tuple[int, Received]]:
    """(message index, part) for every non-text part, in order; raises the live error for bad ones."""
    found = []
    for m, message in enumerate(messages):
        content = message.get("content")
        if not isinstance(content, list):
            continue
        for p, part in enumerate(content):
            inspect = _INSPECTORS.get(part.get("type"))
            if inspect is not None:
                found.append((m, inspect(part, m, p, model)))
    return found


def check_content_parts(body: dict[str, Any], model: ModelInfo, *, text_only: bool = False) -> None:
    """The request check (runs after the shape is valid); `text_only`: every message's content is a
    string, so there is no part to inspect."""
    received = [] if text_only else received_inputs(body["messages"], model)
    # Models built for audio (audio without vision in the catalogue: the audio-preview family) refuse
    # requests with no audio at all; catch-all models (--any-model) can do everything and do not.
    if model.can("audio") and not model.can("vision"):
        if "audio" not in (body.get("modalities") or ()) and not any(r.kind == "audio" for _, r in received):
            raise audio_required()


def media_tokens(messages: list[dict[str, Any]], model: ModelInfo) -> tuple[int, int]:
    """(all prompt tokens of non-text parts, the audio part of them)."""
    received = [r for _, r in received_inputs(messages, model)]
    return sum(r.tokens for r in received), sum(r.audio_tokens for r in received)


_NOUNS = {"image": ("image", "images"), "audio": ("audio clip", "audio clips"), "file": ("file", "files")}


def describe_inputs(messages: list[dict[str, Any]], model: ModelInfo) -> list[str]:
    """What the last user message carried besides text: ["1 image (640x480)", "1 audio clip (wav, 2.1 s)"]."""
    for last_user in range(len(messages) - 1, -1, -1):
        if messages[last_user].get("role") == "user":
            break
    else:
        return []
    if not isinstance(messages[last_user].get("content"), list):
        return []  # text content carries no media
    mine = [r for m, r in received_inputs(messages[last_user:last_user + 1], model)]
    phrases = []
    for kind, (one, many) in _NOUNS.items():
        labels = [r.label for r in mine if r.kind == kind]
        if labels:
            phrases.append(f"{len(labels)} {one if len(labels) == 1 else many} ({', '.join(labels)})")
    return phrases
