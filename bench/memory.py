"""Memory of a served emulator over `bench/run.py`'s mix of requests, without `wrk`: RSS per phase.

Starts `chat-emulator serve --no-access-log --workers 1` as `bench/run.py` does, sends the same kinds
of request in the same order (chat identical and distinct, chat streams, the official SDK's calls,
embeddings, Responses JSON and streams, then two sustained rounds of distinct chat and distinct
streams) over `http.client` from a few threads of this process, and prints the server's RSS
(`VmRSS`) and peak (`VmHWM`) from `/proc` after start-up and after each phase. Counts are
requests, not seconds, so runs compare on a busy machine; the defaults fill every bounded cache
(journal, reply memo, stored responses) several times over.

    python bench/memory.py [--count 3000] [--clients 4]
    EMU_ARGS="--journal-max-mb 8" python bench/memory.py     # extra `serve` flags, as bench/run.py
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Callable

sys.path.insert(0, str(Path(__file__).parent))

from run import EMBEDDING_REQUEST, PYTHON, REQUEST, RESPONSES_REQUEST, free_port, memory_kib  # noqa: E402

HEADERS = {"Content-Type": "application/json", "Authorization": "Bearer sk-bench"}


def distinct(body: dict, n: int) -> dict:
    """`body` with its last message numbered, as `run.wrk(distinct=True)` does."""
    messages = [*body["messages"][:-1], {**body["messages"][-1], "content": f"{body['messages'][-1]['content']} {n}"}]
    return {**body, "messages": messages}


def send_all(port: int, path: str, bodies: Callable[[int], dict], count: int, clients: int) -> None:
    """`count` requests, `bodies(i)` each, from `clients` keep-alive connections at once."""
    def client(first: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        for i in range(first, count, clients):
            connection.request("POST", path, json.dumps(bodies(i)), HEADERS)
            response = connection.getresponse()
            response.read()
            if response.status != 200:
                raise SystemExit(f"{path}: status {response.status}")
        connection.close()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def sdk_calls(port: int, count: int) -> None:
    import openai  # a test dependency: the SDK's own headers and body

    client = openai.OpenAI(base_url=f"http://127.0.0.1:{port}/v1", api_key="sk-bench", max_retries=0)
    for _ in range(count):
        client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "Hello! How are you today?"}])


def request_phases(port: int, count: int, clients: int) -> list[tuple[str, Callable[[], None]]]:
    """`bench/run.py`'s kinds of request, in its order: (name, send them) each."""
    chat, embeddings, responses = "/v1/chat/completions", "/v1/embeddings", "/v1/responses"
    stream = {**REQUEST, "stream": True}
    response_stream = {**RESPONSES_REQUEST, "stream": True}
    phases: list[tuple[str, Callable[[], None]]] = [
        ("first chat request", lambda: send_all(port, chat, lambda i: REQUEST, 1, 1)),
        ("chat identical", lambda: send_all(port, chat, lambda i: REQUEST, count, clients)),
        ("chat distinct", lambda: send_all(port, chat, lambda i: distinct(REQUEST, i), count, clients)),
        ("chat distinct @1", lambda: send_all(port, chat, lambda i: distinct(REQUEST, count + i), count // 3, 1)),
        ("chat streams", lambda: send_all(port, chat, lambda i: stream, count // 3, clients)),
        ("SDK calls", lambda: sdk_calls(port, count // 3)),
        ("embeddings", lambda: send_all(port, embeddings, lambda i: EMBEDDING_REQUEST, count, clients)),
        ("responses", lambda: send_all(port, responses, lambda i: RESPONSES_REQUEST, count, clients)),
        ("response streams", lambda: send_all(port, responses, lambda i: response_stream, count // 3, clients)),
    ]
    for round_ in (1, 2):
        offset = 10 * count * round_
        phases += [
            (f"sustained {round_}: distinct", lambda o=offset: send_all(port, chat, lambda i: distinct(REQUEST, o + i), count, clients)),
            (f"sustained {round_}: distinct streams", lambda o=offset: send_all(port, chat, lambda i: distinct(stream, o + i), count // 3, clients)),
        ]
    return phases


def wait_listening(port: int, proc: subprocess.Popen, timeout: float = 30) -> float:
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        if proc.poll() is not None:
            raise SystemExit("the server exited")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/health")
            connection.getresponse().read()
            return time.perf_counter() - started
        except OSError:
            time.sleep(0.01)
    raise SystemExit("the server did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=3000, help="requests per phase (streams: a third)")
    parser.add_argument("--clients", type=int, default=4, help="connections at once")
    parser.add_argument("--idle-seconds", type=float, default=2.0, help="wait before the idle reading")
    args = parser.parse_args()
    count, clients = args.count, args.clients
    port = free_port()
    cmd = [PYTHON, "-m", "emulator", "serve", "--port", str(port), "--no-access-log", "--workers", "1",
           *os.environ.get("EMU_ARGS", "").split()]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    phases = request_phases(port, count, clients)
    try:
        listening = wait_listening(port, proc)
        print(f"listening after {listening:.2f} s: RSS {memory_kib(proc.pid)[0] / 1024:.1f} MiB")
        time.sleep(args.idle_seconds)  # the background loads (tokenizers) settle
        rss, peak = memory_kib(proc.pid)
        print(f"{'idle':38} RSS {rss / 1024:6.1f} MiB  peak {peak / 1024:6.1f} MiB")
        sustained = []
        for name, run_phase in phases:
            started = time.perf_counter()
            run_phase()
            rss, peak = memory_kib(proc.pid)
            if name.endswith("distinct streams"):
                sustained.append(rss)
            print(f"{name:38} RSS {rss / 1024:6.1f} MiB  peak {peak / 1024:6.1f} MiB  ({time.perf_counter() - started:.1f} s)")
        print(f"peak {peak / 1024:.1f} MiB, growth between the sustained rounds {(sustained[1] - sustained[0]) / 1024:+.1f} MiB")
    finally:
        proc.terminate()
        proc.wait(10)


if __name__ == "__main__":
    main()
