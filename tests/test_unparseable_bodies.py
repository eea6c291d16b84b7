"""Bodies a strict JSON parser refuses get the live "could not parse the JSON body" error, never a
500: other encodings than UTF-8, NaN and Infinity, lone surrogates, and nesting too deep to walk."""
from __future__ import annotations

import json

import pytest

CHAT = {"model": "gpt-4o", "messages": [{"role": "user", "content": "hello"}]}
VALID = json.dumps(CHAT)
PARSE_ERROR = "We could not parse the JSON body of your request."


def nested(depth: int) -> bytes:
    return json.dumps({**CHAT, "metadata_like": None}).replace("null", "[" * depth + "]" * depth).encode()


@pytest.mark.parametrize("raw", [
    b"\xef\xbb\xbf" + VALID.encode(),
    VALID.encode("utf-16"),
    VALID.encode("utf-16-le"),
    VALID.encode("utf-32"),
    VALID.replace('"gpt-4o"', '"gpt-4o", "temperature": NaN').encode(),
    VALID.replace('"gpt-4o"', '"gpt-4o", "temperature": Infinity').encode(),
    VALID.replace('"gpt-4o"', '"gpt-4o", "temperature": -Infinity').encode(),
    VALID.replace("hello", "\\ud800").encode(),
    VALID.replace("hello", "\\udfff and \\ud83d").encode(),
    VALID.replace('"role"', '"\\ud800"').encode(),
    VALID.replace("hello", "\udcff").encode("utf-8", "surrogatepass"),  # an encoded surrogate: not UTF-8
    nested(1000),
    nested(200),
], ids=["bom", "utf-16", "utf-16-le", "utf-32", "nan", "infinity", "-infinity", "lone-high", "lone-low",
        "lone-in-key", "encoded-surrogate", "nested-1000", "nested-200"])
def test_refused_as_unparseable(http, raw):
    response = http.post("/chat/completions", content=raw, headers={"content-type": "application/json"})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["message"].startswith(PARSE_ERROR)
    assert (error["type"], error["param"], error["code"]) == ("invalid_request_error", None, None)
    assert http.post("/chat/completions", json=CHAT).status_code == 200  # and the next request is answered


def test_an_escaped_surrogate_pair_is_a_character(client):
    # Clients that escape non-ASCII (json.dumps's default) send emoji as \ud83d\ude00.
    completion = client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "hi 😀"}])
    assert "hi 😀" in completion.choices[0].message.content


def test_nesting_within_the_limit_reaches_validation(http):
    response = http.post("/chat/completions", content=nested(100), headers={"content-type": "application/json"})
    assert response.status_code == 400
    assert response.json()["error"]["message"] != PARSE_ERROR  # parsed; refused for its unknown field
    assert "metadata_like" in response.json()["error"]["message"]
