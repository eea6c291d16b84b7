"""The admin API under `/_emulator/` and its Python twin, the `Emulator`'s own methods: every operation through both
doors, errors in the OpenAI envelope, the OpenAPI description, and the token rules."""
from __future__ import annotations

import json
import threading

import httpx
import openai
import pytest
from starlette.testclient import TestClient

from emulator import Emulator, __version__
from emulator.admin.auth import binding_warnings
from emulator.admin.routes import admin_routes
from emulator.app import build_app
from emulator.config import Settings
from emulator.state import EmulatorState

USER = [{"role": "user", "content": "hello there"}]
GREETING = {"name": "greeting", "match": {"last_user": {"contains": "hello"}}, "reply": {"content": "Hi from a scenario"}}


@pytest.fixture
def admin(emu):
    with httpx.Client(base_url=emu.url + "/_emulator") as client:
        yield client


@pytest.fixture
def client(emu):
    return openai.OpenAI(base_url=emu.base_url, api_key="sk-admin-test", max_retries=0)


def ask(client, text="hello there", **options):
    return client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": text}], **options)


def assert_envelope(response: httpx.Response, status: int, code: str | None, param: str | None = None):
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert set(error) == {"message", "type", "param", "code"}
    assert error["code"] == code and error["param"] == param and error["message"]
    return error


# --- health, version, OpenAPI ----------------------------------------------------------------------

def test_health_and_version(emu, admin):
    health = admin.get("/health").json()
    assert health["status"] == "ok" and health["journal"]["entries"] == 0
    assert admin.get("/version").json() == {"version": __version__, "openai_version": "2020-10-01", "profile": "openai"}
    assert emu.version()["version"] == __version__
    assert emu.health()["status"] == "ok"


def test_openapi_describes_every_admin_route(admin):
    spec = admin.get("/openapi.json").json()
    assert spec["openapi"].startswith("3.1.")
    assert spec["info"]["title"] and spec["info"]["version"] == __version__
    documented = {(path, method.upper()) for path, item in spec["paths"].items() for method in item}
    served = {(route.path.removeprefix("/_emulator").replace("{id:int}", "{id}") or "/", method)
              for route in admin_routes() for method in route.methods - {"HEAD"}}
    served.discard(("/static/{name}", "GET"))  # the page's own CSS and JavaScript
    assert documented == served
    for item in spec["paths"].values():
        for operation in item.values():
            assert operation["responses"] and operation["operationId"] and operation["summary"]
    refs = set()

    def collect(node):
        if isinstance(node, dict):
            refs.update(v for k, v in node.items() if k == "$ref")
            for value in node.values():
                collect(value)
        elif isinstance(node, list):
            for value in node:
                collect(value)

    collect(spec)
    for ref in refs:  # every reference resolves
        target = spec
        for part in ref.removeprefix("#/").split("/"):
            target = target[part]


# --- the journal --------------------------------------------------------------------------------------

def test_list_filter_get_and_clear_requests(emu, admin, client):
    ask(client, "first question")
    list(ask(client, "zebra stripes", stream=True))
    with pytest.raises(openai.BadRequestError):
        ask(client, "bad", temperature=9)
    client.models.list()

    listed = admin.get("/requests").json()
    assert [(e["path"], e["status"]) for e in listed["data"]] == [
        ("/v1/chat/completions", 200), ("/v1/chat/completions", 200), ("/v1/chat/completions", 400),
        ("/v1/models", 200)]
    models = listed["data"].pop()
    assert models["method"] == "GET" and models["matched"] is None
    assert admin.get(f"/requests/{models['id']}").json()["response"]["object"] == "list"
    first = listed["data"][0]
    assert first["method"] == "POST" and first["path"] == "/v1/chat/completions"
    assert first["model"] == "gpt-4o-mini" and first["matched"] == "builtin" and first["usage"]["total_tokens"] > 0
    assert listed["data"][2]["error"].startswith("Invalid 'temperature'")
    assert listed["journal"]["entries"] == 4

    ids = [e["id"] for e in listed["data"]]
    assert [e["id"] for e in admin.get("/requests", params={"status": "4xx"}).json()["data"]] == [ids[2]]
    assert [e["id"] for e in admin.get("/requests", params={"status": "200", "path": "chat"}).json()["data"]] == ids[:2]
    assert [e["id"] for e in admin.get("/requests", params={"q": "ZEBRA"}).json()["data"]] == [ids[1]]
    assert [e["id"] for e in admin.get("/requests", params={"after": ids[0]}).json()["data"]] == ids[1:] + [models["id"]]
    assert [e["id"] for e in admin.get("/requests", params={"limit": 1}).json()["data"]] == [models["id"]]
    assert [e["id"] for e in admin.get("/requests", params={"path": "/v1/models"}).json()["data"]] == [models["id"]]
    assert [e.id for e in emu.find_requests(text="zebra")] == [ids[1]]
    assert [e.id for e in emu.find_requests(status="4xx", matched=None)] == [ids[2]]

    detail = admin.get(f"/requests/{ids[1]}").json()
    assert detail["request"]["messages"][0]["content"] == "zebra stripes" and detail["stream"] is True
    assert detail["events"][-1]["data"] == "data: [DONE]\n\n"
    assert all(e["offset_ms"] is not None for e in detail["events"])
    assert detail["headers"]["authorization"] == "Bearer ...test"  # keys stay out of the inspector
    assert emu.request(ids[1]).body["messages"][0]["content"] == "zebra stripes"

    assert_envelope(admin.get("/requests/999999"), 404, "request_not_found", "id")
    assert admin.delete("/requests").json() == {"cleared": True}
    assert admin.get("/requests").json()["data"] == [] and emu.requests == []
    ask(client)
    emu.clear_requests()
    assert emu.requests == []


def test_bad_filters_get_the_envelope(admin):
    assert_envelope(admin.get("/requests", params={"status": "teapot"}), 400, "invalid_value", "status")
    assert_envelope(admin.get("/requests", params={"after": "x"}), 400, "invalid_type", "after")
    assert_envelope(admin.get("/requests", params={"limit": "-1"}), 400, "invalid_value", "limit")


def next_event(lines) -> tuple[str, dict]:
    """The live feed's next event, as (name, data)."""
    name = data = None
    for line in lines:
        if line.startswith("event: "):
            name = line[7:]
        elif line.startswith("data: "):
            data = json.loads(line[6:])
        elif line == "" and name:
            return name, data
    raise AssertionError("stream ended")


def test_live_stream_sends_new_entries(emu, client):
    ask(client, "before")
    before = emu.requests[-1].id
    with httpx.stream("GET", emu.url + "/_emulator/requests/stream", params={"after": before - 1}, timeout=10) as stream:
        assert stream.headers["content-type"].startswith("text/event-stream")
        lines = stream.iter_lines()
        events = [next_event(lines)]  # the backlog: the entry after `after`
        ask(client, "during")
        events.append(next_event(lines))
        emu.clear_requests()  # from another thread
        events.append(next_event(lines))
    assert events[0][0] == "request" and events[0][1]["id"] == before
    assert events[1][0] == "request" and events[1][1]["id"] == before + 1 and events[1][1]["matched"] == "builtin"
    assert events[2] == ("cleared", {})


def paced_stream(client, api: str) -> None:
    """A stream that waits 100 ms for its first chunk, read to its last byte."""
    pace = {"x-emulator-ttft-ms": "100", "x-emulator-tokens-per-second": "200"}
    if api == "chat":
        list(ask(client, stream=True, extra_headers=pace))
    else:
        list(client.responses.create(model="gpt-4o-mini", input="hello there", stream=True, extra_headers=pace))


@pytest.mark.parametrize("api", ["chat", "responses"])
def test_the_live_feed_updates_a_paced_stream_with_its_time_to_the_last_byte(emu, client, api):
    # The inspector's Duration column: the entry arrives when the endpoint hands the stream over, and is
    # sent again once its last byte has gone out, with the duration to that byte.
    ask(client, "before")
    with httpx.stream("GET", emu.url + "/_emulator/requests/stream", params={"after": emu.requests[-1].id},
                      timeout=5) as feed:
        lines = feed.iter_lines()
        paced_stream(client, api)
        handed_over = next_event(lines)
        ended = next_event(lines)
    entry = emu.requests[-1]
    assert handed_over[0] == "request" and handed_over[1]["id"] == entry.id
    assert ended[0] == "updated" and ended[1]["id"] == entry.id and ended[1]["delivery"] == "complete"
    assert ended[1]["ttft_ms"] >= 100 * 0.9  # asyncio may fire a timer a hair early
    assert ended[1]["duration_ms"] >= entry.event_offsets_ms[-1] > handed_over[1]["duration_ms"]


# --- pacing for the next N streams ----------------------------------------------------------------------

def stream_offsets(emu):
    return emu.requests[-1].event_offsets_ms


def waited(offsets, ttft_ms):
    """The first event waited for its time to first token (asyncio may fire a timer a hair early)."""
    return offsets[0] >= ttft_ms * 0.9


def unpaced(offsets):
    return len(set(offsets)) == 1  # every event went out in one write


def test_pacing_for_the_next_streams_over_http(emu, admin, client):
    state = admin.post("/pacing", json={"count": 2, "ttft_ms": 120, "tokens_per_second": 1000}).json()
    assert state == {"next": {"ttft_ms": 120.0, "tokens_per_second": 1000.0, "chunk_tokens": 1, "remaining": 2}}
    list(ask(client, stream=True))
    list(ask(client, stream=True))
    paced = [e.event_offsets_ms for e in emu.requests]
    assert len(paced) == 2 and all(waited(offsets, 120) for offsets in paced)
    assert admin.get("/pacing").json() == {"next": None}  # used up
    list(ask(client, stream=True))
    assert unpaced(stream_offsets(emu))  # back to unpaced

    admin.post("/pacing", json={"count": None, "ttft_ms": 100})
    list(ask(client, stream=True))
    assert waited(stream_offsets(emu), 100)
    assert admin.get("/pacing").json()["next"]["remaining"] is None  # until cleared
    assert admin.delete("/pacing").json() == {"next": None}
    list(ask(client, stream=True))
    assert unpaced(stream_offsets(emu))


def test_pacing_for_the_next_streams_from_python(emu, client):
    emu.pace_next(1, ttft_ms=80, chunk_tokens=4)
    chunks = [c for c in ask(client, stream=True) if c.choices and c.choices[0].delta.content]
    assert waited(stream_offsets(emu), 80)
    assert len(chunks[0].choices[0].delta.content.split()) >= 2  # four tokens per chunk
    assert emu.pacing() == {"next": None}
    emu.pace_next(None, ttft_ms=80)
    emu.clear_pacing()
    assert emu.pacing() == {"next": None}


@pytest.mark.parametrize("body, param, code", [
    ({"count": 0}, "count", "invalid_value"),
    ({"count": "2"}, "count", "invalid_value"),
    ({"ttft_ms": -1}, "ttft_ms", "invalid_value"),
    ({"tokens_per_second": "fast"}, "tokens_per_second", "invalid_value"),
    ({"chunk_tokens": 0}, "chunk_tokens", "invalid_value"),
    ({"ttft": 5}, "ttft", "unknown_parameter"),
])
def test_bad_pacing_gets_the_envelope(admin, body, param, code):
    assert_envelope(admin.post("/pacing", json=body), 400, code, param)


def test_bad_bodies_get_the_envelope(admin):
    assert_envelope(admin.post("/pacing", content=b"{nope", headers={"content-type": "application/json"}),
                    400, "invalid_json")
    assert_envelope(admin.post("/pacing", json=[1]), 400, "invalid_type")
    assert_envelope(admin.post("/faults", headers={"content-type": "application/json"}), 400, "missing_body")
    error = assert_envelope(admin.get("/nothing-here"), 404, "unknown_url")
    assert error["message"].startswith("Unknown request URL: GET /_emulator/nothing-here.")
    assert_envelope(admin.patch("/requests"), 404, "unknown_url")


# --- scenarios --------------------------------------------------------------------------------------------

def test_add_list_and_remove_scenarios_over_http(emu, admin, client):
    assert admin.post("/scenarios", json=GREETING).json() == {"added": ["greeting"]}
    assert ask(client).choices[0].message.content == "Hi from a scenario"
    assert ask(client, "something else").choices[0].message.content != "Hi from a scenario"
    listed = admin.get("/scenarios").json()
    assert [(s["name"], s["times_matched"], s["source"]) for s in listed["data"]] == [("greeting", 1, "<admin API>")]
    assert listed["unused"] == []
    assert "'greeting'" in listed["last_miss"]  # the near miss of "something else"
    assert emu.requests[0].matched == "greeting"

    assert admin.delete("/scenarios/greeting").json() == {"removed": "greeting"}
    assert ask(client).choices[0].message.content != "Hi from a scenario"
    assert_envelope(admin.delete("/scenarios/greeting"), 404, "scenario_not_found", "name")


def test_replace_and_reset_scenarios_over_http(admin, client):
    admin.post("/scenarios", json=[GREETING, {"name": "other", "reply": {"content": "other"}}])
    replaced = admin.put("/scenarios", json={"scenarios": [{"name": "only", "reply": {"content": "Only me"}}]}).json()
    assert replaced == {"scenarios": ["only"]}
    assert [s["name"] for s in admin.get("/scenarios").json()["data"]] == ["only"]
    assert ask(client).choices[0].message.content == "Only me"
    assert admin.post("/scenarios/reset", json={}).json() == {"reset": True}
    assert admin.get("/scenarios").json() == {"object": "list", "data": [], "unused": [], "last_miss": None}


def test_invalid_scenarios_get_the_envelope(admin):
    error = assert_envelope(admin.post("/scenarios", json={"match": {}}), 400, "invalid_scenario")
    assert "name" in error["message"]
    assert_envelope(admin.post("/scenarios", json={"name": "x", "reply": {"content": 5}}), 400, "invalid_scenario")
    admin.post("/scenarios", json=GREETING)
    error = assert_envelope(admin.post("/scenarios", json=GREETING), 400, "invalid_scenario")
    assert "duplicate scenario name 'greeting'" in error["message"]


def test_scenarios_from_python_are_the_same_operations(emu, admin, client):
    assert emu.add_scenario(GREETING) == ["greeting"]
    assert [s["name"] for s in admin.get("/scenarios").json()["data"]] == ["greeting"]  # one engine, two doors
    assert ask(client).choices[0].message.content == "Hi from a scenario"
    assert emu.list_scenarios()["data"][0]["times_matched"] == 1
    assert emu.replace_scenarios([{"name": "b", "reply": {"content": "B"}}]) == ["b"]
    emu.remove_scenario("b")
    with pytest.raises(Exception) as raised:
        emu.remove_scenario("b")
    assert raised.value.status == 404
    emu.add_scenario(GREETING)
    emu.reset_scenarios()
    assert emu.list_scenarios()["data"] == []


SEQUENCE = {"name": "steps", "sequence": [{"reply": {"content": "one"}}, {"reply": {"content": "two"}}]}


def test_reset_sequences_over_http_and_python(emu, admin, client):
    admin.post("/scenarios", json=SEQUENCE)
    assert [ask(client).choices[0].message.content for _ in range(3)] == ["one", "two", "two"]
    assert admin.post("/sequences/reset", json={}).json() == {"reset": True, "namespace": None}
    assert ask(client).choices[0].message.content == "one"

    tenant = openai.OpenAI(base_url=emu.base_url, api_key="sk-t", max_retries=0,
                           default_headers={"x-emulator-namespace": "tenant-a"})
    assert [ask(tenant).choices[0].message.content for _ in range(2)] == ["one", "two"]
    admin.post("/sequences/reset", json={"namespace": "tenant-a"})
    assert ask(tenant).choices[0].message.content == "one"
    assert ask(client).choices[0].message.content == "two"  # the default namespace kept its place
    emu.reset_sequences()
    assert ask(client).choices[0].message.content == "one"
    assert_envelope(admin.post("/sequences/reset", json={"namespace": 3}), 400, "invalid_type", "namespace")
    assert_envelope(admin.post("/sequences/reset", json={"ns": "a"}), 400, "unknown_parameter", "ns")


# --- faults for the next N requests ------------------------------------------------------------------------

def test_fail_next_over_http(admin, client):
    set_ = admin.post("/faults", json={"count": 2, "error": "rate_limit_exceeded"}).json()
    assert set_["scenario"].startswith("fail-next-")
    for _ in range(2):
        with pytest.raises(openai.RateLimitError):
            ask(client)
    assert ask(client).choices[0].message.content  # the third one is answered again

    pending = admin.post("/faults", json={"count": 5, "match": "hello"}).json()["scenario"]
    with pytest.raises(openai.InternalServerError):
        ask(client)
    assert ask(client, "unrelated").choices[0].message.content  # only matching requests fail
    assert pending in admin.delete("/faults").json()["removed"]  # four matching failures were still pending
    assert ask(client).choices[0].message.content


def test_clear_faults_removes_pending_failures(emu, admin, client):
    name = admin.post("/faults", json={"count": 3}).json()["scenario"]
    assert admin.delete("/faults").json() == {"removed": [name]}
    assert ask(client).choices[0].message.content
    emu.fail_next(1, fault="connection_reset")
    with pytest.raises(openai.APIConnectionError):
        list(ask(client, stream=True))
    assert ask(client).choices[0].message.content  # used up after one
    emu.fail_next(2)
    emu.clear_faults()
    assert ask(client).choices[0].message.content


def test_a_fault_object_cuts_the_next_stream(emu, admin, client):
    admin.post("/faults", json={"count": 1, "fault": {"cut_after": 5}})
    cut = list(ask(client, stream=True))  # the body ends early: no finish_reason, no [DONE] (SDK just stops)
    assert len(cut) == 5 and all(c.choices[0].finish_reason is None for c in cut)
    full = list(ask(client, stream=True))
    assert full[-1].choices[0].finish_reason == "stop"


def test_bad_faults_get_the_envelope(admin):
    assert_envelope(admin.post("/faults", json={"count": 0}), 400, "invalid_value", "count")
    assert_envelope(admin.post("/faults", json={"error": "server_error", "fault": "stall"}), 400, "invalid_value", "fault")
    assert_envelope(admin.post("/faults", json={"error": "no_such_error"}), 400, "invalid_scenario")
    assert_envelope(admin.post("/faults", json={"delay": 5}), 400, "unknown_parameter", "delay")


def test_reset_everything(emu, admin, client):
    admin.post("/scenarios", json=GREETING)
    admin.post("/pacing", json={"ttft_ms": 50})
    ask(client)
    assert admin.post("/reset", json={}).json() == {"reset": True}
    assert emu.requests == [] and admin.get("/scenarios").json()["data"] == []
    assert admin.get("/pacing").json() == {"next": None}
    emu.add_scenario(GREETING)
    emu.pace_next(2, ttft_ms=50)
    ask(client)
    emu.reset()
    assert emu.requests == [] and emu.list_scenarios()["data"] == [] and emu.pacing() == {"next": None}


# --- the page and its files ---------------------------------------------------------------------------------

def test_inspector_page_and_its_files_are_served(admin):
    page = admin.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert 'src="static/inspector.js"' in page.text and "http" not in page.text.split("<body>")[0].replace(
        'charset="utf-8"', "")  # no CDN: everything comes from the package
    assert admin.get("/static/inspector.js").headers["content-type"].startswith("text/javascript")
    assert admin.get("/static/inspector.css").headers["content-type"].startswith("text/css")
    assert_envelope(admin.get("/static/secrets.js"), 404, "unknown_url")


# --- token rules (in-process app: only loopback sockets in tests) -----------------------------------------

def app_client(**settings) -> TestClient:
    app = build_app(EmulatorState.from_settings(Settings(port=0, access_log=False, **settings)))
    return TestClient(app, base_url="http://localhost")


CHAT = {"model": "gpt-4o-mini", "messages": USER}


def test_off_loopback_without_a_token_the_admin_api_and_inspector_are_off():
    with app_client(host="0.0.0.0") as http:
        for path in ("/_emulator/", "/_emulator/health", "/_emulator/requests", "/_emulator/static/inspector.js"):
            assert_envelope(http.get(path), 404, "unknown_url")
        assert_envelope(http.post("/_emulator/scenarios", json=GREETING), 404, "unknown_url")
        assert http.post("/v1/chat/completions", json=CHAT, headers={"authorization": "Bearer sk-x"}).status_code == 200


def test_off_loopback_with_a_token_the_token_is_required():
    with app_client(host="0.0.0.0", admin_token="s3cret") as http:
        assert_envelope(http.get("/_emulator/health"), 401, "invalid_admin_token")
        assert_envelope(http.get("/_emulator/health", headers={"authorization": "Bearer wrong"}), 401,
                        "invalid_admin_token")
        assert http.get("/_emulator/health", headers={"authorization": "Bearer s3cret"}).status_code == 200
        assert http.get("/_emulator/", params={"token": "s3cret"}).status_code == 200  # the page, from a browser
        assert http.get("/_emulator/static/inspector.css").status_code == 200  # no secrets in it
        assert_envelope(http.get("/_emulator/"), 401, "invalid_admin_token")


def test_on_loopback_the_api_is_open_unless_a_token_is_set():
    with app_client(host="127.0.0.1") as http:
        assert http.get("/_emulator/health").status_code == 200
    with app_client(host="::1") as http:
        assert http.get("/_emulator/health").status_code == 200
    with app_client(host="127.0.0.1", admin_token="s3cret") as http:
        assert_envelope(http.get("/_emulator/requests"), 401, "invalid_admin_token")
        assert http.get("/_emulator/requests", params={"token": "s3cret"}).status_code == 200


def test_a_real_server_with_a_token(make_emulator):
    emu = make_emulator(admin_token="s3cret")
    assert_envelope(httpx.get(emu.url + "/_emulator/health"), 401, "invalid_admin_token")
    ok = httpx.get(emu.url + "/_emulator/health", headers={"authorization": "Bearer s3cret"})
    assert ok.json()["status"] == "ok"


def test_binding_warnings():
    assert binding_warnings(Settings(host="127.0.0.1")) == []
    assert binding_warnings(Settings(host="localhost")) == []
    open_warnings = binding_warnings(Settings(host="0.0.0.0"))
    assert len(open_warnings) == 2 and "reachable from other machines" in open_warnings[0]
    assert "admin API and inspector are off" in open_warnings[1]
    assert len(binding_warnings(Settings(host="0.0.0.0", admin_token="t"))) == 1


def test_other_api_requests_are_journaled_too(emu, admin, client):
    completion = client.chat.completions.create(model="gpt-4o-mini", messages=USER, store=True)
    client.chat.completions.retrieve(completion.id)
    with pytest.raises(openai.NotFoundError):
        client.models.retrieve("no-such-model")
    httpx.get(emu.base_url + "/nothing", headers={"authorization": "Bearer sk-x"})
    entries = admin.get("/requests", params={"detail": "true"}).json()["data"]
    assert [(e["method"], e["path"], e["status"]) for e in entries] == [
        ("POST", "/v1/chat/completions", 200), ("GET", f"/v1/chat/completions/{completion.id}", 200),
        ("GET", "/v1/models/no-such-model", 404), ("GET", "/v1/nothing", 404)]
    assert entries[1]["response"]["id"] == completion.id
    assert entries[2]["error"] == entries[2]["response"]["error"]["message"]
    assert admin.get("/requests", params={"path": "/_emulator"}).json()["data"] == []  # the admin API is not


def test_azure_api_key_headers_are_masked_like_authorization(emu, admin):
    httpx.post(emu.base_url + "/chat/completions", json=CHAT,
               headers={"authorization": "Bearer sk-bearer-9876", "api-key": "azure-secret-key-1234",
                        "x-api-key": "short"})
    entry = admin.get("/requests", params={"detail": "true"}).json()["data"][0]
    assert entry["headers"]["api-key"] == "...1234" and entry["headers"]["x-api-key"] == "***"
    assert entry["headers"]["authorization"] == "Bearer ...9876"
    assert "azure-secret" not in admin.get(f"/requests/{entry['id']}").text


@pytest.mark.parametrize("param", ["api-key", "key", "api_key"])
def test_a_key_in_the_query_string_is_masked_like_the_headers(emu, admin, param):
    """Some clients put the key in the URL; the journal's views show its last four characters only."""
    secret = "sk-url-secret-abcdef-4321"
    models = httpx.get(emu.base_url + "/models", params={param: secret, "limit": "2"},
                       headers={"authorization": "Bearer sk-bearer-9876"})
    chat = httpx.post(emu.base_url + "/chat/completions", params={param: "plain-looking-value-7777"}, json=CHAT,
                      headers={"authorization": "Bearer sk-bearer-9876"})
    assert models.status_code == chat.status_code == 200
    listed = admin.get("/requests").json()["data"]
    assert [entry["query"] for entry in listed] == [f"{param}=...4321&limit=2", f"{param}=...7777"]
    for entry in listed:
        text = admin.get(f"/requests/{entry['id']}").text
        assert secret not in text and "plain-looking-value" not in text
    assert "url-secret" not in admin.get("/requests", params={"detail": "true"}).text


def test_a_query_without_a_key_is_shown_as_sent(emu, admin):
    httpx.get(emu.base_url + "/models", params={"limit": "2", "after": "gpt-4o"},
              headers={"authorization": "Bearer sk-bearer-9876"})
    assert admin.get("/requests").json()["data"][0]["query"] == "limit=2&after=gpt-4o"


def test_stopping_the_server_ends_an_open_live_feed_cleanly():
    # An inspector left open must not hold the graceful drain until it times out (and then be cancelled
    # with a traceback): the feed's response ends, as a complete chunked body, when shutdown begins.
    server = Emulator().start()
    with httpx.stream("GET", server.url + "/_emulator/requests/stream", timeout=10) as feed:
        lines = feed.iter_lines()
        assert next(lines) == ": journal"
        stopping = threading.Thread(target=server.stop)
        stopping.start()
        rest = list(lines)  # raises if the connection is cut mid-body
    stopping.join(10)
    assert not stopping.is_alive() and all(line == "" or line.startswith(":") for line in rest)
