"""Instructions per request under callgrind: a before/after measure that a busy machine cannot skew.

Runs `asgi_cost.py --case CASE --count N` under `valgrind --tool=callgrind` twice (a few requests,
then more) and divides the difference by the extra requests, so start-up and imports cancel out.

    python bench/instructions.py [--case distinct] [--requests 400] [--app emulator] [--served]
    .venv-compiled/bin/python bench/instructions.py ...    # the compiled build's (`make compiled`)

`--served` counts whole requests through uvicorn on a loopback socket (`served_cost.py`): the server's
HTTP work and the garbage collector included, plus a small raw-socket client's share.
"""
from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).parent


def build() -> str:
    """Which build of the emulator this interpreter imports (pure Python, or compiled with mypyc)."""
    from emulator._version import build

    return build()


def instructions(case: str, count: int, app: str, served: bool = False) -> int:
    script = "served_cost.py" if served else "asgi_cost.py"
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "callgrind.out"
        done = subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}",
                               sys.executable, str(HERE / script), "--case", case, "--count", str(count),
                               "--app", app, "--quiet"], capture_output=True, text=True)
        if done.returncode != 0:
            sys.exit(done.stderr[-2000:])
        return int(re.search(r"Collected\s*:\s*(\d+)", done.stderr).group(1))  # type: ignore[union-attr]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--case", default="distinct")
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--app", choices=["emulator", "baseline"], default="emulator")
    parser.add_argument("--served", action="store_true", help="through uvicorn on a socket (served_cost.py)")
    args = parser.parse_args()
    if shutil.which("valgrind") is None:
        sys.exit("valgrind is needed: apt-get install valgrind")
    few = instructions(args.case, 100, args.app, args.served)
    many = instructions(args.case, 100 + args.requests, args.app, args.served)
    label = f"{args.app} ({build()})" if args.app == "emulator" else args.app
    print(f"{label} {args.case}{' (served)' if args.served else ''}: {(many - few) / args.requests / 1000:.0f} k instructions per request")


if __name__ == "__main__":
    main()
