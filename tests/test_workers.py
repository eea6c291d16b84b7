"""`--workers 2`: two processes on one port share stored completions, sequence positions, run-time
scenarios and the journal. Requests go over new connections until both workers have answered; the
journal names the worker (pid) that served each request."""
from __future__ import annotations

import subprocess
import sys
from typing import Callable, Iterator

import httpx
import pytest

from waiting import eventually

KEY = {"authorization": "Bearer sk-workers"}


@pytest.fixture(scope="module")
def workers(tmp_path_factory) -> Iterator[str]:
    """A `chat-emulator serve --workers 2` on a free port; yields its URL."""
    state_dir = tmp_path_factory.mktemp("state")
    process = subprocess.Popen(
        [sys.executable, "-m", "emulator", "serve", "--port", "0", "--workers", "2", "--no-access-log",
         "--state-dir", str(state_dir), "--metrics"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = process.stdout.readline()
        assert "listening on" in line, line + process.stderr.read()
        url = line.split("listening on ")[1].split()[0]
        assert eventually(lambda: _workers_up(url))
        yield url
    finally:
        process.terminate()
        assert process.wait(20) == 0


def _workers_up(url: str) -> bool:
    try:
        return httpx.get(url + "/_emulator/health").status_code == 200
    except httpx.HTTPError:
        return False


def served_by(url: str, entry_id: int) -> int:
    return httpx.get(f"{url}/_emulator/requests/{entry_id}").json()["worker"]


def until_both_workers(url: str, send: Callable[[], object], tries: int = 200) -> list[dict]:
    """Call `send` (each on a new connection) until the journal shows two workers answered; the journal."""
    for _ in range(tries):
        send()
        entries = httpx.get(url + "/_emulator/requests").json()["data"]
        if len({e["worker"] for e in entries}) >= 2:
            return entries
    pytest.fail("the kernel never handed a connection to the second worker")


def chat(url: str, content: str, **extra) -> httpx.Response:
    response = httpx.post(url + "/v1/chat/completions", headers=KEY,
                          json={"model": "gpt-4o-mini", "messages": [{"role": "user", "content": content}], **extra})
    assert response.status_code == 200, response.text
    return response


def test_a_completion_stored_by_one_worker_is_read_through_the_other(workers):
    assert httpx.delete(workers + "/_emulator/requests").status_code == 200
    created = chat(workers, "remember this", store=True).json()
    writer = httpx.get(workers + "/_emulator/requests").json()["data"][-1]["worker"]

    def read() -> dict:
        answer = httpx.get(f"{workers}/v1/chat/completions/{created['id']}", headers=KEY)
        assert answer.status_code == 200, answer.text
        return answer.json()

    readers = set()
    for _ in range(200):
        assert read()["choices"] == created["choices"]
        readers.add(httpx.get(workers + "/_emulator/requests").json()["data"][-1]["worker"])
        if readers - {writer}:
            break
    assert readers - {writer}, "no read reached the other worker"


def test_a_sequence_added_through_the_admin_api_advances_across_workers(workers):
    assert httpx.post(workers + "/_emulator/reset", json={}).status_code == 200
    steps = [{"reply": {"content": f"step {i}"}} for i in range(5)]
    added = httpx.post(workers + "/_emulator/scenarios",
                       json={"name": "counting", "sequence": steps, "on_end": "restart"})
    assert added.status_code == 200, added.text
    answers = []

    def send() -> None:
        answers.append(chat(workers, "count").json()["choices"][0]["message"]["content"])

    entries = until_both_workers(workers, send)
    assert answers == [f"step {i % 5}" for i in range(len(answers))]  # one count, whichever worker answered
    assert {e["matched"] for e in entries} == {"counting"}  # the run-time scenario answered on both workers


def test_metrics_add_up_over_the_workers(workers):
    from prometheus_client.parser import text_string_to_metric_families

    def served() -> float:
        text = httpx.get(workers + "/metrics").text
        return sum(s.value for f in text_string_to_metric_families(text) for s in f.samples
                   if s.name == "chat_emulator_requests_total" and s.labels["route"] == "/v1/chat/completions")

    before = served()
    for _ in range(10):
        chat(workers, "hello")
    assert served() - before == 10  # whichever worker was scraped, the sum of both


def test_the_probes_answer_under_workers(workers):
    answers = {httpx.get(workers + "/ready").status_code for _ in range(10)}
    assert answers == {200}


def test_rate_limit_budgets_count_across_workers(workers):
    key = {"authorization": "Bearer sk-budget-across-workers"}
    remaining = []

    def send() -> None:
        response = httpx.post(workers + "/v1/chat/completions", headers=key,
                              json={"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]})
        remaining.append(int(response.headers["x-ratelimit-remaining-requests"]))

    assert httpx.delete(workers + "/_emulator/requests").status_code == 200
    until_both_workers(workers, send)
    first = remaining[0]
    assert remaining == list(range(first, first - len(remaining), -1))  # one window, whichever worker counted
