"""Benchmark: the emulator against a bare Starlette app, printed as one table of ratios and targets.

Both servers run as subprocesses under uvicorn with uvloop and httptools; `wrk` (Debian's
package) drives the load from a second process on loopback. Measured in one run (issue 18's rows):
identical and distinct JSON requests per second at 32 clients (distinct is the headline: the reply
memo never helps), one client's median latency, unpaced streams per second, the official Python
SDK's calls per second (a client loop in a subprocess), embeddings requests per second, start-up,
peak memory and its growth over two sustained runs, and the pytest plugin's overhead
(`bench/plugin_startup.py`). With `--workers 1,2,4`, also requests per second of
`serve --workers N` for each N (the shared SQLite state included). Prints; asserts nothing.
Wall-clock numbers need a quiet machine: on a shared one use `bench/asgi_cost.py` and `bench/instructions.py`.

    python bench/run.py [--seconds 5] [--plugin-tests 100] [--workers 1,2,4]
    python bench/run.py --emulator-python .venv-compiled/bin/python   # the compiled build serving (make bench-compiled)
    EMU_ARGS="--journal-max-mb 8" python bench/run.py     # extra `serve` flags for the emulator
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).parent
PYTHON = sys.executable
# The interpreter whose `emulator` serves (`--emulator-python`); the bare app and the clients use PYTHON.
EMULATOR_PYTHON = PYTHON
REQUEST = {"model": "gpt-4o-mini", "messages": [{"role": "system", "content": "You are helpful."},
                                                {"role": "user", "content": "Hello! How are you today?"}]}
# What the official Python SDK sends by default (it asks for base64 and decodes it).
EMBEDDING_REQUEST = {"model": "text-embedding-3-small", "input": "The quick brown fox jumped over the lazy dog",
                     "encoding_format": "base64"}
# (row, target, higher is better): ratios are emulator / baseline (latency: emulator / baseline too).
TARGETS: list[tuple[str, float, bool]] = [
    ("distinct requests/s @32", 0.5, True),
    ("identical requests/s @32", 0.65, True),
    ("median latency @1 (ms)", 1.3, False),
    ("unpaced streams/s @32", 2.0, True),
    ("SDK calls/s @1", 0.9, True),
    ("embeddings/s @32", 0.5, True),
    ("responses/s @32", 0.65, True),
    ("response streams/s @32", 2.0, True),
]
RESPONSES_REQUEST = {"model": "gpt-4o-mini", "instructions": "You are helpful.", "input": "Hello! How are you today?"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_ready(port: int, timeout: float = 60) -> float:
    """Seconds until the server answers a chat request (not only accepts connections: the emulator
    loads its tokenizers in the background, and a load run must not start while it does)."""
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("POST", "/v1/chat/completions", json.dumps(REQUEST),
                               {"Content-Type": "application/json", "Authorization": "Bearer sk-bench"})
            if connection.getresponse().status == 200:
                return time.perf_counter() - started
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"server on {port} did not start")


def emulator_tokens() -> list[str]:
    """The tokens of the emulator's answer to REQUEST: the baseline sends the same content."""
    from emulator import Emulator
    from emulator.contract.validate import validate_chat_request
    from emulator.model import builtin

    state = Emulator().state
    return builtin.respond(validate_chat_request(dict(REQUEST), state.catalogue)).choices[0].tokens


def start(kind: str, tokens: list[str], workers: int = 1) -> tuple[subprocess.Popen, int]:
    port = free_port()
    if kind == "baseline":
        cmd = [PYTHON, str(HERE / "baseline_app.py"), str(port)]
    else:
        cmd = [EMULATOR_PYTHON, "-m", "emulator", "serve", "--port", str(port), "--no-access-log", "--workers", str(workers)] + os.environ.get("EMU_ARGS", "").split()
    env = {**os.environ, "BENCH_TOKENS": json.dumps(tokens), **emulator_env()}
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    wait_ready(port)
    return proc, port


def wrk(port: int, body: dict, seconds: float, connections: int = 32, distinct: bool = False,
        path: str = "/v1/chat/completions") -> dict[str, float]:
    """Requests per second and the median latency (ms); `distinct` numbers the last message so no two
    bodies are the same (the built-in model's memo of replies then never helps)."""
    script = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)
    script.write('wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n'
                 'wrk.headers["Authorization"] = "Bearer sk-bench"\n'
                 f"wrk.body = {json.dumps(json.dumps(body))}\n")
    if distinct:
        head, tail = json.dumps(body)[:-4], json.dumps(body)[-4:]  # ... "content": "... <n>"}]}
        script.write(f"n = 0\nrequest = function()\n  n = n + 1\n"
                     f"  return wrk.format(nil, nil, nil, {json.dumps(head)} .. \" \" .. n .. {json.dumps(tail)})\nend\n")
    script.close()
    threads = min(2, connections)
    out = subprocess.run(["wrk", f"-t{threads}", f"-c{connections}", f"-d{max(int(seconds), 1)}s", "--latency",
                          "-s", script.name, f"http://127.0.0.1:{port}{path}"],
                         capture_output=True, text=True).stdout
    os.unlink(script.name)
    if "Non-2xx" in out:
        raise RuntimeError("benchmark requests failed:\n" + out)
    median = re.search(r"50%\s+([\d.]+)(us|ms|s)\b", out)
    assert median is not None, out
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[median.group(2)]
    return {"rate": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),  # type: ignore[union-attr]
            "median ms": float(median.group(1)) * scale}


SDK_LOOP = """
import sys, time, openai
client = openai.OpenAI(base_url=sys.argv[1], api_key="sk-bench", max_retries=0)
messages = [{"role": "user", "content": "Hello! How are you today?"}]
client.chat.completions.create(model="gpt-4o-mini", messages=messages)  # warm up
calls, started = 0, time.perf_counter()
while time.perf_counter() - started < float(sys.argv[2]):
    client.chat.completions.create(model="gpt-4o-mini", messages=messages)
    calls += 1
print(calls / (time.perf_counter() - started))
"""


def sdk_calls_per_second(port: int, seconds: float) -> float:
    """The official SDK's calls per second from one client in its own process: what a test suite feels."""
    out = subprocess.run([PYTHON, "-c", SDK_LOOP, f"http://127.0.0.1:{port}/v1", str(seconds)],
                         capture_output=True, text=True, check=True).stdout
    return float(out)


def memory_kib(pid: int) -> tuple[int, int]:
    """(current RSS, peak RSS) of a process, in KiB."""
    status = Path(f"/proc/{pid}/status").read_text()
    rss = int(re.search(r"VmRSS:\s+(\d+)", status).group(1))
    peak = int(re.search(r"VmHWM:\s+(\d+)", status).group(1))
    return rss, peak


def emulator_env() -> dict[str, str]:
    """With another interpreter's emulator: the checkout (the working directory) must not shadow its install."""
    return {} if EMULATOR_PYTHON == PYTHON else {"PYTHONSAFEPATH": "1"}


def emulator_build() -> str:
    return subprocess.run([EMULATOR_PYTHON, "-m", "emulator", "--version"], capture_output=True, text=True,
                          check=True, env={**os.environ, **emulator_env()}).stdout.strip()


def startup_seconds(runs: int = 5) -> float:
    code = ("import time; t=time.perf_counter(); from emulator import Emulator; e=Emulator().start(); "
            "print(time.perf_counter()-t); e.stop()")
    times = [float(subprocess.run([EMULATOR_PYTHON, "-c", code], capture_output=True, text=True, check=True,
                                  env={**os.environ, **emulator_env()}).stdout)
             for _ in range(runs)]
    return sorted(times)[len(times) // 2]


def measure(kind: str, tokens: list[str], seconds: int) -> dict[str, float]:
    proc, port = start(kind, tokens)
    stream = {"stream": True, **REQUEST}
    try:
        wrk(port, REQUEST, 1)  # warm up
        results = {
            "identical requests/s @32": wrk(port, REQUEST, seconds)["rate"],
            "distinct requests/s @32": wrk(port, REQUEST, seconds, distinct=True)["rate"],
            "median latency @1 (ms)": wrk(port, REQUEST, seconds, connections=1, distinct=True)["median ms"],
            "unpaced streams/s @32": wrk(port, stream, seconds)["rate"],
            "SDK calls/s @1": sdk_calls_per_second(port, seconds),
            # One 1536-value vector, base64, against the bare app's fixed one of the same size.
            "embeddings/s @32": wrk(port, EMBEDDING_REQUEST, seconds, path="/v1/embeddings")["rate"],
            # The Responses API against the bare app's fixed response and events for the same text.
            "responses/s @32": wrk(port, RESPONSES_REQUEST, seconds, path="/v1/responses")["rate"],
            "response streams/s @32": wrk(port, {"stream": True, **RESPONSES_REQUEST}, seconds,
                                          path="/v1/responses")["rate"],
        }
        if kind == "emulator":
            # Sustained load, twice: once the journal and memo bounds are reached, memory stays flat.
            rss = []
            for _ in range(2):
                wrk(port, REQUEST, seconds, distinct=True)
                wrk(port, stream, seconds, distinct=True)
                rss.append(memory_kib(proc.pid)[0])
            results["peak MiB"] = memory_kib(proc.pid)[1] / 1024
            results["growth MiB"] = (rss[1] - rss[0]) / 1024
        return results
    finally:
        proc.terminate()
        proc.wait(5)


def verdict(ok: bool) -> str:
    return "ok" if ok else "MISS"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--plugin-tests", type=int, default=100, help="tests of each kind for the plugin rows")
    parser.add_argument("--workers", default="", help="worker counts to measure, e.g. 1,2,4")
    parser.add_argument("--only-workers", action="store_true", help="measure the --workers rows alone")
    parser.add_argument("--emulator-python", default=PYTHON,
                        help="the interpreter whose emulator serves, e.g. .venv-compiled/bin/python (make bench-compiled)")
    args = parser.parse_args()
    global EMULATOR_PYTHON
    EMULATOR_PYTHON = args.emulator_python
    if shutil.which("wrk") is None:
        sys.exit("wrk is needed: apt-get install wrk")
    import plugin_startup  # bench/ is the script's folder; imported here, as asgi_cost.py imports this module

    tokens = emulator_tokens()
    print(f"serving: {emulator_build()} ({EMULATOR_PYTHON}); the plugin rows run {PYTHON}'s", flush=True)
    if args.workers:
        by_workers(tokens, [int(n) for n in args.workers.split(",")], args.seconds)
    if args.only_workers:
        return
    base, emu = measure("baseline", tokens, args.seconds), measure("emulator", tokens, args.seconds)
    print(f"{'measure':<30}{'baseline':>11}{'emulator':>11}{'ratio':>8}{'target':>10}")
    for key, target, higher in TARGETS:
        ratio = emu[key] / base[key]
        ok = ratio >= target if higher else ratio <= target
        print(f"{key:<30}{base[key]:>11.{3 if 'ms' in key else 0}f}{emu[key]:>11.{3 if 'ms' in key else 0}f}"
              f"{ratio:>8.2f}{('>= ' if higher else '<= ') + str(target):>10}  {verdict(ok)}")
    startup = startup_seconds()
    plugin_rows, plugin_startup_s, _ = plugin_startup.measure(args.plugin_tests)
    one_request_ms = dict(plugin_rows)[plugin_startup.ONE_REQUEST_TEST]
    cached_s = dict(plugin_rows)["session start-up, bytecode cached"] / 1000
    rows = [
        ("start-up (s, median of 5)", startup, "< 0.5", startup < 0.5),
        ("peak memory (MiB)", emu["peak MiB"], "< 60", emu["peak MiB"] < 60),
        ("growth, 2nd sustained run", emu["growth MiB"], "< 2", emu["growth MiB"] < 2),
        ("pytest session start-up (s)", plugin_startup_s, "< 0.5", plugin_startup_s < 0.5),
        # As a user's machine runs it: bytecode kept between sessions (this machine sets
        # PYTHONDONTWRITEBYTECODE, so the row above compiles the package from source every session).
        ("  bytecode cached (s)", cached_s, "< 0.5", cached_s < 0.5),
        ("pytest one-request test (ms)", one_request_ms, "< 3", one_request_ms < 3),
    ]
    for label, value, target, ok in rows:
        print(f"{label:<30}{'':>11}{value:>11.3f}{'':>8}{target:>10}  {verdict(ok)}")

def by_workers(tokens: list[str], counts: list[int], seconds: float) -> None:
    """Requests and streams per second of `serve --workers N` at 32 clients (1: the one-process path)."""
    print(f"{'workers':<10}{'requests/s':>12}{'streams/s':>12}")
    for count in counts:
        proc, port = start("emulator", tokens, count)
        try:
            for _ in range(count + 1):  # warm up every worker (each starts, then loads the exact encodings)
                wrk(port, REQUEST, 3)
            print(f"{count:<10}{wrk(port, REQUEST, seconds)['rate']:>12.0f}"
                  f"{wrk(port, {'stream': True, **REQUEST}, seconds)['rate']:>12.0f}", flush=True)
        finally:
            proc.terminate()
            proc.wait(10)


if __name__ == "__main__":
    main()
