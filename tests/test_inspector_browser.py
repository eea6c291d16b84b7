"""The inspector page in a real headless Chromium: requests sent with the official SDK appear live,
one opens in detail, and the stream view shows the chunks with their timing.

Needs Debian's `chromium` and Playwright's Python package (never `playwright install`: we drive
the system browser). Skipped locally when either is missing; CI installs both (`.ci/run`).
"""
from __future__ import annotations

import contextlib
import http.server
import json
import re
import shutil
import threading
from pathlib import Path
from typing import Iterator

import httpx
import openai
import pytest


sync_api = pytest.importorskip("playwright.sync_api")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed")

ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"
LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
USER = [{"role": "user", "content": "Tell me about the inspector"}]


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, emu):
    page = browser.new_page(viewport={"width": 1400, "height": 820})
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(emu.inspector_url)
    sync_api.expect(page.locator("#live")).to_have_text("live")
    yield page
    page.close()
    assert errors == [], f"JavaScript errors on the page: {errors}"


def test_requests_appear_live_and_the_stream_view_shows_timed_chunks(page, emu):
    client = openai.OpenAI(base_url=emu.base_url, api_key="sk-browser", max_retries=0)
    client.chat.completions.create(model="gpt-4o-mini", messages=USER)
    emu.pace_next(1, ttft_ms=30, tokens_per_second=400)
    streamed = "".join(chunk.choices[0].delta.content or "" for chunk in client.chat.completions.create(
        model="gpt-4o-mini", messages=USER, stream=True, stream_options={"include_usage": True})
        if chunk.choices)
    with pytest.raises(openai.BadRequestError):
        client.chat.completions.create(model="gpt-4o-mini", messages=USER, temperature=5)

    rows = page.locator("#requests tbody tr")
    sync_api.expect(rows).to_have_count(3)  # arrived through the live stream, no reload
    newest = rows.nth(0)
    sync_api.expect(newest.locator(".status")).to_have_text("400")
    stream_row = page.locator('#requests tbody tr[data-id="%d"]' % emu.requests[1].id)  # the second request
    sync_api.expect(stream_row).to_contain_text("/v1/chat/completions")
    sync_api.expect(stream_row).to_contain_text("gpt-4o-mini")
    sync_api.expect(stream_row).to_contain_text("builtin")
    sync_api.expect(stream_row).to_contain_text("stream")

    stream_row.click()
    sync_api.expect(page.locator("#detail-title")).to_have_text(f"#{emu.requests[1].id} POST /v1/chat/completions")
    sync_api.expect(page.locator("#request-body")).to_contain_text('"stream": true')
    page.get_by_role("tab", name="Response").click()
    response = json.loads(page.locator("#response-body").inner_text())
    assert response["choices"][0]["message"]["content"] == streamed

    page.get_by_role("tab", name="Stream").click()
    chunk_rows = page.locator("#chunks tbody tr")
    events = emu.requests[1].events
    sync_api.expect(chunk_rows).to_have_count(len(events))
    deltas = chunk_rows.locator("td.delta").all_inner_texts()
    assert deltas[0] == "role: assistant" and deltas[-1] == "[DONE]"
    assert "finish_reason: stop" in deltas
    offsets = [float(t.split()[0]) for t in chunk_rows.locator("td:nth-child(2)").all_inner_texts()]
    assert offsets == sorted(offsets) and offsets[0] >= 27  # paced: the first chunk waited for its ttft (30 ms)
    sync_api.expect(page.locator("#journal-stats")).to_contain_text("3 in journal")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "inspector.png"), full_page=True)


def _shown_ms(text: str) -> float:
    """A duration as the inspector shows it ("201.8 ms", "1.76 s") in milliseconds."""
    value, unit = text.split()
    return float(value) * (1000 if unit == "s" else 1)


@pytest.mark.parametrize("width,height", [(1280, 800), (1024, 768)])
def test_a_paced_stream_shows_its_time_to_the_last_byte_and_the_page_never_scrolls_sideways(
        browser, emu, width, height):
    page = browser.new_page(viewport={"width": width, "height": height})
    page.goto(emu.inspector_url)
    sync_api.expect(page.locator("#live")).to_have_text("live")
    client = openai.OpenAI(base_url=emu.base_url, api_key="sk-browser", max_retries=0)
    client.chat.completions.create(model="gpt-4o-mini", messages=USER)
    stream = client.chat.completions.with_raw_response.create(
        model="gpt-4o-mini", messages=USER, stream=True, extra_headers={"x-emulator-ttft-ms": "200"}).parse()
    streamed = [chunk for chunk in stream]  # read to the last byte
    assert streamed

    row = page.locator('#requests tbody tr[data-id="%d"]' % emu.requests[1].id)
    duration = row.locator("td.duration")
    sync_api.expect(duration).to_have_text(re.compile(r"^[\d.]+ m?s$"))  # not "sending…": the stream ended
    # The server was asked to wait 200 ms before the first chunk: the whole stream took at least that.
    assert _shown_ms(duration.inner_text()) >= 200
    assert _shown_ms(row.locator("td.ttft").inner_text()) >= 200
    assert "to the first chunk" in duration.get_attribute("title")

    row.click()
    sync_api.expect(page.locator("#detail-meta")).to_contain_text("to the last byte")
    headers = page.locator("#requests thead th")
    assert all(headers.nth(i).is_visible() for i in range(headers.count()))  # the list keeps its columns
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"inspector-detail-{width}x{height}.png"))
    page.close()


def test_filters_narrow_the_list(page, emu):
    client = openai.OpenAI(base_url=emu.base_url, api_key="sk-browser", max_retries=0)
    client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "zebra crossing"}])
    client.chat.completions.create(model="gpt-4o-mini", messages=USER)
    with pytest.raises(openai.BadRequestError):
        client.chat.completions.create(model="gpt-4o-mini", messages=USER, top_p=3)
    rows = page.locator("#requests tbody tr")
    sync_api.expect(rows).to_have_count(3)

    page.select_option("#filter-status", "4xx")
    sync_api.expect(rows).to_have_count(1)
    sync_api.expect(rows.nth(0).locator(".status")).to_have_text("400")
    page.select_option("#filter-status", "")
    page.fill("#filter-text", "zebra")
    sync_api.expect(rows).to_have_count(1)
    sync_api.expect(rows.nth(0)).to_have_attribute("data-id", str(emu.requests[0].id))
    page.fill("#filter-text", "")
    page.fill("#filter-path", "/v1/models")
    sync_api.expect(rows).to_have_count(0)


def test_clear_button_empties_the_journal(page, emu):
    client = openai.OpenAI(base_url=emu.base_url, api_key="sk-browser", max_retries=0)
    client.chat.completions.create(model="gpt-4o-mini", messages=USER)
    sync_api.expect(page.locator("#requests tbody tr")).to_have_count(1)
    page.click("#clear")
    sync_api.expect(page.locator("#requests tbody tr")).to_have_count(0)
    assert emu.requests == []
    client.chat.completions.create(model="gpt-4o-mini", messages=USER)
    sync_api.expect(page.locator("#requests tbody tr")).to_have_count(1)  # still live after clearing


def test_scenarios_panel_shows_matches_and_the_last_near_miss(page, emu):
    emu.add_scenario({"name": "weather", "match": {"last_user": {"contains": "weather"}},
                            "reply": {"content": "Sunny, always."}})
    emu.add_scenario({"name": "never-used", "match": {"model": "gpt-4.1"}, "reply": {"content": "x"}})
    client = openai.OpenAI(base_url=emu.base_url, api_key="sk-browser", max_retries=0)
    for _ in range(2):
        assert client.chat.completions.create(model="gpt-4o-mini", messages=[
            {"role": "user", "content": "How is the weather?"}]).choices[0].message.content == "Sunny, always."
    client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "Tell me a joke"}])

    rows = page.locator("#scenarios tbody tr")
    sync_api.expect(rows).to_have_count(2)
    sync_api.expect(rows.filter(has_text="weather").locator("td.num")).to_have_text("2")
    sync_api.expect(rows.filter(has_text="never-used")).to_have_class("unused")
    sync_api.expect(page.locator("#near-miss")).to_contain_text("'weather'")
    sync_api.expect(page.locator('#requests tbody tr[data-id="%d"] .matched' % emu.requests[0].id)).to_have_text("weather")
    page.screenshot(path=str(ARTIFACTS / "inspector-scenarios.png"))


@contextlib.contextmanager
def dev_server(html: bytes) -> Iterator[str]:
    """A page served from another origin (`http://localhost:PORT`), as an app's dev server (or any site) is."""

    class DevServer(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("content-type", "text/html; charset=utf-8")
            self.send_header("content-length", str(len(html)))
            self.end_headers()
            self.wfile.write(html)

        def log_message(self, *args: object) -> None:
            pass

    dev = http.server.ThreadingHTTPServer(("127.0.0.1", 0), DevServer)
    threading.Thread(target=dev.serve_forever, daemon=True).start()
    try:
        yield f"http://localhost:{dev.server_address[1]}"
    finally:
        dev.shutdown()
        dev.server_close()


def documented_example() -> str:
    text = (Path(__file__).resolve().parent.parent / "docs" / "front-end.md").read_text()
    block = text.split("<!-- example: fetch-stream -->", 1)[1]
    return block.split("```html\n", 1)[1].split("```", 1)[0]


def test_the_documented_fetch_example_streams_from_another_origin(browser, emu):
    """docs/front-end.md's example page, served from a dev-server origin, streams a scripted answer
    across origins (CORS preflight included) and the inspector's journal shows where it came from."""
    emu.reset()
    docs = (Path(__file__).resolve().parent.parent / "docs" / "front-end.md").read_text()
    curl = docs.split("curl http://127.0.0.1:8000/_emulator/scenarios -H 'Content-Type: application/json' \\\n"
                      "  -d '", 1)[1].split("'\n", 1)[0]
    httpx.post(emu.url + "/_emulator/scenarios", content=curl,  # the documented one-liner
               headers={"content-type": "application/json"}).raise_for_status()
    emu.pace_next(1, tokens_per_second=500)
    html = documented_example().replace("http://127.0.0.1:8000/v1", emu.base_url).encode()

    with dev_server(html) as origin:
        page = browser.new_page()
        try:
            page.goto(origin + "/")
            page.click("button")
            answer = page.locator("#answer")
            sync_api.expect(answer).to_have_attribute("data-done", "true")
            sync_api.expect(answer).to_have_text("Hi! I am a scripted answer.")
            assert int(answer.get_attribute("data-tokens")) > 0
        finally:
            page.close()
    entry = emu.requests[-1]
    assert entry.headers["origin"] == origin and entry.matched == "greeting"
    assert len(entry.event_offsets_ms) == len(entry.events)  # paced: each event's send time noted


def test_with_an_admin_token_the_page_passes_it_on(browser, make_emulator):
    emu = make_emulator(admin_token="s3cret")
    page = browser.new_page()
    try:
        page.goto(emu.inspector_url)
        assert "invalid_admin_token" in page.content()  # no token, no page
        page.goto(emu.inspector_url + "?token=s3cret")
        sync_api.expect(page.locator("#live")).to_have_text("live")  # the event stream took the token too
        openai.OpenAI(base_url=emu.base_url, api_key="sk-browser", max_retries=0).chat.completions.create(
            model="gpt-4o-mini", messages=USER)
        sync_api.expect(page.locator("#requests tbody tr")).to_have_count(1)
        page.locator("#requests tbody tr").first.click()
        sync_api.expect(page.locator("#request-body")).to_contain_text("Tell me about the inspector")
    finally:
        page.close()


def test_client_checks_report_names_the_offending_requests(page, emu):
    emu.fail_next(1, error={"shortcut": "rate_limit_exceeded", "retry_after_ms": 1500})
    with httpx.Client(base_url=emu.base_url, headers={"Authorization": "Bearer sk-browser"}) as http:
        for _ in range(2):  # a client that retries at once, ignoring retry-after-ms
            if http.post("/chat/completions", json={"model": "gpt-4o-mini", "messages": USER}).status_code < 400:
                break
    failed, retry = emu.requests
    page.click("#run-checks")
    findings = page.locator("#checks-findings li")
    sync_api.expect(findings).to_have_count(1)
    sync_api.expect(findings.nth(0).locator(".tag")).to_have_text("retry_too_soon")
    sync_api.expect(findings.nth(0)).to_contain_text(f"#{retry.id} (")
    sync_api.expect(findings.nth(0)).to_contain_text("the response asked for 1500.0 ms")
    sync_api.expect(page.locator("#checks-summary")).to_have_text("1 problem in 2 requests:")
    findings.nth(0).click()
    sync_api.expect(page.locator("#detail-title")).to_have_text(f"#{failed.id} POST /v1/chat/completions")
    emu.chaos({"server_error": 1}, seed=1)  # every request now: the list tags what chaos did
    with pytest.raises(openai.InternalServerError):
        openai.OpenAI(base_url=emu.base_url, api_key="sk-browser", max_retries=0).chat.completions.create(
            model="gpt-4o-mini", messages=USER)
    sync_api.expect(page.locator(f'#requests tbody tr[data-id="{emu.requests[-1].id}"] .tag.fault')).to_have_text(
        "chaos: server_error")
    emu.stop_chaos()
    page.screenshot(path=str(ARTIFACTS / "inspector-client-checks.png"))
    page.click("#clear")
    sync_api.expect(page.locator("#checks-summary")).to_contain_text("No problems in 0 requests")


def test_an_embeddings_request_shows_its_input_tokens_and_summarized_vectors(page, emu):
    client = openai.OpenAI(base_url=emu.base_url, api_key="sk-browser", max_retries=0)
    answer = client.embeddings.create(model="text-embedding-3-small", input=["first text", "second"],
                                      encoding_format="float")
    row = page.locator('#requests tbody tr[data-id="%d"]' % emu.requests[-1].id)
    sync_api.expect(row).to_contain_text("/v1/embeddings")
    sync_api.expect(row.locator("td.tokens")).to_have_attribute(
        "title", f"{answer.usage.prompt_tokens} input tokens")
    row.click()
    page.get_by_role("tab", name="Response").click()
    shown = json.loads(page.locator("#response-body").inner_text())
    assert shown["data"][1]["embedding"].startswith("<1536 floats: ")  # not 1536 lines of numbers
    assert shown["usage"] == {"prompt_tokens": answer.usage.prompt_tokens, "total_tokens": answer.usage.total_tokens}


ATTACK = """<!doctype html><body><script>
const admin = "EMULATOR/_emulator";
const tries = [
  ["/scenarios", {method: "POST", mode: "no-cors", headers: {"content-type": "text/plain"},
                  body: JSON.stringify({name: "pwned", reply: {content: "attacker's text"}})}],
  ["/scenarios", {method: "POST", headers: {"content-type": "application/json"},
                  body: JSON.stringify({name: "pwned", reply: {content: "attacker's text"}})}],
  ["/reset", {method: "POST", mode: "no-cors"}],
  ["/requests?detail=true", {}],
];
(async () => {
  const outcomes = [];
  for (const [path, init] of tries) {
    try { const r = await fetch(admin + path, init); outcomes.push(r.type === "opaque" ? "opaque" : "read " + r.status); }
    catch (error) { outcomes.push("blocked"); }
  }
  document.body.dataset.outcomes = outcomes.join(",");
})();
</script></body>"""


def test_a_page_on_another_origin_can_neither_drive_nor_read_the_admin_api(browser, emu):
    client = openai.OpenAI(base_url=emu.base_url, api_key="sk-victim", max_retries=0)
    client.chat.completions.create(model="gpt-4o-mini", messages=USER)
    with dev_server(ATTACK.replace("EMULATOR", emu.url).encode()) as origin:
        page = browser.new_page()
        try:
            page.goto(origin + "/")
            sync_api.expect(page.locator("body")).to_have_attribute("data-outcomes", re.compile("."))
            outcomes = page.locator("body").get_attribute("data-outcomes").split(",")
        finally:
            page.close()
    # Fire-and-forget requests leave with no answer to read; the others never leave (preflight refused).
    assert outcomes == ["opaque", "blocked", "opaque", "blocked"]
    assert emu.list_scenarios()["data"] == [] and len(emu.requests) == 1  # nothing added, nothing reset
    answer = client.chat.completions.create(model="gpt-4o-mini", messages=USER)
    assert answer.choices[0].message.content != "attacker's text"


def test_a_key_in_the_url_is_shown_masked(page, emu):
    httpx.post(emu.base_url + "/chat/completions?api-key=sk-in-the-url-secret-5678", json={
        "model": "gpt-4o-mini", "messages": USER}, headers={"authorization": "Bearer sk-browser"})
    row = page.locator("#requests tbody tr").nth(0)
    sync_api.expect(row).to_contain_text("/v1/chat/completions?api-key=...5678")
    row.click()
    sync_api.expect(page.locator("#detail-title")).to_contain_text("?api-key=...5678")
    assert "in-the-url-secret" not in page.content()
