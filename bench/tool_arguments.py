"""How long the built-in model takes to make up a typical tool call's arguments from its JSON Schema.

    python bench/tool_arguments.py [--calls 200]

Times `generate_arguments` on a weather tool's schema after one warm-up call (the schema is compiled
once, then cached). The target is under 2 ms per call; it prints the figure and exits non-zero
when the target is missed. A wall-clock figure depends on the machine, so it lives here, not in
the test suite.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from emulator.model.schema_values import generate_arguments  # noqa: E402

TARGET_MS = 2.0
# The weather tool's parameters the suite's generator tests use too (tests/test_schema_values.py).
WEATHER = json.loads((ROOT / "fixtures" / "schemas" / "weather_parameters.json").read_text())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=200)
    calls = parser.parse_args().calls
    generate_arguments(WEATHER, seed=0)  # warm-up: compiles and caches the schema
    start = time.perf_counter()
    for seed in range(calls):
        generate_arguments(WEATHER, seed=seed, hint_text="weather in Paris")
    per_call_ms = (time.perf_counter() - start) / calls * 1000
    print(f"tool arguments from a schema: {per_call_ms:.3f} ms per call (target < {TARGET_MS} ms, {calls} calls)")
    return 0 if per_call_ms < TARGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())
