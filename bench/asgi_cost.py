"""In-process cost of one request through an ASGI app (no sockets): microseconds per request.

A steadier companion to `bench/run.py` on a busy machine: it times the application code alone,
for the emulator's chat path and for the bare Starlette baseline, best of several rounds.

    python bench/asgi_cost.py [--metrics]      # the table: baseline and emulator (and with --metrics on), per case
    python bench/asgi_cost.py --profile        # where a distinct request's time goes, step by step
    python bench/asgi_cost.py --case distinct --count 2000 --quiet   # one case (for callgrind)

Cases: `identical` (the same body every time: the reply memo answers), `distinct` (a different user
message each time, as a real suite or load test sends: the headline), and `stream` for both;
`distinct tools` a different message each time with a tool the model must call;
`responses`, `responses stream` and `embeddings` send `bench/run.py`'s bodies to their endpoints
(`distinct responses`: its Responses body with a different input each time); `sdk`
sends what the official Python SDK sends in `bench/run.py`'s SDK loop (its body and its 15 headers).
`bench/instructions.py` runs one case under callgrind, whose counts hold on a busy machine.
"""
from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import os
import pstats
import sys
import time
from pathlib import Path
from typing import Any, Callable

sys.path.insert(0, str(Path(__file__).parent))

import run  # noqa: E402  (the benchmark's request, and the emulator's answer the baseline repeats)

os.environ["BENCH_TOKENS"] = json.dumps(run.emulator_tokens())

import baseline_app  # noqa: E402

from emulator import Emulator  # noqa: E402
from emulator._version import build  # noqa: E402

REQUEST = json.dumps(run.REQUEST)
STREAM = REQUEST[:-1] + ',"stream":true}'
RESPONSES = json.dumps(run.RESPONSES_REQUEST)
EMBEDDINGS = json.dumps(run.EMBEDDING_REQUEST)
# A tool call the built-in model makes up from the weather tool's schema (its id and arguments drawn).
WEATHER = json.loads((Path(__file__).parent.parent / "fixtures" / "schemas" / "weather_parameters.json").read_text())
TOOLS = json.dumps({**run.REQUEST, "tools": [{"type": "function", "function": {"name": "get_weather",
                                                                               "parameters": WEATHER}}],
                    "tool_choice": "required"})
# The URL of each case that is not a chat completion.
PATHS = {"responses": "/v1/responses", "distinct responses": "/v1/responses", "responses stream": "/v1/responses",
         "embeddings": "/v1/embeddings"}
# `bench/run.py`'s SDK row: the body and headers the official Python SDK (openai 3.x, httpx) sends for
# SDK_LOOP's call, byte for byte and in its order (Host and Content-Length are added per request).
SDK_BODY = b'{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Hello! How are you today?"}]}'
SDK_HEADERS = [(b"accept-encoding", b"gzip, deflate"), (b"connection", b"keep-alive"),
               (b"authorization", b"Bearer sk-bench"), (b"accept", b"application/json"),
               (b"content-type", b"application/json"), (b"user-agent", b"OpenAI/Python 3.57.0"),
               (b"x-stainless-lang", b"python"), (b"x-stainless-package-version", b"3.57.0"),
               (b"x-stainless-os", b"Linux"), (b"x-stainless-arch", b"x64"), (b"x-stainless-runtime", b"CPython"),
               (b"x-stainless-runtime-version", b"3.11.7"), (b"x-stainless-async", b"false"),
               (b"x-stainless-retry-count", b"0"), (b"x-stainless-read-timeout", b"600")]
# The request headers of each case that does not send wrk's (Content-Type and Authorization).
HEADERS = {"sdk": SDK_HEADERS}


def scope_for(body: bytes, path: str = "/v1/chat/completions",
              headers: list[tuple[bytes, bytes]] | None = None) -> dict:
    if headers is None:
        headers = [(b"content-type", b"application/json"), (b"authorization", b"Bearer sk-bench")]
    return {"type": "http", "asgi": {"version": "3.0", "spec_version": "2.4"}, "http_version": "1.1",
            "method": "POST", "scheme": "http", "path": path, "raw_path": path.encode(),
            "root_path": "", "query_string": b"", "server": ("127.0.0.1", 8000), "client": ("127.0.0.1", 5000),
            "headers": [(b"host", b"127.0.0.1:8000"), *headers, (b"content-length", str(len(body)).encode())]}


def distinct_bodies(template: str, count: int, start: int = 0) -> list[bytes]:
    """`count` bodies whose last user message ends with a different number (as `run.wrk(distinct=True)`)."""
    head, tail = template.split('today?"', 1)
    return [f'{head}today? {n}"{tail}'.encode() for n in range(start, start + count)]


CASES: dict[str, Callable[[int, int], list[bytes]]] = {
    "identical": lambda count, start: [REQUEST.encode()] * count,
    "distinct": lambda count, start: distinct_bodies(REQUEST, count, start),
    "stream": lambda count, start: [STREAM.encode()] * count,
    "distinct stream": lambda count, start: distinct_bodies(STREAM, count, start),
    "distinct tools": lambda count, start: distinct_bodies(TOOLS, count, start),
    "responses": lambda count, start: [RESPONSES.encode()] * count,
    "distinct responses": lambda count, start: distinct_bodies(RESPONSES, count, start),
    "responses stream": lambda count, start: [RESPONSES[:-1].encode() + b',"stream":true}'] * count,
    "embeddings": lambda count, start: [EMBEDDINGS.encode()] * count,
    "sdk": lambda count, start: [SDK_BODY] * count,
}


async def serve_all(app: Any, bodies: list[bytes], path: str = "/v1/chat/completions",
                    headers: list[tuple[bytes, bytes]] | None = None) -> None:
    async def send(message: dict) -> None:
        pass

    for body in bodies:
        async def receive(body: bytes = body) -> dict:
            return {"type": "http.request", "body": body, "more_body": False}

        await app(scope_for(body, path, headers), receive, send)


async def per_request_us(app: Any, case: str, rounds: int = 5, count: int = 2000) -> float:
    """Best of `rounds`; the bodies of every round are new (distinct cases never hit the memo)."""
    best = float("inf")
    for round_ in range(rounds):
        bodies = CASES[case](count, (round_ + 1) * count)
        started = time.perf_counter()
        await serve_all(app, bodies, PATHS.get(case, "/v1/chat/completions"), HEADERS.get(case))
        best = min(best, (time.perf_counter() - started) / count * 1e6)
    return best


# Where a request's time goes: (label, file suffix, function), nested by indentation. Profiled
# cumulative times are scaled to the unprofiled cost, so the column adds up to what a request costs.
STEPS = [
    ("request, shell and ASGI (all)", "emulator/fast_path.py", "__call__"),
    ("  body read + content type", "endpoints/shell.py", "body"),
    ("  JSON parse", "contract/validate.py", "parse_json_object"),
    ("  validation (all)", "contract/validate.py", "validate_chat_request"),
    ("    shapes", "contract/shapes.py", "value_ok"),
    ("    cross-field rules", "contract/rules.py", "check_request_rules"),
    ("    prompt tokens (ChatRequest)", "contract/chat_request.py", "prompt_tokens"),
    ("    content parts", "contract/media/parts.py", "check_content_parts"),
    ("  reply (all)", "emulator/respond.py", "respond"),
    ("    request seed", "model/builtin.py", "request_seed"),
    ("    choices (text, tokens, Random)", "model/builtin.py", "_distinct_choices"),
    ("  rate-limit headers", "emulator/ratelimit.py", "consume_lines"),
    ("  render (body, headers)", "wire/render.py", "render"),
    ("  journal", "endpoints/journaling.py", "record"),
    ("  send (ASGI messages)", "wire/responses.py", "__call__"),
]


def profile(case: str, count: int = 3000) -> None:
    emulator = Emulator()
    path = PATHS.get(case, "/v1/chat/completions")
    asyncio.run(serve_all(emulator.app, CASES[case](500, 10**6), path))  # warm caches and imports
    unprofiled = asyncio.run(per_request_us(emulator.app, case, rounds=3, count=count))
    profiler = cProfile.Profile()
    profiler.enable()
    asyncio.run(serve_all(emulator.app, CASES[case](count, 2 * 10**6), path))
    profiler.disable()
    stats = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    cumulative: dict[tuple[str, str], float] = {}
    for (filename, _, function), (_, _, _, cum, callers) in stats.items():
        key = next(((f, fn) for _, f, fn in STEPS if filename.endswith(f) and function == fn), None)
        if key is None:
            continue
        # Only the outermost calls: a recursive function's inner calls are inside its outer ones.
        inner = any(c[0].endswith(key[0]) and c[2] == key[1] for c in callers)
        if not inner or key not in cumulative:
            cumulative[key] = max(cumulative.get(key, 0.0), cum)
    total = cumulative.get(("emulator/fast_path.py", "__call__"), 1.0)
    print(f"{case} request: {unprofiled:.1f} us unprofiled; profiled shares scaled to it\n")
    print(f"{'step':<40}{'us':>8}{'share':>8}")
    for label, f, fn in STEPS:
        share = cumulative.get((f, fn), 0.0) / total
        print(f"{label:<40}{share * unprofiled:>8.1f}{share:>8.0%}")
    print("\ntop functions by own time:")
    pstats.Stats(profiler).sort_stats("tottime").print_stats(int(os.environ.get("BENCH_TOP", "12")))


async def table(metrics: bool) -> None:
    emulator = Emulator()
    # What `--metrics` costs when on (off, prometheus_client is not even imported).
    metered = Emulator(metrics=True) if metrics else None
    print(f"the emulator: {build()} (run with .venv-compiled/bin/python for the compiled build)")
    print(f"{'case':<22}{'baseline':>10}{'emulator':>10}{'ratio':>8}{'+metrics' if metered else '':>10}"
          "   (us/request, best of 5)")
    for case in CASES:
        base = await per_request_us(baseline_app.app, case)
        emu = await per_request_us(emulator.app, case)
        extra = f"{await per_request_us(metered.app, case):>10.1f}" if metered else ""
        print(f"{case:<22}{base:>10.1f}{emu:>10.1f}{base / emu:>8.2f}{extra}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", action="store_true", help="a step-by-step profile of one case")
    parser.add_argument("--case", choices=list(CASES), default="distinct")
    parser.add_argument("--count", type=int, default=0, help="serve COUNT requests of --case and exit")
    parser.add_argument("--app", choices=["emulator", "baseline"], default="emulator")
    parser.add_argument("--quiet", action="store_true")
    parser.add_argument("--metrics", action="store_true", help="the table also with --metrics on")
    args = parser.parse_args()
    if args.profile:
        profile(args.case)
    elif args.count:
        app = Emulator().app if args.app == "emulator" else baseline_app.app
        asyncio.run(serve_all(app, CASES[args.case](args.count, 0), PATHS.get(args.case, "/v1/chat/completions"),
                              HEADERS.get(args.case)))
    else:
        asyncio.run(table(args.metrics))


if __name__ == "__main__":
    main()
