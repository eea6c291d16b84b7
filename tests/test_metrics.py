"""`--metrics`: `GET /metrics` scraped over a real socket and parsed with prometheus-client's own parser;
the counters move by exactly the traffic sent."""
from __future__ import annotations

import subprocess
import sys

import httpx
import pytest
from openai import OpenAI
from prometheus_client.parser import text_string_to_metric_families

MESSAGES = [{"role": "user", "content": "Hello there"}]


def scrape(emu) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of `/metrics`, keyed by name and sorted labels."""
    response = httpx.get(emu.url + "/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    samples = {}
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def total(samples, metric: str, /, **labels: str) -> float:
    """The sum of `metric`'s samples whose labels include `labels`."""
    return sum(value for (n, sample_labels), value in samples.items()
               if n == metric and set(labels.items()) <= set(sample_labels))


def delta(before, after, metric: str, /, **labels: str) -> float:
    return total(after, metric, **labels) - total(before, metric, **labels)


@pytest.fixture
def metered(make_emulator):
    return make_emulator(metrics=True)


def test_counters_follow_the_traffic_sent(metered):
    metered.reply_with_text("Scripted hello", match="scripted please", name="greeting")
    client = OpenAI(base_url=metered.base_url, api_key="sk-test", max_retries=0)
    before = scrape(metered)
    usages = [client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES).usage for _ in range(3)]
    usages.append(client.chat.completions.create(
        model="gpt-4o-mini", messages=[{"role": "user", "content": "scripted please"}]).usage)
    chunks = list(client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES, stream=True,
                                                 stream_options={"include_usage": True}))
    usages.append(chunks[-1].usage)
    bad = httpx.post(metered.base_url + "/chat/completions", json={"model": "gpt-4o-mini"},
                     headers={"authorization": "Bearer sk-test"})
    assert bad.status_code == 400
    client.models.list()
    after = scrape(metered)

    requests, route = "chat_emulator_requests_total", "/v1/chat/completions"
    assert delta(before, after, requests, route=route, method="POST", status="200", api="chat.completions",
                 source="builtin") == 4
    assert delta(before, after, requests, route=route, status="200", source="greeting") == 1
    assert delta(before, after, requests, route=route, status="400", source="none") == 1
    assert delta(before, after, requests, route="/v1/models", method="GET", status="200", api="models") == 1
    assert delta(before, after, "chat_emulator_request_duration_seconds_count", route=route) == 6
    assert delta(before, after, "chat_emulator_time_to_first_token_seconds_count", model="gpt-4o-mini") == 1
    assert delta(before, after, "chat_emulator_prompt_tokens_total", model="gpt-4o-mini") \
        == sum(u.prompt_tokens for u in usages)
    assert delta(before, after, "chat_emulator_completion_tokens_total", model="gpt-4o-mini") \
        == sum(u.completion_tokens for u in usages)
    assert total(after, "chat_emulator_streams_in_flight") == 0
    assert total(after, "chat_emulator_journal_entries") == len(metered.requests)


def test_paced_streams_report_their_gaps_and_faults_their_names(metered):
    metered.add_scenario({"name": "cut", "match": {"last_user": "cut me"}, "fault": {"cut_after": 2},
                          "reply": {"content": "one two three four five six"}})
    client = OpenAI(base_url=metered.base_url, api_key="sk-test", max_retries=0)
    before = scrape(metered)
    stream = client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES, stream=True,
                                            extra_headers={"x-emulator-tokens-per-second": "200"})
    events = len(list(stream))
    paced = scrape(metered)
    # Every event but the first follows a gap ([DONE] is an event on the wire, not a chunk).
    assert delta(before, paced, "chat_emulator_inter_token_seconds_count") == events
    assert delta(before, paced, "chat_emulator_inter_token_seconds_sum") >= (events - 1) / 200
    list(client.chat.completions.create(model="gpt-4o-mini", stream=True,
                                        messages=[{"role": "user", "content": "cut me"}]))
    after = scrape(metered)
    assert delta(paced, after, "chat_emulator_faults_total", name="cut_after", origin="scenario") == 1
    assert delta(before, after, "chat_emulator_faults_total") == 1


def test_metrics_are_off_by_default_and_never_loaded(emu):
    assert httpx.get(emu.url + "/metrics").status_code == 404
    code = ("from emulator import Emulator; import sys\n"
            "with Emulator() as emu:\n"
            "    emu.client().chat.completions.create(model='gpt-4o-mini', messages=[{'role':'user','content':'x'}])\n"
            "print('prometheus_client' in sys.modules)")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert loaded.strip() == "False"


def test_vllm_profile_serves_vllms_own_names(make_emulator):
    emu = make_emulator(metrics=True, profile="vllm", max_concurrency=4)
    client = OpenAI(base_url=emu.base_url, api_key="sk-test", max_retries=0)
    before = scrape(emu)
    answer = client.chat.completions.create(model="meta-llama/Llama-3.1-8B-Instruct", messages=MESSAGES)
    after = scrape(emu)
    for name in ("vllm:num_requests_running", "vllm:num_requests_waiting", "vllm:gpu_cache_usage_perc",
                 "vllm:kv_cache_usage_perc"):
        assert total(after, name) == 0, name  # nothing in flight between requests
    assert delta(before, after, "vllm:prompt_tokens_total") == answer.usage.prompt_tokens
    assert delta(before, after, "vllm:generation_tokens_total") == answer.usage.completion_tokens
    assert delta(before, after, "vllm:request_success_total", finished_reason="stop") == 1
    assert delta(before, after, "vllm:e2e_request_latency_seconds_count") == 1


def test_vllm_gauges_follow_a_queue(make_emulator):
    import threading

    from emulator.pacing import Pacing
    from waiting import eventually

    emu = make_emulator(metrics=True, profile="vllm", max_concurrency=1,
                        pacing=Pacing(ttft_ms=50, tokens_per_second=50))
    client = OpenAI(base_url=emu.base_url, api_key="sk-test", max_retries=0)

    def stream() -> None:
        list(client.chat.completions.create(model="meta-llama/Llama-3.1-8B-Instruct", messages=MESSAGES,
                                            stream=True))

    threads = [threading.Thread(target=stream) for _ in range(2)]
    for thread in threads:
        thread.start()
    # One generating, one queued behind it: what a router reads as "this server is full".
    assert eventually(lambda: (total(scrape(emu), "vllm:num_requests_running"),
                               total(scrape(emu), "vllm:num_requests_waiting")) == (1, 1))
    assert total(scrape(emu), "vllm:kv_cache_usage_perc") == 1
    for thread in threads:
        thread.join(20)
    after = scrape(emu)
    assert total(after, "vllm:num_requests_running") == total(after, "vllm:num_requests_waiting") == 0


def test_metrics_port_serves_the_same_registry(metered):
    import socket

    from emulator.metrics import serve_port

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server, thread = serve_port(metered.state.metrics, "127.0.0.1", port)
    try:
        OpenAI(base_url=metered.base_url, api_key="sk-test").chat.completions.create(model="gpt-4o-mini",
                                                                                     messages=MESSAGES)
        own_port = httpx.get(f"http://127.0.0.1:{port}/metrics").text
        assert "chat_emulator_requests_total" in own_port
        assert total(scrape(metered), "chat_emulator_requests_total") > 0
    finally:
        server.shutdown()
        thread.join(5)
