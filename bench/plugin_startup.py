"""How much the pytest plugin costs a test suite: session start-up, per-test and per-request overhead.

    python bench/plugin_startup.py [--tests 200]

Generates a throwaway project and runs it with pytest in a subprocess (the plugin loads through its
entry point, as for a user). A small conftest records the setup/call/teardown durations pytest reports:

- session start-up: the setup of the first test using `chat_emulator` (the server starts there),
  minus the setup of an ordinary test;
- per test: median setup+call+teardown of empty tests without the fixture, with it, and with one
  chat completion through the official client (a client made once per module);
- per request: the difference between the last two.

The target is a start-up under 0.5 s. Prints a table; asserts nothing.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CONFTEST = """
import json, os
from collections import defaultdict

DURATIONS = defaultdict(lambda: defaultdict(float))  # nodeid -> phase -> seconds

def pytest_runtest_logreport(report):
    DURATIONS[report.nodeid][report.when] += report.duration

def pytest_sessionfinish(session):
    with open(os.environ["BENCH_OUT"], "w") as out:
        json.dump(DURATIONS, out)
"""

TESTS = {
    "test_1_plain.py": """
        import pytest

        @pytest.mark.parametrize("n", range({n}))
        def test_plain(n):
            pass
    """,
    "test_2_fixture.py": """
        import pytest

        @pytest.mark.parametrize("n", range({n}))
        def test_fixture(chat_emulator, n):
            pass
    """,
    "test_3_request.py": """
        import openai
        import pytest

        CLIENTS = []  # one client for the module, so the test measures the request, not the client's set-up

        @pytest.mark.parametrize("n", range({n}))
        def test_request(chat_emulator, n):
            if not CLIENTS:
                CLIENTS.append(openai.OpenAI(base_url=chat_emulator.base_url, api_key="sk-bench", max_retries=0))
            CLIENTS[0].chat.completions.create(model="gpt-4o-mini", messages=[{{"role": "user", "content": "hi"}}])
            assert chat_emulator.last_request.status == 200
    """,
}


def bytecode_env(cache: str | None) -> dict[str, str]:
    """The environment as is (`cache` None), or with Python writing bytecode to `cache`: how a user's
    machine runs a second session (pytest keeps the plugin package's assertion-rewritten bytecode too).
    Without it (`PYTHONDONTWRITEBYTECODE`, set on the project's machine) every session compiles the
    package from source."""
    if cache is None:
        return dict(os.environ)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    return {**env, "PYTHONPYCACHEPREFIX": cache}


def run(tests: int, cache: str | None = None) -> dict[str, dict[str, float]]:
    with tempfile.TemporaryDirectory() as folder:
        project = Path(folder)
        (project / "conftest.py").write_text(CONFTEST)
        (project / "pytest.ini").write_text("[pytest]\nasyncio_default_fixture_loop_scope = function\n")
        for name, source in TESTS.items():
            (project / name).write_text(textwrap.dedent(source.format(n=tests)))
        env = {**bytecode_env(cache), "BENCH_OUT": str(project / "durations.json"),
               "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
        done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
                              cwd=project, env=env, capture_output=True, text=True)
        if done.returncode != 0:
            sys.exit(f"the generated project failed:\n{done.stdout[-3000:]}{done.stderr[-3000:]}")
        return json.loads((project / "durations.json").read_text())


def import_time() -> float:
    code = "import time; t = time.perf_counter(); import emulator.pytest_plugin; print(time.perf_counter() - t)"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", "import pytest; " + code], env=env, check=True,
                         capture_output=True, text=True).stdout
    return float(out)


def session_startup(durations: dict[str, dict[str, float]]) -> float:
    """Seconds the first `chat_emulator` setup takes beyond an ordinary test's setup."""
    fixture = [phases for nodeid, phases in durations.items() if nodeid.startswith("test_2_fixture.py")]
    plain = [phases for nodeid, phases in durations.items() if nodeid.startswith("test_1_plain.py")]
    return fixture[0]["setup"] - statistics.median(p["setup"] for p in plain)


def cached_session_startup(tests: int = 5) -> float:
    """The session start-up with bytecode written and read (a user's second session on the machine)."""
    with tempfile.TemporaryDirectory() as cache:
        run(tests, cache)  # compiles and writes the bytecode
        return session_startup(run(tests, cache))


def measure(tests: int) -> tuple[list[tuple[str, float]], float, float]:
    """The table's rows (label, ms), the session start-up (s) and the wall time of the run (s)."""
    started = time.perf_counter()
    durations = run(tests)
    wall = time.perf_counter() - started

    def of(prefix: str) -> list[dict[str, float]]:
        return [phases for nodeid, phases in durations.items() if nodeid.startswith(prefix)]

    plain, fixture, request = of("test_1_plain.py"), of("test_2_fixture.py"), of("test_3_request.py")

    def per_test(rows: list[dict[str, float]]) -> float:
        return statistics.median(sum(phases.values()) for phases in rows[1:])  # the first pays the start-up

    startup = session_startup(durations)
    shutdown = request[-1]["teardown"] - statistics.median(p["teardown"] for p in request[:-1])
    rows = [
        ("import emulator.pytest_plugin", import_time() * 1000),
        ("session start-up (first chat_emulator setup)", startup * 1000),
        ("session start-up, bytecode cached", cached_session_startup() * 1000),
        ("session shut-down (last teardown)", shutdown * 1000),
        ("per test: plain test, no fixture", per_test(plain) * 1000),
        ("per test: chat_emulator, no request", per_test(fixture) * 1000),
        (ONE_REQUEST_TEST, per_test(request) * 1000),
        ("per request (difference of the last two)", (per_test(request) - per_test(fixture)) * 1000),
    ]
    return rows, startup, wall


ONE_REQUEST_TEST = "per test: chat_emulator + one chat completion"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tests", type=int, default=200, help="tests of each kind (default 200)")
    args = parser.parse_args()
    rows, startup, wall = measure(args.tests)
    width = max(len(label) for label, _ in rows)
    print(f"{'measure':<{width}}  {'ms':>9}")
    for label, value in rows:
        print(f"{label:<{width}}  {value:9.2f}")
    print(f"\n{args.tests} tests of each kind, {wall:.1f} s wall; start-up target < 500 ms: "
          f"{'met' if startup < 0.5 else 'NOT met'}")

if __name__ == "__main__":
    main()
