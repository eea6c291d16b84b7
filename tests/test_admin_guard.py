"""The admin API and inspector answer their own origin only: a page elsewhere (or a page whose name was
rebound to 127.0.0.1) can neither drive nor read them, while the chat API keeps its CORS. Over a real
socket, sending what a browser would send."""
from __future__ import annotations

import json

import httpx
import openai
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

EVIL = "http://evil.example"
CATCH_ALL = {"name": "pwned", "reply": {"content": "attacker's text"}}
JSON = {"content-type": "application/json"}


def assert_refused(response: httpx.Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    assert set(response.json()["error"]) == {"message", "type", "param", "code"}
    assert response.json()["error"]["code"] == code
    assert "access-control-allow-origin" not in response.headers


def test_a_page_on_another_origin_cannot_add_a_scenario_reset_or_read(emu):
    url = emu.url + "/_emulator"
    # A "simple" request (no preflight): text/plain, as a page's fetch or form can send.
    assert_refused(httpx.post(url + "/scenarios", content=json.dumps(CATCH_ALL),
                              headers={"origin": EVIL, "content-type": "text/plain"}), 403, "origin_not_allowed")
    assert_refused(httpx.post(url + "/reset", headers={"origin": EVIL, **JSON}), 403, "origin_not_allowed")
    assert_refused(httpx.get(url + "/requests", headers={"origin": EVIL}), 403, "origin_not_allowed")
    assert_refused(httpx.get(url + "/requests/stream", headers={"origin": "null"}), 403, "origin_not_allowed")
    assert emu.list_scenarios()["data"] == []
    answer = openai.OpenAI(base_url=emu.base_url, api_key="sk-victim", max_retries=0).chat.completions.create(
        model="gpt-4o-mini", messages=[{"role": "user", "content": "hi"}])
    assert answer.choices[0].message.content != "attacker's text"


def test_preflights_from_other_origins_are_refused_and_no_admin_answer_carries_cors(emu):
    preflight = httpx.options(emu.url + "/_emulator/scenarios", headers={
        "origin": EVIL, "access-control-request-method": "POST", "access-control-request-headers": "content-type"})
    assert_refused(preflight, 403, "origin_not_allowed")
    same_origin = httpx.get(emu.url + "/_emulator/health", headers={"origin": emu.url})
    assert same_origin.status_code == 200 and "access-control-allow-origin" not in same_origin.headers
    # The chat API's own CORS is as it was: any origin by default.
    api = httpx.options(emu.base_url + "/chat/completions", headers={
        "origin": EVIL, "access-control-request-method": "POST", "access-control-request-headers": "authorization"})
    assert api.status_code == 200 and api.headers["access-control-allow-origin"] == "*"


def test_dns_rebinding_a_foreign_host_name_is_refused(emu):
    """A page at http://attacker.example:PORT whose name now resolves to 127.0.0.1 is same-origin with
    itself; its `Host` gives it away."""
    rebound = f"attacker.example:{emu.port}"
    assert_refused(httpx.get(emu.url + "/_emulator/requests", headers={"host": rebound}), 403, "host_not_allowed")
    assert_refused(httpx.post(emu.url + "/_emulator/scenarios", json=CATCH_ALL,
                              headers={"host": rebound, "origin": f"http://{rebound}"}), 403, "host_not_allowed")
    for host in (f"localhost:{emu.port}", f"127.0.0.1:{emu.port}", f"[::1]:{emu.port}", f"app.localhost:{emu.port}"):
        assert httpx.get(emu.url + "/_emulator/health", headers={"host": host}).status_code == 200, host
    # The chat API answers any Host (SDKs behind proxies and containers name it as they like).
    chat = httpx.post(emu.base_url + "/chat/completions", headers={"host": rebound, "authorization": "Bearer sk-x"},
                      json={"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]})
    assert chat.status_code == 200


def test_cross_site_subresource_requests_are_refused_but_navigation_is_not(emu):
    """`<script src>` or `<img src>` from another site sends no Origin, but browsers say where it came from."""
    script = httpx.get(emu.url + "/_emulator/requests", headers={"sec-fetch-site": "cross-site",
                                                                  "sec-fetch-mode": "no-cors"})
    assert_refused(script, 403, "origin_not_allowed")
    link = httpx.get(emu.url + "/_emulator/", headers={"sec-fetch-site": "cross-site", "sec-fetch-mode": "navigate"})
    assert link.status_code == 200 and link.headers["content-type"].startswith("text/html")


def test_admin_writes_take_json_only(emu):
    url = emu.url + "/_emulator/scenarios"
    for content_type in ("text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"):
        assert_refused(httpx.post(url, content=json.dumps(CATCH_ALL), headers={"content-type": content_type}),
                       415, "unsupported_content_type")
    assert_refused(httpx.post(emu.url + "/_emulator/reset"), 415, "unsupported_content_type")
    assert_refused(httpx.put(url, content=json.dumps([CATCH_ALL])), 415, "unsupported_content_type")
    assert emu.list_scenarios()["data"] == []
    assert httpx.post(url, json=CATCH_ALL).json() == {"added": ["pwned"]}  # what a program sends
    assert httpx.post(emu.url + "/_emulator/reset", headers=JSON).json() == {"reset": True}


def test_allowed_origins_and_hosts_open_it_deliberately(make_emulator):
    app = "http://localhost:5173"
    emu = make_emulator(admin_cors_origins=(app,), allowed_hosts=("emulator.test", ".docker.internal"))
    preflight = httpx.options(emu.url + "/_emulator/scenarios", headers={
        "origin": app, "access-control-request-method": "POST", "access-control-request-headers": "content-type"})
    assert preflight.status_code == 200 and preflight.headers["access-control-allow-origin"] == app
    added = httpx.post(emu.url + "/_emulator/scenarios", json=CATCH_ALL, headers={"origin": app})
    assert added.status_code == 200 and added.headers["access-control-allow-origin"] == app
    assert_refused(httpx.get(emu.url + "/_emulator/health", headers={"origin": EVIL}), 403, "origin_not_allowed")
    for host in ("emulator.test", "host.docker.internal:8000"):
        assert httpx.get(emu.url + "/_emulator/health", headers={"host": host}).status_code == 200, host
    assert_refused(httpx.get(emu.url + "/_emulator/health", headers={"host": "emulator.test.evil.example"}),
                   403, "host_not_allowed")


def test_with_a_token_any_host_name_may_reach_it(make_emulator):
    """Behind a token (e.g. `http://emulator:8000` between containers) the Host is not checked: no page can
    know the token. Foreign origins are still refused."""
    emu = make_emulator(admin_token="s3cret")
    bearer = {"authorization": "Bearer s3cret"}
    assert httpx.get(emu.url + "/_emulator/health", headers={"host": "emulator:8000", **bearer}).status_code == 200
    assert_refused(httpx.get(emu.url + "/_emulator/health", headers={"origin": EVIL, **bearer}), 403,
                   "origin_not_allowed")


ADMIN_CALLS = st.sampled_from([
    ("POST", "/scenarios"), ("PUT", "/scenarios"), ("POST", "/faults"), ("POST", "/pacing"),
    ("POST", "/sequences/reset"), ("GET", "/requests"), ("DELETE", "/scenarios/x"), ("GET", "/requests/1")])
TEXT = st.text(st.characters(exclude_categories=()), max_size=12) | st.sampled_from(["\ud800", "a\r\nb", "(", ""])
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
        st.sampled_from(["name", "reply", "count", "error", "fault", "match", "ttft_ms", "tokens_per_second",
                         "chunk_tokens", "namespace", "content", "headers", "scenarios", "x"]) | TEXT, inner,
        max_size=4),
    max_leaves=12)
QUERIES = st.dictionaries(st.sampled_from(["limit", "after", "status", "path", "q", "detail", "model"]),
                          st.text(max_size=8) | st.sampled_from(["-1", "1e309", "99999999999999999999"]), max_size=3)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(call=ADMIN_CALLS, body=JSON_VALUES, query=QUERIES)
def test_admin_inputs_never_get_a_server_error(server, call, body, query):
    method, path = call
    content = json.dumps(body).encode()  # NaN and Infinity included, as Python's json writes them
    response = httpx.request(method, server.url + "/_emulator" + path, content=content, params=query,
                             headers=JSON)
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        assert set(response.json()["error"]) == {"message", "type", "param", "code"}
    server.reset()


@pytest.fixture(autouse=True)
def _clean(server):
    yield
    server.reset()
