"""Identical bodies skip validation (endpoints/validated.py): each request must still be its own.

The same bytes sent again reuse the first request's validation; what differs between the two
requests (headers, key, profile) must still decide the answer, the journal and the limits."""
from __future__ import annotations

import httpx

BODY = b'{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Same bytes every time."}]}'
LENIENT_BODY = b'{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}],"litellm_metadata":{"a":1}}'


def post(emu, body: bytes, **headers: str) -> httpx.Response:
    headers = {"content-type": "application/json", "authorization": "Bearer sk-test", **headers}
    return httpx.post(emu.base_url + "/chat/completions", content=body, headers=headers)


def test_the_same_bytes_match_scenarios_by_each_requests_headers(emu):
    emu.add_scenario({"name": "tenant", "match": {"headers": {"x-tenant": {"equals": "acme"}}},
                      "reply": {"content": "for acme"}})
    first, second = post(emu, BODY, **{"x-tenant": "acme"}), post(emu, BODY, **{"x-tenant": "other"})
    assert first.json()["choices"][0]["message"]["content"] == "for acme"
    assert second.json()["choices"][0]["message"]["content"] != "for acme"
    journaled = emu.requests[-2:]
    assert [e.headers["x-tenant"] for e in journaled] == ["acme", "other"]
    assert [e.matched for e in journaled] == ["tenant", "builtin"]
    assert journaled[1].body == {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Same bytes every time."}]}


def test_the_same_bytes_under_another_profile_are_validated_by_it(emu):
    lenient = post(emu, LENIENT_BODY, **{"x-emulator-profile": "lenient"})
    strict = post(emu, LENIENT_BODY)
    again = post(emu, LENIENT_BODY, **{"x-emulator-profile": "lenient"})
    assert lenient.status_code == again.status_code == 200
    assert lenient.headers["x-emulator-ignored-fields"] == again.headers["x-emulator-ignored-fields"] == "litellm_metadata"
    assert strict.status_code == 400 and strict.json()["error"]["param"] == "litellm_metadata"


def test_rate_limits_count_every_identical_request(make_emulator):
    emu = make_emulator(requests_per_minute=2, enforce_rate_limits=True)
    answers = [post(emu, BODY) for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 429]
    assert answers[1].headers["x-ratelimit-remaining-requests"] == "0"


def test_a_refused_key_is_refused_for_a_body_seen_before(make_emulator):
    emu = make_emulator(api_keys=("sk-good",))
    assert post(emu, BODY, authorization="Bearer sk-good").status_code == 200
    refused = post(emu, BODY, authorization="Bearer sk-bad")
    assert refused.status_code == 401 and refused.json()["error"]["code"] == "invalid_api_key"


def test_stored_identical_requests_are_each_stored(emu):
    body = BODY[:-1] + b',"store":true}'
    ids = [post(emu, body).json()["id"] for _ in range(2)]
    listed = httpx.get(emu.base_url + "/chat/completions", headers={"authorization": "Bearer sk-test"}).json()
    assert set(ids) <= {c["id"] for c in listed["data"]}
