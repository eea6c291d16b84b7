"""`--chaos NAME=RATE,... --seed S` (and the `x-emulator-chaos` header) through the one chaos mechanism:
the rates seen over a seeded run, the same failures in the same order on a second run, counted in
the journal and the metrics."""
from __future__ import annotations

import httpx
import pytest

from emulator import Emulator
from emulator.cli import main

RATES = (("rate_limit_exceeded", 0.1), ("server_error", 0.05))
REQUESTS = 400
BODY = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]}


def seeded_run(seed: int) -> tuple[list[int], Emulator]:
    emu = Emulator(chaos=RATES, seed=seed, metrics=True).start()
    with httpx.Client(base_url=emu.base_url, headers={"authorization": "Bearer sk-chaos"}) as client:
        statuses = [client.post("/chat/completions", json=BODY).status_code for _ in range(REQUESTS)]
    return statuses, emu


def test_rates_hold_and_the_same_seed_fails_the_same_requests():
    first, emu = seeded_run(7)
    try:
        limited, failed = first.count(429), first.count(500)
        # Binomial spread over 400 draws: 4 standard deviations either side.
        assert abs(limited - 40) <= 24 and abs(failed - 20) <= 18
        assert first.count(200) == REQUESTS - limited - failed
        journaled = [e.chaos for e in emu.requests]
        assert journaled.count("rate_limit_exceeded") == limited and journaled.count("server_error") == failed
        metrics = httpx.get(emu.url + "/metrics").text
        assert f'chat_emulator_faults_total{{name="rate_limit_exceeded",origin="chaos"}} {limited}.0' in metrics
        assert emu.chaos_status()["injected"] == {"rate_limit_exceeded": limited, "server_error": failed}
    finally:
        emu.close()
    again, emu = seeded_run(7)
    emu.close()
    other, emu = seeded_run(8)
    emu.close()
    assert again == first
    assert other != first


def test_reset_starts_the_seeded_run_over(make_emulator):
    emu = make_emulator(chaos=RATES, seed=3)
    with httpx.Client(base_url=emu.base_url, headers={"authorization": "Bearer sk-chaos"}) as client:
        first = [client.post("/chat/completions", json=BODY).status_code for _ in range(60)]
        emu.reset()
        again = [client.post("/chat/completions", json=BODY).status_code for _ in range(60)]
    assert first == again and set(first) != {200}


def test_per_request_header(emu):
    headers = {"authorization": "Bearer sk-chaos", "x-emulator-chaos": "server_error=1"}
    answer = httpx.post(emu.base_url + "/chat/completions", json=BODY, headers=headers)
    assert answer.status_code == 500 and answer.json()["error"]["type"] == "server_error"
    assert emu.last_request.chaos == "server_error"
    bad = httpx.post(emu.base_url + "/chat/completions", json=BODY,
                     headers={**headers, "x-emulator-chaos": "meteor_strike=0.5"})
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "invalid_chaos_header"
    assert "meteor_strike" in bad.json()["error"]["message"]


@pytest.mark.parametrize("flag", ["meteor_strike=0.1", "server_error", "server_error=lots", "server_error=2"])
def test_a_bad_chaos_flag_is_one_line(flag, capsys):
    with pytest.raises(SystemExit) as stopped:
        main(["serve", "--chaos", flag])
    assert "--chaos" in str(stopped.value) and "\n" not in str(stopped.value)


def test_per_scenario_rates(make_emulator):
    emu = make_emulator(seed=11)
    emu.add_scenario({"name": "flaky", "match": {"last_user": "flaky"}, "reply": {"content": "fine"},
                      "chaos": {"server_error": 0.5}})
    with httpx.Client(base_url=emu.base_url, headers={"authorization": "Bearer sk-chaos"}) as client:
        def send(text: str) -> int:
            body = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": text}]}
            return client.post("/chat/completions", json=body).status_code

        flaky = [send("flaky") for _ in range(60)]
        steady = [send("steady") for _ in range(20)]
    assert set(flaky) == {200, 500} and 10 <= flaky.count(500) <= 50
    assert set(steady) == {200}  # only the scenario's answers are touched
    assert [e.chaos for e in emu.requests[:60]].count("server_error") == flaky.count(500)


def test_a_bad_scenario_chaos_names_the_file_line(tmp_path):
    from emulator.scenarios.loader import ScenarioFileError

    path = tmp_path / "chaos.yaml"
    path.write_text("scenarios:\n  - name: flaky\n    chaos: {meteor_strike: 0.1}\n")
    with pytest.raises(ScenarioFileError) as error:
        Emulator(scenario_paths=(path,))
    assert "meteor_strike" in str(error.value) and "chaos.yaml:3" in str(error.value)


@pytest.mark.parametrize("name, answer_events_sent", [
    ("keepalive", None),  # pings first, then the whole answer (None: every event)
    ("malformed_chunk", None),  # the whole answer, with a broken chunk slipped in
    ("cut_after", 3),  # chaos cuts after three chunks (chaos.FAULTS)
    ("error_event", 2),  # two chunks, then the error event
])
def test_a_faulted_stream_notes_when_each_chunk_went_out(emu, name, answer_events_sent):
    # What the inspector shows as TTFT and per-chunk timing. The stream waits 60 ms for its first
    # chunk; a fault's own events (pings, the broken chunk, the error) are not the answer's chunks.
    headers = {"authorization": "Bearer sk-chaos", "x-emulator-chaos": f"{name}=1", "x-emulator-ttft-ms": "60"}
    with httpx.stream("POST", emu.base_url + "/chat/completions", json={**BODY, "stream": True},
                      headers=headers) as streamed:
        assert streamed.status_code == 200
        streamed.read()
    entry = emu.requests[-1]
    assert entry.chaos == name
    summary = httpx.get(f"{emu.url}/_emulator/requests").json()["data"][0]
    assert summary["id"] == entry.id and summary["ttft_ms"] >= 60 * 0.9  # asyncio may fire a hair early
    offsets = [event["offset_ms"] for event in httpx.get(f"{emu.url}/_emulator/requests/{entry.id}").json()["events"]]
    timed = [offset for offset in offsets if offset is not None]
    assert offsets[:len(timed)] == timed == sorted(timed)  # the chunks sent, in order, then the ones cut off
    # One send time per answer chunk that went out, none for the fault's own events.
    assert len(entry.event_offsets_ms) == len(timed) == (answer_events_sent or len(entry.events))
