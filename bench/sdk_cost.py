"""The official Python SDK's own work per call (the client side of `bench/run.py`'s SDK row), in instructions.

Starts a server (the emulator, or the bare baseline app) as `bench/run.py` does, then runs the SDK's call
(`run.SDK_LOOP`'s, a fixed number of times) under `valgrind --tool=callgrind` twice, `--calls` apart, and
prints the difference per call: what the client process spends on one call against that server. The
client and the server share the machine in the SDK row, so this is half of that row's cost;
`bench/instructions.py --served --case sdk` is the server's half.

    python bench/sdk_cost.py [--app emulator|baseline] [--calls 200]
"""
from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import run  # noqa: E402  (starting the servers as the benchmark does)

CALLS = """
import sys, openai
client = openai.OpenAI(base_url=sys.argv[1], api_key="sk-bench", max_retries=0)
messages = [{"role": "user", "content": "Hello! How are you today?"}]
for _ in range(int(sys.argv[2])):
    client.chat.completions.create(model="gpt-4o-mini", messages=messages)
"""


def client_instructions(port: int, calls: int) -> int:
    done = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", run.PYTHON, "-c", CALLS,
                           f"http://127.0.0.1:{port}/v1", str(calls)], capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(done.stderr[-2000:])
    return int(re.search(r"Collected\s*:\s*(\d+)", done.stderr).group(1))  # type: ignore[union-attr]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--app", choices=["emulator", "baseline"], default="emulator")
    parser.add_argument("--calls", type=int, default=200)
    args = parser.parse_args()
    if shutil.which("valgrind") is None:
        sys.exit("valgrind is needed: apt-get install valgrind")
    proc, port = run.start(args.app, run.emulator_tokens())
    try:
        few = client_instructions(port, 20)
        many = client_instructions(port, 20 + args.calls)
    finally:
        proc.terminate()
        proc.wait()
    print(f"SDK client against {args.app}: {(many - few) / args.calls / 1000:.0f} k instructions per call")


if __name__ == "__main__":
    main()
