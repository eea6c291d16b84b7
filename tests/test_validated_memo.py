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
    tenants = ["other", "other", "acme", "other"]  # kept from the second sighting: the third is a copy
    answers = [post(emu, BODY, **{"x-tenant": tenant}) for tenant in tenants]
    assert [a.json()["choices"][0]["message"]["content"] == "for acme" for a in answers] == [False, False, True, False]
    journaled = emu.requests[-4:]
    assert [e.headers["x-tenant"] for e in journaled] == tenants
    assert [e.matched for e in journaled] == ["builtin", "builtin", "tenant", "builtin"]
    assert journaled[2].body == {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Same bytes every time."}]}


def test_the_same_bytes_under_another_profile_are_validated_by_it(emu):
    lenient = [post(emu, LENIENT_BODY, **{"x-emulator-profile": "lenient"}) for _ in range(3)]
    strict = post(emu, LENIENT_BODY)
    assert [a.status_code for a in lenient] == [200, 200, 200]
    assert [a.headers["x-emulator-ignored-fields"] for a in lenient] == ["litellm_metadata"] * 3
    assert strict.status_code == 400 and strict.json()["error"]["param"] == "litellm_metadata"


def test_rate_limits_count_every_identical_request(make_emulator):
    emu = make_emulator(requests_per_minute=2, enforce_rate_limits=True)
    answers = [post(emu, BODY) for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 429]
    assert answers[1].headers["x-ratelimit-remaining-requests"] == "0"


def test_a_refused_key_is_refused_for_a_body_seen_before(make_emulator):
    emu = make_emulator(api_keys=("sk-good",))
    assert [post(emu, BODY, authorization="Bearer sk-good").status_code for _ in range(3)] == [200, 200, 200]
    refused = post(emu, BODY, authorization="Bearer sk-bad")
    assert refused.status_code == 401 and refused.json()["error"]["code"] == "invalid_api_key"


def test_stored_identical_requests_are_each_stored(emu):
    body = BODY[:-1] + b',"store":true}'
    ids = [post(emu, body).json()["id"] for _ in range(3)]
    listed = httpx.get(emu.base_url + "/chat/completions", headers={"authorization": "Bearer sk-test"}).json()
    assert set(ids) <= {c["id"] for c in listed["data"]}


def test_identical_embeddings_bodies_match_scenarios_by_each_requests_headers_and_key(emu):
    emu.add_scenario({"name": "tenant-vector", "match": {"api": "embeddings", "headers": {"x-tenant": {"equals": "acme"}}},
                      "reply": {"embedding": [3, 4]}})
    body = b'{"model":"text-embedding-3-small","input":"Same bytes every time.","encoding_format":"float"}'
    tenants = ["other", "other", "acme", "other"]  # kept from the second sighting: the third is a copy
    answers = [httpx.post(emu.base_url + "/embeddings", content=body,
                          headers={"content-type": "application/json", "authorization": f"Bearer sk-{n}",
                                   "x-tenant": tenant}) for n, tenant in enumerate(tenants)]
    assert [a.json()["data"][0]["embedding"][:2] == [0.6000000238418579, 0.800000011920929] for a in answers] == [False, False, True, False]
    assert answers[0].json() == answers[3].json()
    journaled = emu.requests[-4:]
    assert [e.headers["authorization"] for e in journaled] == [f"Bearer sk-{n}" for n in range(4)]
    assert [e.matched for e in journaled] == ["builtin", "builtin", "tenant-vector", "builtin"]


def test_identical_responses_bodies_store_their_input_items_under_their_own_ids(emu):
    body = (b'{"model":"gpt-4o-mini","input":[{"role":"user","content":"Same bytes."},'
            b'{"type":"message","id":"msg_given","role":"user","content":"Again."}]}')
    headers = {"content-type": "application/json", "authorization": "Bearer sk-test"}
    ids = [httpx.post(emu.base_url + "/responses", content=body, headers=headers).json()["id"] for _ in range(4)]
    listed = [httpx.get(f"{emu.base_url}/responses/{rid}/input_items", headers=headers).json()["data"] for rid in ids]
    drawn = [items[-1]["id"] for items in listed]  # listed newest first: the first item is last
    assert len(set(drawn)) == 4  # each response its own id for the item that came without one
    assert all(d.startswith("msg_" + rid[5:21]) for d, rid in zip(drawn, ids, strict=True))  # sharing the response's stem
    assert all(items[0]["id"] == "msg_given" for items in listed)
    assert all([{k: v for k, v in i.items() if k != "id"} for i in items] ==
               [{k: v for k, v in i.items() if k != "id"} for i in listed[0]] for items in listed)


def test_identical_responses_bodies_with_several_drawn_items_store_each_item_under_its_own_id(emu):
    body = (b'{"model":"gpt-4o-mini","input":[{"role":"user","content":"First."},'
            b'{"type":"message","id":"msg_given","role":"user","content":"Given."},'
            b'{"role":"assistant","content":"Second."},{"role":"user","content":"Third, with \\"quotes\\"."}]}')
    headers = {"content-type": "application/json", "authorization": "Bearer sk-test"}
    ids = [httpx.post(emu.base_url + "/responses", content=body, headers=headers).json()["id"] for _ in range(3)]
    listed = [httpx.get(f"{emu.base_url}/responses/{rid}/input_items", headers=headers).json()["data"] for rid in ids]
    for rid, items in zip(ids, listed, strict=True):
        drawn = [item["id"] for item in items if item["id"] != "msg_given"]
        assert len(drawn) == 3 and all(d.startswith("msg_" + rid[5:21]) and len(d) == 54 for d in drawn)
        assert [item["content"][0]["text"] for item in items] == ['Third, with "quotes".', "Second.", "Given.", "First."]
    everyone = [item["id"] for items in listed for item in items if item["id"] != "msg_given"]
    assert len(set(everyone)) == 9  # every response draws its own ids
