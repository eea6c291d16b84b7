"""The ``check`` command: options, and a run that returns the exit status (0 pass, 1 fail, 2 usage error).

The main CLI wires these as ``chat-emulator check``; ``python -m emulator.conformance`` runs them directly.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import httpx

from emulator.conformance import report
from emulator.conformance.catalogue import UnknownName, catalogue, select, split_names
from emulator.conformance.client import ApiClient
from emulator.conformance.context import Context
from emulator.conformance.strictness import STRICTNESS_LEVELS
from emulator.conformance.runner import FAIL, Progress, Result, run_checks
from emulator.conformance.transcript import check_file, transcript_files

OK, FAILED, USAGE = 0, 1, 2


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--base-url", help="the server's API root, e.g. http://127.0.0.1:8000/v1")
    parser.add_argument("--api-key", default=os.environ.get("OPENAI_API_KEY", "sk-test"),
                        help="bearer key to send (default: $OPENAI_API_KEY, else sk-test)")
    parser.add_argument("--model", default="gpt-4o-mini", help="model to request (default: gpt-4o-mini)")
    parser.add_argument("--strictness", "--profile", dest="strictness", choices=sorted(STRICTNESS_LEVELS),
                        default="openai", help="(--profile is its older name) openai: the live API exactly; compatible: shapes, statuses and streaming (default: openai)")
    parser.add_argument("--select", action="append", metavar="NAMES",
                        help="run only these checks or groups (comma-separated, repeatable)")
    parser.add_argument("--skip", action="append", metavar="NAMES", help="skip these checks or groups (comma-separated, repeatable)")
    parser.add_argument("--examples", type=int, default=50, metavar="N", help="examples per generated check (default: 50)")
    parser.add_argument("--seed", type=int, help="seed for generated checks (default: derandomized, the same every run)")
    parser.add_argument("--report", action="append", metavar="PATH", default=[],
                        help="also write a report: .xml for JUnit, .json for JSON (repeatable)")
    parser.add_argument("--transcript", action="append", metavar="FILE", default=[],
                        help="validate recorded exchanges offline instead of calling a server (file or directory, repeatable)")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds to wait for each response (default: 30)")
    parser.add_argument("--list", action="store_true", help="print the catalogue of checks and exit")


def _usage(message: str) -> int:
    print(f"chat-emulator check: error: {message}", file=sys.stderr)
    return USAGE


def print_catalogue() -> None:
    checks = catalogue()
    width = max(len(c.name) for c in checks)
    group = None
    for check in checks:
        if check.group != group:
            group = check.group
            print(f"\n{group}")
        only = "" if len(check.profiles) > 1 else f"  [{next(iter(check.profiles))} only]"
        print(f"  {check.name:<{width}}  {check.description}{only}")


def _live(args: argparse.Namespace, checks: list[Any]) -> list[Result] | int:
    strictness = STRICTNESS_LEVELS[args.strictness]
    with ApiClient(args.base_url, args.api_key, timeout=args.timeout) as client:
        try:
            client.get("/models")
        except httpx.HTTPError as error:
            return _usage(f"cannot reach {args.base_url}: {error}")
        ctx = Context(client, args.model, strictness, examples=args.examples, seed=args.seed,
                      run_id=uuid.uuid4().hex[:12])
        progress = Progress()
        try:
            return run_checks(checks, ctx, progress)
        finally:
            progress.finish()


def run(args: argparse.Namespace) -> int:
    """Run the selected checks (or validate transcripts), print the table, write reports; return the exit status."""
    if args.list:
        print_catalogue()
        return OK
    if bool(args.base_url) == bool(args.transcript):
        return _usage("give either --base-url (check a server) or --transcript (check recordings)")
    if args.examples < 1:
        return _usage("--examples must be at least 1")
    bad_reports = [p for p in args.report if Path(p).suffix.lower() not in report.FORMATS]
    if bad_reports:
        return _usage(f"report {bad_reports[0]!r}: use a .xml (JUnit) or .json file name")
    try:
        checks = select(catalogue(), split_names(args.select), split_names(args.skip))
    except UnknownName as error:
        return _usage(str(error))
    if not checks and not args.transcript:
        return _usage("--select and --skip leave no check to run")

    started = time.time()
    if args.transcript:
        files = transcript_files(args.transcript)
        missing = [str(f) for f in files if not f.is_file()]
        if missing or not files:
            return _usage(f"no transcript file {missing[0] if missing else ' '.join(args.transcript)!r}")
        results = [r for f in files for r in check_file(f, STRICTNESS_LEVELS[args.strictness])]
        meta: dict[str, Any] = {"transcripts": [str(f) for f in files]}
    else:
        outcome = _live(args, checks)
        if isinstance(outcome, int):
            return outcome
        results = outcome
        meta = {"base_url": args.base_url, "model": args.model, "examples": args.examples, "seed": args.seed}
    meta |= {"profile": args.strictness, "started": started, "seconds": round(time.time() - started, 3)}

    print(report.table(results))
    for path in args.report:
        report.write(Path(path), results, meta)
    return FAILED if any(r.outcome == FAIL for r in results) else OK


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="chat-emulator check",
                                     description="Check how faithfully a server speaks the OpenAI Chat Completions contract.")
    add_arguments(parser)
    return run(parser.parse_args(argv))
