"""Image, audio and file content parts: accepted input, token counts and the live errors."""
from __future__ import annotations

import struct

import openai
import pytest

from emulator.contract.media.image_size import image_size
from emulator.contract.media.image_tokens import image_tokens
from media_files import b64, data_url, gif, jpeg, mp3, pdf, png, wav, webp

TEXT = {"type": "text", "text": "what is in this?"}


def image_part(url: str, detail: str | None = None) -> dict:
    image_url = {"url": url} if detail is None else {"url": url, "detail": detail}
    return {"type": "image_url", "image_url": image_url}


def ask(client, *parts, model="gpt-4o", **fields):
    return client.chat.completions.create(model=model, messages=[{"role": "user", "content": [TEXT, *parts]}],
                                          **fields)


def extra_prompt_tokens(client, *parts, model="gpt-4o") -> int:
    """Prompt tokens the parts add to the same text-only message."""
    return ask(client, *parts, model=model).usage.prompt_tokens - ask(client, model=model).usage.prompt_tokens


def error_of(call) -> openai.BadRequestError:
    with pytest.raises(openai.BadRequestError) as caught:
        call()
    return caught.value


# --- images ------------------------------------------------------------------------------------

@pytest.mark.parametrize("make, media_type, name", [
    (png, "image/png", "png"), (jpeg, "image/jpeg", "jpeg"), (gif, "image/gif", "gif"), (webp, "image/webp", "webp"),
])
def test_image_sizes_are_read_from_the_bytes_of_each_format(client, make, media_type, name):
    assert image_size(make(640, 480)) == (name, 640, 480)
    reply = ask(client, image_part(data_url(media_type, make(640, 480))))
    assert "I received 1 image (640x480)." in reply.choices[0].message.content


def test_lossy_and_lossless_webp_sizes_are_read():
    riff = lambda chunk: b"RIFF" + struct.pack("<I", 4 + len(chunk)) + b"WEBP" + chunk  # noqa: E731
    lossy = b"VP8 " + struct.pack("<I", 10) + b"\x00\x00\x00\x9d\x01\x2a" + struct.pack("<HH", 640, 480)
    bits = (640 - 1) | (480 - 1) << 14
    lossless = b"VP8L" + struct.pack("<I", 5) + b"\x2f" + struct.pack("<I", bits)
    assert image_size(riff(lossy)) == ("webp", 640, 480)
    assert image_size(riff(lossless)) == ("webp", 640, 480)
    assert image_size(b"\x89PNG\r\n\x1a\n") is None and image_size(b"\xff\xd8\xff\xe0\x00") is None


def test_several_images_are_described_together(client):
    reply = ask(client, image_part(data_url("image/png", png(32, 16))), image_part("https://example.com/cat.png"))
    assert "I received 2 images (32x16, remote URL, not fetched)." in reply.choices[0].message.content


@pytest.mark.parametrize("model, size, detail, tokens", [
    ("gpt-4o", (640, 480), "high", 85 + 170 * 2),
    ("gpt-4o", (1024, 1024), "auto", 85 + 170 * 4),  # shortest side scaled to 768: 2x2 tiles
    ("gpt-4o", (2048, 4096), "high", 85 + 170 * 6),  # 1024x2048, then 768x1536: 2x3 tiles
    ("gpt-4o", (4096, 4096), "low", 85),
    ("gpt-4o-mini", (1024, 1024), "high", 2833 + 5667 * 4),
    ("gpt-4o-mini", (200, 100), "low", 2833),
    ("o1", (512, 512), "high", 75 + 150),
    ("gpt-5", (1024, 1024), "high", 70 + 140 * 4),
    ("gpt-4.1-mini", (1024, 1024), "high", round(1024 * 1.62)),  # 32px patches times the multiplier
    ("gpt-4.1-nano", (100, 100), "low", round(16 * 2.46)),
    ("o4-mini", (1800, 2400), "high", round(1452 * 1.72)),  # over 1536 patches: shrunk to 1452
])
def test_image_tokens_follow_the_model_familys_rule(client, model, size, detail, tokens):
    url = data_url("image/png", png(*size))
    assert extra_prompt_tokens(client, image_part(url, detail), model=model) == tokens


def test_remote_images_are_not_fetched_and_count_as_1024_square(client):
    assert image_tokens("gpt-4o", 1024, 1024) == 765
    assert extra_prompt_tokens(client, image_part("https://example.invalid/photo.jpg")) == 765
    assert extra_prompt_tokens(client, image_part("http://example.invalid/photo.jpg", "low")) == 85


def test_image_tokens_count_toward_the_context_window(client):
    big = image_part(data_url("image/png", png(1024, 1024)))  # 25501 tokens each on gpt-4o-mini
    error = error_of(lambda: ask(client, *[big] * 6, model="gpt-4o-mini"))
    assert error.code == "context_length_exceeded" and "153" in error.body["message"]


def test_a_model_without_vision_refuses_images(client):
    error = error_of(lambda: ask(client, image_part("https://example.com/a.png"), model="gpt-3.5-turbo"))
    assert error.body == {"message": "Invalid content type. image_url is only supported by certain models.",
                          "type": "invalid_request_error", "param": "messages.[0].content.[1].type", "code": None}
    error = error_of(lambda: ask(client, image_part(data_url("image/png", png(8, 8))), model="gpt-3.5-turbo"))
    assert error.param == "messages.[0].content.[1].type"


def test_reasoning_models_without_vision_ask_for_a_data_url(client):
    error = error_of(lambda: ask(client, image_part("https://example.com/a.png"), model="o3-mini"))
    assert error.param == "messages[0].content[1].image_url.url" and error.code == "invalid_value"
    assert error.body["message"].endswith("but got a value without the 'data:' prefix.")


PREFIX = ("Invalid image URL: 'messages[0].content[1].image_url.url'. Expected a base64-encoded data URL with an "
          "image MIME type (e.g. 'data:image/png;base64,aW1nIGJ5dGVzIGhlcmU='), but got ")


@pytest.mark.parametrize("url, got", [
    ("ftp://example.com/a.png", "a value without the 'data:' prefix."),
    ("data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=", "unsupported MIME type 'image/svg+xml'."),
    ("data:image/png;base64,", "empty base64-encoded bytes."),
    ("data:image/png;base64,not base64!", "an invalid base64-encoded value."),
])
def test_bad_image_urls_get_the_live_error(client, url, got):
    error = error_of(lambda: ask(client, image_part(url)))
    assert (error.body["message"], error.param, error.code) == (PREFIX + got, "messages[0].content[1].image_url.url",
                                                        "invalid_value")


def test_bytes_that_are_no_image_get_invalid_image_format(client):
    error = error_of(lambda: ask(client, image_part(data_url("image/png", b"just some text, not a picture"))))
    assert error.code == "invalid_image_format" and error.param is None
    assert error.body["message"].startswith("You uploaded an unsupported image.")


def test_image_detail_is_checked(client):
    error = error_of(lambda: ask(client, image_part("https://example.com/a.png", "ultra")))
    assert error.param == "messages[0].content[1].image_url.detail" and error.code == "invalid_value"


# --- audio input -------------------------------------------------------------------------------

def audio_part(data: str, format: str = "wav") -> dict:
    return {"type": "input_audio", "input_audio": {"data": data, "format": format}}


def test_audio_input_is_heard_and_counted(client):
    reply = ask(client, audio_part(b64(wav(2.0))), model="gpt-4o-audio-preview")
    assert "I received 1 audio clip (wav, 2.0 s)." in reply.choices[0].message.content
    assert reply.usage.prompt_tokens_details.audio_tokens == 20  # one token per 100 ms
    mp3_reply = ask(client, audio_part(b64(mp3(3.0)), "mp3"), model="gpt-4o-mini-audio-preview")
    assert "1 audio clip (mp3, 3.0 s)" in mp3_reply.choices[0].message.content
    assert mp3_reply.usage.prompt_tokens_details.audio_tokens == 30


def test_a_model_without_audio_refuses_audio_input(client):
    error = error_of(lambda: ask(client, audio_part(b64(wav(1.0)))))
    assert (error.body["message"], error.param, error.code) == (
        "Invalid content type. input_audio is only supported by certain models.", "messages.[0].content.[1].type",
        None)


@pytest.mark.parametrize("data, format", [
    ("not base64!", "wav"),
    (b64(b"RIFF nonsense"), "wav"),
    (b64(wav(1.0)), "mp3"),  # a WAV file declared as mp3
    (b64(mp3(1.0)), "wav"),
])
def test_undecodable_audio_gets_unsupported_format(client, data, format):
    error = error_of(lambda: ask(client, audio_part(data, format), model="gpt-4o-audio-preview"))
    assert (error.body["message"], error.param, error.code) == (
        "This model does not support the format you provided.", "messages", "unsupported_format")


def test_audio_format_is_checked(client):
    error = error_of(lambda: ask(client, audio_part(b64(wav(1.0)), "ogg"), model="gpt-4o-audio-preview"))
    assert error.param == "messages[0].content[1].input_audio.format" and error.code == "invalid_value"


def test_audio_models_need_audio_somewhere(client):
    error = error_of(lambda: ask(client, model="gpt-4o-audio-preview"))
    assert (error.body["message"], error.param, error.code) == (
        "This model requires that either input content or output modality contain audio.", "model", "invalid_value")
    # A conversation of plain text messages (checked in one pass) is refused alike.
    error = error_of(lambda: client.chat.completions.create(
        model="gpt-4o-audio-preview", messages=[{"role": "system", "content": "Be brief."},
                                                {"role": "user", "content": "Hi"}]))
    assert (error.body["message"], error.param, error.code) == (
        "This model requires that either input content or output modality contain audio.", "model", "invalid_value")


# --- files -------------------------------------------------------------------------------------

def file_part(**file) -> dict:
    return {"type": "file", "file": file}


def test_pdf_files_are_received_and_counted_per_page(client):
    part = file_part(filename="report.pdf", file_data=data_url("application/pdf", pdf(2)))
    reply = ask(client, part)
    assert "I received 1 file (report.pdf)." in reply.choices[0].message.content
    assert extra_prompt_tokens(client, part) == 600
    by_id = ask(client, file_part(file_id="file-abc123"))
    assert "1 file (file-abc123)" in by_id.choices[0].message.content


def test_a_file_part_needs_data_or_an_id(client):
    error = error_of(lambda: ask(client, file_part(filename="report.pdf")))
    assert (error.body["message"], error.param, error.code) == (
        "Missing required parameter: 'messages[0].content[1].file.file_id'.", "messages[0].content[1].file.file_id",
        "missing_required_parameter")


@pytest.mark.parametrize("file_data, got", [
    ("data:text/markdown;base64,IyBoaQ==", "unsupported MIME type 'text/markdown'."),
    (b64(pdf(1)), "a value without the 'data:' prefix."),
    ("data:application/pdf;base64,%%%", "an invalid base64-encoded value."),
])
def test_bad_file_data_gets_the_live_error(client, file_data, got):
    error = error_of(lambda: ask(client, file_part(filename="a.pdf", file_data=file_data)))
    param = "messages[0].content[1].file.file_data"
    assert error.body["message"] == (
        f"Invalid file data: '{param}'. Expected a base64-encoded data URL with an application/pdf MIME type "
        f"(e.g. 'data:application/pdf;base64,SGVsbG8sIFdvcmxkIQ=='), but got {got}")
    assert (error.param, error.code) == (param, "invalid_value")


def test_a_model_without_vision_refuses_files(client):
    error = error_of(lambda: ask(client, file_part(file_id="file-1"), model="gpt-3.5-turbo"))
    assert error.body["message"] == "Invalid content type. file is only supported by certain models."


def test_parts_are_only_allowed_in_user_messages(client):
    error = error_of(lambda: client.chat.completions.create(model="gpt-4o", messages=[
        {"role": "system", "content": [image_part("https://example.com/a.png")]},
        {"role": "user", "content": "hi"}]))
    assert error.param == "messages[0].content[0].type" and error.code == "invalid_value"
