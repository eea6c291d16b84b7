"""Spoken replies (`modalities: ["text", "audio"]`) and predicted outputs, through the official SDK."""
from __future__ import annotations

import base64
import io
import time
import wave

import openai
import pytest

from token_counts import count

USER = [{"role": "user", "content": "Is a golden retriever a good family dog?"}]
AUDIO_MODEL = "gpt-4o-audio-preview"


def speak(client, audio_format: str, **fields):
    return client.chat.completions.create(model=AUDIO_MODEL, messages=USER, modalities=["text", "audio"],
                                          audio={"voice": "alloy", "format": audio_format}, **fields)


def test_a_wav_reply_is_a_valid_wav_file_with_the_text_as_transcript(client):
    reply = speak(client, "wav")
    message = reply.choices[0].message
    assert message.content is None
    audio = message.audio
    assert audio.id.startswith("audio_") and audio.expires_at > time.time()
    assert audio.transcript.startswith("This is the chat-emulator built-in model")
    with wave.open(io.BytesIO(base64.b64decode(audio.data))) as clip:
        assert (clip.getnchannels(), clip.getsampwidth(), clip.getframerate()) == (1, 2, 24000)
        seconds = clip.getnframes() / clip.getframerate()
    assert seconds == pytest.approx(len(audio.transcript) / 15, abs=0.01)
    details = reply.usage.completion_tokens_details
    assert details.audio_tokens == round(seconds * 20)
    transcript_tokens = count(audio.transcript)
    assert reply.usage.completion_tokens == transcript_tokens + details.audio_tokens


def test_the_transcript_is_what_the_text_reply_would_be(client):
    spoken = speak(client, "pcm16").choices[0].message.audio.transcript
    assert spoken == speak(client, "wav").choices[0].message.audio.transcript
    assert "golden retriever" in spoken


def test_a_pcm16_reply_is_raw_24khz_samples(client):
    audio = speak(client, "pcm16").choices[0].message.audio
    pcm = base64.b64decode(audio.data)
    assert len(pcm) % 2 == 0 and not pcm.startswith(b"RIFF")
    assert len(pcm) / 2 / 24000 == pytest.approx(len(audio.transcript) / 15, abs=0.01)


def test_streamed_audio_arrives_as_the_sdk_expects(client):
    whole = speak(client, "pcm16").choices[0].message.audio
    chunks = list(speak(client, "pcm16", stream=True))
    pieces = [c.choices[0].delta.audio for c in chunks if c.choices and c.choices[0].delta.audio]
    assert [p.id for p in pieces if p.id] == [pieces[0].id]
    assert "".join(p.transcript or "" for p in pieces) == whole.transcript
    data = "".join(p.data or "" for p in pieces)
    assert len(data) > 1 and base64.b64decode(data, validate=True) == base64.b64decode(whole.data)
    assert [p.expires_at for p in pieces if p.expires_at] and chunks[-1].choices[0].finish_reason == "stop"


def test_the_stream_helper_assembles_the_audio(client):
    with client.chat.completions.stream(model=AUDIO_MODEL, messages=USER, modalities=["text", "audio"],
                                        audio={"voice": "alloy", "format": "pcm16"}) as stream:
        final = stream.get_final_completion()
    audio = final.choices[0].message.audio
    assert audio.transcript.startswith("This is the chat-emulator") and len(base64.b64decode(audio.data)) > 0


def test_streams_carry_pcm16_only(client):
    with pytest.raises(openai.BadRequestError) as caught:
        speak(client, "wav", stream=True)
    assert caught.value.body == {
        "message": "Unsupported value: 'audio.format' does not support 'wav' when stream=true. Supported values "
                   "are: 'pcm16'.",
        "type": "invalid_request_error", "param": "audio.format", "code": "unsupported_value"}


@pytest.mark.parametrize("audio_format", ["mp3", "opus", "aac", "flac"])
def test_formats_needing_an_encoder_are_refused_clearly(client, audio_format):
    with pytest.raises(openai.BadRequestError) as caught:
        speak(client, audio_format)
    assert caught.value.param == "audio.format" and caught.value.code == "unsupported_value"
    assert f"cannot produce '{audio_format}' audio" in caught.value.body["message"]


def test_audio_output_needs_an_audio_model_and_an_audio_field(client):
    with pytest.raises(openai.BadRequestError) as caught:
        client.chat.completions.create(model="gpt-4o", messages=USER, modalities=["text", "audio"],
                                       audio={"voice": "alloy", "format": "wav"})
    assert caught.value.param == "modalities"
    with pytest.raises(openai.BadRequestError) as caught:
        client.chat.completions.create(model=AUDIO_MODEL, messages=USER, modalities=["text", "audio"])
    assert caught.value.param == "audio"


def test_a_spoken_reply_can_be_stored_and_retrieved(client):
    reply = speak(client, "wav", store=True)
    stored = client.chat.completions.retrieve(reply.id)
    assert stored.choices[0].message.audio.transcript == reply.choices[0].message.audio.transcript


# --- predicted outputs ---------------------------------------------------------------------------

def predict(client, prediction: str):
    return client.chat.completions.create(model="gpt-4o", messages=USER,
                                          prediction={"type": "content", "content": prediction})


def test_a_prediction_equal_to_the_reply_is_all_accepted(client):
    plain = client.chat.completions.create(model="gpt-4o", messages=USER)
    reply = predict(client, plain.choices[0].message.content)
    details = reply.usage.completion_tokens_details
    assert details.accepted_prediction_tokens == plain.usage.completion_tokens
    assert details.rejected_prediction_tokens == 0
    assert reply.usage.completion_tokens == plain.usage.completion_tokens


def test_rejected_prediction_tokens_are_billed_as_completion_tokens(client):
    plain = client.chat.completions.create(model="gpt-4o", messages=USER)
    reply = predict(client, "zebra quokka lemur")
    details = reply.usage.completion_tokens_details
    predicted = count("zebra quokka lemur")
    assert (details.accepted_prediction_tokens, details.rejected_prediction_tokens) == (0, predicted)
    assert reply.usage.completion_tokens == plain.usage.completion_tokens + predicted
    assert reply.usage.total_tokens == reply.usage.prompt_tokens + reply.usage.completion_tokens


def test_prediction_parts_are_accepted(client):
    reply = client.chat.completions.create(model="gpt-4o", messages=USER, prediction={
        "type": "content", "content": [{"type": "text", "text": "This is"}, {"type": "text", "text": " cat"}]})
    details = reply.usage.completion_tokens_details
    assert details.accepted_prediction_tokens == 2 and details.rejected_prediction_tokens == 1


def test_a_spoken_reply_can_be_referenced_in_the_next_turn(client):
    first = speak(client, "wav").choices[0].message.audio
    follow_up = client.chat.completions.create(
        model=AUDIO_MODEL, modalities=["text", "audio"], audio={"voice": "alloy", "format": "wav"},
        messages=[*USER, {"role": "assistant", "audio": {"id": first.id}}, {"role": "user", "content": "Why?"}])
    assert 'You said: "Why?"' in follow_up.choices[0].message.audio.transcript
