"""Benchmark: the emulator against a bare Starlette app, printed as a table of ratios.

Both servers run as subprocesses under uvicorn with uvloop and httptools; `wrk` (Debian's
package) drives 32 concurrent connections from a second process on loopback. Measured in one run:
requests per second (full validation and rendering), unpaced streams per second, embeddings requests
per second (one 1536-value vector, base64, against the bare app's fixed one of the same size), start-up time,
peak memory and its growth under sustained load. With `--workers 1,2,4`, also requests per second
of `serve --workers N` for each N (the shared SQLite state included). Prints; asserts nothing.

    python bench/run.py [--seconds 5] [--workers 1,2,4]
"""
from __future__ import annotations

import argparse
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
REQUEST = {"model": "gpt-4o-mini", "messages": [{"role": "system", "content": "You are helpful."},
                                                {"role": "user", "content": "Hello! How are you today?"}]}
# What the official Python SDK sends by default (it asks for base64 and decodes it).
EMBEDDING_REQUEST = {"model": "text-embedding-3-small", "input": "The quick brown fox jumped over the lazy dog",
                     "encoding_format": "base64"}
TARGETS = {"requests/s": 0.65, "streams/s": 2.0, "embeddings/s": 0.5}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_ready(port: int, timeout: float = 10) -> float:
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            return time.perf_counter() - started
        except OSError:
            time.sleep(0.01)
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
        cmd = [PYTHON, "-m", "emulator", "serve", "--port", str(port), "--no-access-log", "--workers", str(workers)]
    env = {**os.environ, "BENCH_TOKENS": json.dumps(tokens)}
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    wait_ready(port)
    return proc, port


def wrk(port: int, body: dict, seconds: float, connections: int = 32, distinct: bool = False,
        path: str = "/v1/chat/completions") -> float:
    """Requests per second; `distinct` numbers the last message so no two bodies are the same
    (the built-in model's memo of replies then never helps)."""
    script = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)
    script.write('wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n'
                 'wrk.headers["Authorization"] = "Bearer sk-bench"\n'
                 f"wrk.body = {json.dumps(json.dumps(body))}\n")
    if distinct:
        head, tail = json.dumps(body)[:-4], json.dumps(body)[-4:]  # ... "content": "... <n>"}]}
        script.write(f"n = 0\nrequest = function()\n  n = n + 1\n"
                     f"  return wrk.format(nil, nil, nil, {json.dumps(head)} .. \" \" .. n .. {json.dumps(tail)})\nend\n")
    script.close()
    out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{int(seconds)}s", "-s", script.name,
                          f"http://127.0.0.1:{port}{path}"], capture_output=True, text=True).stdout
    os.unlink(script.name)
    if "Non-2xx" in out:
        raise RuntimeError("benchmark requests failed:\n" + out)
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))


def memory_kib(pid: int) -> tuple[int, int]:
    """(current RSS, peak RSS) of a process, in KiB."""
    status = Path(f"/proc/{pid}/status").read_text()
    rss = int(re.search(r"VmRSS:\s+(\d+)", status).group(1))
    peak = int(re.search(r"VmHWM:\s+(\d+)", status).group(1))
    return rss, peak


def startup_seconds(runs: int = 5) -> float:
    code = ("import time; t=time.perf_counter(); from emulator import Emulator; e=Emulator().start(); "
            "print(time.perf_counter()-t); e.stop()")
    times = [float(subprocess.run([PYTHON, "-c", code], capture_output=True, text=True, check=True).stdout)
             for _ in range(runs)]
    return sorted(times)[len(times) // 2]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--workers", default="", help="worker counts to measure, e.g. 1,2,4")
    parser.add_argument("--only-workers", action="store_true", help="measure the --workers rows alone")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is needed: apt-get install wrk")
    tokens = emulator_tokens()
    if args.workers:
        by_workers(tokens, [int(n) for n in args.workers.split(",")], args.seconds)
    if args.only_workers:
        return
    results: dict[str, dict[str, float]] = {}
    for kind in ("baseline", "emulator"):
        proc, port = start(kind, tokens)
        try:
            wrk(port, REQUEST, 1)  # warm up
            results[kind] = {
                "requests/s": wrk(port, REQUEST, args.seconds),
                "streams/s": wrk(port, {"stream": True, **REQUEST}, args.seconds),
                "distinct requests/s": wrk(port, REQUEST, args.seconds, distinct=True),
                "embeddings/s": wrk(port, EMBEDDING_REQUEST, args.seconds, path="/v1/embeddings"),
            }
            if kind == "emulator":
                # Sustained load, twice: once the journal and memo bounds are reached, memory stays flat.
                rss = []
                for _ in range(2):
                    wrk(port, REQUEST, args.seconds, distinct=True)
                    wrk(port, {"stream": True, **REQUEST}, args.seconds, distinct=True)
                    rss.append(memory_kib(proc.pid)[0])
                before, (after, peak) = rss[0], (rss[1], memory_kib(proc.pid)[1])
                results[kind]["peak MiB"] = peak / 1024
                results[kind]["growth MiB"] = (after - before) / 1024
        finally:
            proc.terminate()
            proc.wait(5)
    base, emu = results["baseline"], results["emulator"]
    print(f"{'measure':<28}{'baseline':>12}{'emulator':>12}{'ratio':>9}{'target':>10}")
    for key, target in TARGETS.items():
        ratio = emu[key] / base[key]
        print(f"{key + ' @32 clients':<28}{base[key]:>12.0f}{emu[key]:>12.0f}{ratio:>9.2f}{'>= ' + str(target):>10}"
              f"  {'ok' if ratio >= target else 'MISS'}")
    key = "distinct requests/s"
    print(f"{key:<28}{base[key]:>12.0f}{emu[key]:>12.0f}{emu[key] / base[key]:>9.2f}{'(info)':>10}")
    startup = startup_seconds()
    print(f"{'start-up (s, median of 5)':<28}{'':>12}{startup:>12.3f}{'':>9}{'< 0.5':>10}  "
          f"{'ok' if startup < 0.5 else 'MISS'}")
    print(f"{'peak memory (MiB)':<28}{'':>12}{emu['peak MiB']:>12.1f}{'':>9}{'< 60':>10}  "
          f"{'ok' if emu['peak MiB'] < 60 else 'MISS'}")
    print(f"{'growth, 2nd sustained run':<28}{'':>12}{emu['growth MiB']:>12.1f}{'':>9}{'~ 0':>10}")


def by_workers(tokens: list[str], counts: list[int], seconds: float) -> None:
    """Requests and streams per second of `serve --workers N` at 32 clients (1: the one-process path)."""
    print(f"{'workers':<10}{'requests/s':>12}{'streams/s':>12}")
    for count in counts:
        proc, port = start("emulator", tokens, count)
        try:
            for _ in range(count + 1):  # warm up every worker (each starts, then loads the exact encodings)
                wrk(port, REQUEST, 3)
            print(f"{count:<10}{wrk(port, REQUEST, seconds):>12.0f}"
                  f"{wrk(port, {'stream': True, **REQUEST}, seconds):>12.0f}", flush=True)
        finally:
            proc.terminate()
            proc.wait(10)


if __name__ == "__main__":
    main()
