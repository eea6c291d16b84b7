"""In-process cost of one request through an ASGI app (no sockets): microseconds per request.

A steadier companion to `bench/run.py` on a busy machine: it times the application code alone,
for the emulator's chat path and for the bare Starlette baseline, best of several rounds.

    python bench/asgi_cost.py [--metrics]
"""
from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import run  # noqa: E402  (the benchmark's request, and the emulator's answer the baseline repeats)

os.environ["BENCH_TOKENS"] = json.dumps(run.emulator_tokens())

import baseline_app  # noqa: E402

from emulator import Emulator  # noqa: E402

REQUEST = json.dumps(run.REQUEST)


def scope_for(body: bytes) -> dict:
    return {"type": "http", "asgi": {"version": "3.0", "spec_version": "2.4"}, "http_version": "1.1",
            "method": "POST", "scheme": "http", "path": "/v1/chat/completions", "raw_path": b"/v1/chat/completions",
            "root_path": "", "query_string": b"", "server": ("127.0.0.1", 8000), "client": ("127.0.0.1", 5000),
            "headers": [(b"host", b"127.0.0.1:8000"), (b"content-type", b"application/json"),
                        (b"authorization", b"Bearer sk-bench"), (b"content-length", str(len(body)).encode())]}


async def per_request_us(app, body: bytes, rounds: int = 5, count: int = 2000) -> float:
    async def receive():
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message):
        pass

    best = float("inf")
    for _ in range(rounds):
        started = time.perf_counter()
        for _ in range(count):
            await app(scope_for(body), receive, send)
        best = min(best, (time.perf_counter() - started) / count * 1e6)
    return best


async def main() -> None:
    emulator = Emulator()
    rows = [
        ("baseline (fixed JSON)", await per_request_us(baseline_app.app, REQUEST.encode())),
        ("emulator (JSON)", await per_request_us(emulator.app, REQUEST.encode())),
        ("baseline (stream)", await per_request_us(baseline_app.app, REQUEST[:-1].encode() + b',"stream":true}')),
        ("emulator (stream)", await per_request_us(emulator.app, REQUEST[:-1].encode() + b',"stream":true}')),
    ]
    if "--metrics" in sys.argv:  # what `--metrics` costs when on (off, prometheus_client is not even imported)
        metered = Emulator(metrics=True)
        rows += [("emulator+metrics (JSON)", await per_request_us(metered.app, REQUEST.encode())),
                 ("emulator+metrics (stream)",
                  await per_request_us(metered.app, REQUEST[:-1].encode() + b',"stream":true}'))]
    for name, cost in rows:
        print(f"{name:<28}{cost:>8.1f} us/request")


if __name__ == "__main__":
    asyncio.run(main())
