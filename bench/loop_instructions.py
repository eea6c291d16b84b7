"""Instructions per request counted inside the request loop only: several cases from one callgrind run.

`instructions.py` subtracts two whole runs (start-up and imports included, so each case takes two
runs and the garbage collector's moments move the result by a few thousand). This script starts one
emulator, warms every case up, then serves each case's requests inside `functools.reduce`, and has
callgrind collect only there (`--toggle-collect`) and write one count after each (`--dump-after`).
With `--no-gc` the collector is off during the loops: the counts then repeat to within about 1k from
run to run, which is what a small change needs. Cases run in the order given, on the same emulator
(the journal and the store fill up as they go), so compare a case at the same place in the list.

    python bench/loop_instructions.py [--cases responses,identical,embeddings] [--requests 2000] [--no-gc]
"""
from __future__ import annotations

import argparse
import asyncio
import functools
import gc
import glob
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

_CHILD = "LOOP_INSTRUCTIONS_CHILD"


def serve_cases(cases: list[str], requests: int, no_gc: bool) -> None:
    """In the child, under callgrind: each case's requests inside one `functools.reduce` call."""
    import asgi_cost

    from emulator import Emulator

    app = Emulator().app
    loop = asyncio.new_event_loop()

    def serve(case: str, count: int) -> None:
        bodies = asgi_cost.CASES[case](count, 0)
        loop.run_until_complete(asgi_cost.serve_all(app, bodies, asgi_cost.PATHS.get(case, "/v1/chat/completions"),
                                                    asgi_cost.HEADERS.get(case)))

    for case in cases:
        serve(case, 200)  # warm: imports, memos, templates
    if no_gc:
        gc.collect()
        gc.disable()
    functools.reduce(lambda _, __: None, range(1), None)  # the first dump: the loop's own cost, no requests
    for case in cases:
        functools.reduce(lambda _, __, case=case: serve(case, requests), range(1), None)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", default="responses,identical,embeddings")
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--no-gc", action="store_true", help="the garbage collector off during the loops")
    args = parser.parse_args()
    cases = args.cases.split(",")
    if os.environ.get(_CHILD):
        serve_cases(cases, args.requests, args.no_gc)
        return
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "callgrind.out"
        done = subprocess.run(["valgrind", "--tool=callgrind", "--collect-atstart=no",
                               "--toggle-collect=functools_reduce", "--dump-after=functools_reduce",
                               f"--callgrind-out-file={out}", sys.executable, __file__, *sys.argv[1:]],
                              capture_output=True, text=True, env={**os.environ, _CHILD: "1"})
        if done.returncode != 0:
            sys.exit(done.stderr[-2000:])
        dumps = sorted(glob.glob(f"{out}.*"), key=lambda name: int(name.rsplit(".", 1)[1]))
        counts = [int(re.search(r"^summary: (\d+)", Path(d).read_text(), re.M).group(1))  # type: ignore[union-attr]
                  for d in dumps][-(len(cases) + 1):]  # the last dumps are the loops' (imports may call reduce)
    empty = counts[0]
    for case, count in zip(cases, counts[1:], strict=True):
        print(f"{case}: {(count - empty) / args.requests / 1000:.1f} k instructions per request")


if __name__ == "__main__":
    main()
