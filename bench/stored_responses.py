"""Memory that stored responses hold: RSS before and after creating many Responses in-process.

The Responses API stores every response unless `store: false`, so a load test fills the store to its
bound (`--store-cap` records, and `MAX_MEMORY_BYTES` of JSON in memory). This creates COUNT responses
through the ASGI app (no sockets), clears the journal (bounded on its own) and reports the resident
memory gained and what the store holds.

    python bench/stored_responses.py [--count 30000] [--distinct]
"""
from __future__ import annotations

import argparse
import asyncio
import gc
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import asgi_cost  # noqa: E402  (serve_all and the benchmark's Responses body)

from emulator import Emulator  # noqa: E402


def rss_mib() -> float:
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) / 1024 for line in status if line.startswith("VmRSS"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=30000)
    parser.add_argument("--distinct", action="store_true", help="a different input each time (else bench/run.py's body)")
    args = parser.parse_args()
    emulator = Emulator()
    asyncio.run(asgi_cost.serve_all(emulator.app, [asgi_cost.RESPONSES.encode()] * 50, "/v1/responses"))  # warm
    emulator.state.responses.clear()
    emulator.state.journal.clear()
    gc.collect()
    before = rss_mib()
    body = json.loads(asgi_cost.RESPONSES)
    bodies = ([json.dumps({**body, "input": f"{body['input']} {n}"}).encode() for n in range(args.count)]
              if args.distinct else [asgi_cost.RESPONSES.encode()] * args.count)
    asyncio.run(asgi_cost.serve_all(emulator.app, bodies, "/v1/responses"))
    emulator.state.journal.clear()
    gc.collect()
    after = rss_mib()
    kept = emulator.state.responses.kept  # the in-memory store (no --store file here)
    print(f"{args.count} responses ({'distinct' if args.distinct else 'identical'} bodies): "
          f"RSS {before:.1f} -> {after:.1f} MiB (+{after - before:.1f}); the store keeps {len(kept)}"
          f" holding {kept.bytes / 2**20:.1f} MiB of JSON")


if __name__ == "__main__":
    main()
