"""A bounded fuzz run: generated adversarial bodies and schemas never get a 5xx, and the server
answers an ordinary request afterwards (issue: "no request can stall, bloat or crash the server")."""
from __future__ import annotations

import json
from typing import Any

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

HELLO = [{"role": "user", "content": "hello"}]
NASTY_PATTERNS = ["^(a+)+$", "^(a+)+(?<=b)$", "(", "^(a{1000}){10000}$", "[\\ud800-\\udfff]", "(a)\\2",
                  "a{99999999999}", "(" * 40 + "a" + ")" * 40, "^(?=.*\\d)(?!.*\\.\\.)[a-z\\d.]{8}$", "\\p{L}+",
                  "(?P<x>a)(?P=x)", ""]
NASTY_STRINGS = ["\ud800", "a" * 40 + "b", "\x00", "€", "\\", '"', "😀"]
NASTY_NUMBERS = [0, -1, 1e-300, 1e300, 1e308, -1e308, 0.1, 3, 2**63, 1_000_000, 10**9]
REFS = ["#", "#/$defs/a", "#/$defs/missing", "https://example.com/s.json", "file:///etc/passwd", "#/properties/x"]

scalars = st.one_of(st.none(), st.booleans(), st.sampled_from(NASTY_NUMBERS), st.sampled_from(NASTY_STRINGS),
                    st.integers(), st.text(max_size=8))
keywords = {
    "type": st.sampled_from(["string", "integer", "number", "boolean", "null", "object", "array", ["string", "null"],
                             "nonsense"]),
    "pattern": st.sampled_from(NASTY_PATTERNS),
    "minLength": st.sampled_from(NASTY_NUMBERS), "maxLength": st.sampled_from(NASTY_NUMBERS),
    "minItems": st.sampled_from(NASTY_NUMBERS), "maxItems": st.sampled_from(NASTY_NUMBERS),
    "minProperties": st.sampled_from(NASTY_NUMBERS), "uniqueItems": st.booleans(),
    "minimum": st.sampled_from(NASTY_NUMBERS), "maximum": st.sampled_from(NASTY_NUMBERS),
    "exclusiveMinimum": st.sampled_from(NASTY_NUMBERS), "multipleOf": st.sampled_from(NASTY_NUMBERS),
    "format": st.sampled_from(["regex", "date-time", "email", "uri", "uuid", "duration", "unknown"]),
    "$ref": st.sampled_from(REFS), "enum": st.lists(scalars, max_size=4), "const": scalars,
    "examples": st.lists(scalars, max_size=2), "additionalProperties": st.booleans(),
}


def schemas() -> st.SearchStrategy[Any]:
    leaf = st.fixed_dictionaries({}, optional=keywords)
    return st.recursive(leaf, lambda inner: st.one_of(
        st.builds(lambda props, req, extra: {"type": "object", "properties": props, "required": req, **extra},
                  st.dictionaries(st.sampled_from(["x", "y", "a" * 40 + "b", "\ud800"]), inner, max_size=3),
                  st.lists(st.sampled_from(["x", "y", "z"]), max_size=3),
                  st.fixed_dictionaries({}, optional={"patternProperties": st.dictionaries(
                      st.sampled_from(NASTY_PATTERNS), inner, max_size=2),
                      "$defs": st.dictionaries(st.just("a"), inner, max_size=1),
                      "additionalProperties": st.booleans(), "minProperties": st.sampled_from(NASTY_NUMBERS)})),
        st.builds(lambda items, extra: {"type": "array", "items": items, **extra}, inner,
                  st.fixed_dictionaries({}, optional={"minItems": st.sampled_from(NASTY_NUMBERS),
                                                      "uniqueItems": st.booleans()})),
        st.builds(lambda branches, key: {key: branches}, st.lists(inner, min_size=1, max_size=3),
                  st.sampled_from(["anyOf", "oneOf", "allOf"])),
    ), max_leaves=5)


@st.composite
def bodies(draw: st.DrawFn) -> bytes:
    body: dict[str, Any] = {"model": draw(st.sampled_from(["gpt-4o", "gpt-5", "o3-mini"])),
                            "messages": [{"role": "user", "content": draw(st.sampled_from(NASTY_STRINGS + ["hi"]))}]}
    strict = draw(st.booleans())
    where = draw(st.sampled_from(["tool", "response_format", "custom", "json_mode", "extra"]))
    schema = draw(schemas())
    if where == "tool":
        body["tools"] = [{"type": "function", "function": {"name": "f", "parameters": schema, "strict": strict}}]
        body["tool_choice"] = "required"
    elif where == "response_format":
        body["response_format"] = {"type": "json_schema", "json_schema": {"name": "o", "schema": schema,
                                                                          "strict": strict}}
    elif where == "custom":
        body["tools"] = [{"type": "custom", "custom": {"name": "g", "format": {
            "type": "grammar", "grammar": {"syntax": "regex", "definition": draw(st.sampled_from(NASTY_PATTERNS))}}}}]
        body["tool_choice"] = "required"
    elif where == "json_mode":  # the schema written in the message, as JSON-mode clients do
        depth = draw(st.sampled_from([0, 0, 3000]))
        text = json.dumps({"properties": schema}).replace("{", "{" * (depth > 0), 1)
        body["messages"][0]["content"] = "Reply in json: " + "[" * depth + text + "]" * depth
        body["response_format"] = {"type": "json_object"}
    else:
        body[draw(st.sampled_from(["metadata", "temperature", "n", "logit_bias", "stop"]))] = schema
    # Mostly with a budget: without one, a hostile schema is written to the model's whole output limit.
    budget = draw(st.sampled_from([None, 1, 17, 64, 300]))
    if budget is not None:
        body["max_completion_tokens"] = budget
    raw = json.dumps(body).encode("utf-8", "surrogatepass")
    mangle = draw(st.sampled_from(["none", "none", "bom", "nan", "deep", "cut"]))
    if mangle == "bom":
        raw = b"\xef\xbb\xbf" + raw
    elif mangle == "nan":
        raw = raw.replace(b'"model"', b'"temperature": NaN, "model"', 1)
    elif mangle == "deep":
        raw = raw[:-1] + b', "deep": ' + b"[" * 3000 + b"]" * 3000 + b"}"
    elif mangle == "cut":
        raw = raw[: draw(st.integers(0, len(raw)))]
    return raw


@settings(max_examples=80, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.data_too_large])
@given(raw=bodies())
def test_adversarial_bodies_never_get_a_server_error(http: httpx.Client, raw: bytes) -> None:
    response = http.post("/chat/completions", content=raw, headers={"content-type": "application/json"})
    assert response.status_code < 500, (raw[:300], response.text[:300])
    assert "error" in response.json() or response.json()["object"] == "chat.completion"


@st.composite
def vllm_bodies(draw: st.DrawFn) -> bytes:
    """vLLM's guided decoding reads JSON and regexes from strings: the same hostility there."""
    body: dict[str, Any] = {"model": "meta-llama/Llama-3.1-8B-Instruct",
                            "messages": [{"role": "user", "content": draw(st.sampled_from(NASTY_STRINGS))}]}
    kind = draw(st.sampled_from(["guided_json", "guided_json_text", "guided_regex", "guided_grammar",
                                 "guided_choice"]))
    if kind == "guided_json":
        body[kind] = draw(schemas())
    elif kind == "guided_json_text":
        body["guided_json"] = json.dumps(draw(schemas()))
    elif kind == "guided_regex":
        body[kind] = draw(st.sampled_from(NASTY_PATTERNS))
    elif kind == "guided_grammar":
        body[kind] = 'root ::= "' + draw(st.sampled_from(["\\ud800", "a", "\\u0000", '\\"'])) + '" | "b"'
    else:
        body[kind] = draw(st.lists(st.sampled_from(NASTY_STRINGS), max_size=3))
    if draw(st.booleans()):
        body["max_tokens"] = draw(st.integers(1, 300))
    return json.dumps(body).encode("utf-8", "surrogatepass")


@settings(max_examples=25, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.data_too_large])
@given(raw=vllm_bodies())
def test_adversarial_guided_decoding_never_gets_a_server_error(make_emulator: Any, raw: bytes) -> None:
    vllm = make_emulator(profile="vllm")
    with httpx.Client(base_url=vllm.base_url, headers={"Authorization": "Bearer sk-test"}) as http:
        response = http.post("/chat/completions", content=raw, headers={"content-type": "application/json"})
        assert response.status_code < 500, (raw[:300], response.text[:300])


def test_the_server_answers_normally_after_the_fuzz_run(http: httpx.Client) -> None:
    response = http.post("/chat/completions", json={"model": "gpt-4o", "messages": HELLO})
    assert response.status_code == 200
    assert response.json()["choices"][0]["finish_reason"] == "stop"
