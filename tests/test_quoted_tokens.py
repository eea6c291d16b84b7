"""The built-in model quotes the user in two parts that tokenize separately (`model/text.py`): the
parts' tokens must be the tokens tiktoken gives the whole reply, or usage and streamed chunks would
differ from the text."""
from __future__ import annotations

from hypothesis import given, strategies as st

from emulator.model import text
from emulator.tokens import tokenize_parts
from test_bpe import NAMES, PROPERTY, tiktoken_encoding

# What users end a message with: words, numbers, contractions, runs of punctuation, other scripts.
SAID = st.lists(st.sampled_from(["Hello", "today", "1234", "7", "?", "!", "...", "'", "'s", "it's", '"', ")", "/",
                                 "_", "x2", "é", "日本", "🦩", "\u0301", " ", "  ", "\n", "We'LL", "CamelCase"]),
                min_size=1, max_size=12).map("".join)


@PROPERTY
@given(said=SAID, name=st.sampled_from(NAMES))
def test_the_quoted_parts_tokenize_as_the_whole_reply_does(said, name):
    parts = ["This is the chat-emulator built-in model (gpt-4o).", *text._quoted(text.quote(said)),
             " Streaming this reply gives the same text, one token per chunk."]
    encoding = tiktoken_encoding(name)
    expected = [encoding.decode_single_token_bytes(i).decode("utf-8", "surrogateescape")
                for i in encoding.encode_ordinary("".join(parts))]
    assert tokenize_parts(parts, name) == expected


def test_a_quote_ending_in_a_word_and_marks_is_cut_before_the_marks():
    assert text._quoted("How are you today?") == [' You said: "How are you today', '?".']
    assert text._quoted("Hello 1234") == [' You said: "Hello 1234', '".']
    assert text._quoted("日本?") == [' You said: "日本?".']
