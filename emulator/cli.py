"""`chat-emulator`: serve, validate scenario files, check a server's conformance."""
from __future__ import annotations

import argparse
import logging
import os
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

from ._version import __version__, build
from .admin.auth import TOKEN_ENV, AdminGate, binding_warnings
from .config import MB, Settings
from .logs import configure as configure_logging
from .profiles import PROFILES
from .pacing import Pacing


DEFAULTS = Settings()  # the defaults every flag shows and uses


def _serve_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("serve", help="run the emulator server")
    p.add_argument("--host", default=DEFAULTS.host, help=f"address to bind (default {DEFAULTS.host})")
    p.add_argument("--port", type=int, default=DEFAULTS.port, help=f"port (default {DEFAULTS.port}; 0 picks a free one)")
    p.add_argument("--api-key", action="append", default=[], dest="api_keys",
                   help="accept only this key (repeatable); default: any non-empty key")
    p.add_argument("--cors-origin", action="append", default=[], dest="cors_origins",
                   help="allowed browser origin (repeatable; default *)")
    p.add_argument("--scenarios", action="append", default=[], type=Path, help="scenario file or folder (repeatable)")
    p.add_argument("--strict", action="store_true", help="unmatched requests get an error instead of the built-in model")
    p.add_argument("--watch", action="store_true", help="reload scenario files when they change")
    p.add_argument("--models", action="append", default=[], type=Path, dest="models_files",
                   help="a JSON or YAML file of extra model entries (repeatable)")
    p.add_argument("--model", action="append", default=[], dest="extra_models", help="an extra model id (repeatable)")
    p.add_argument("--any-model", action="store_true", help="accept any model name")
    p.add_argument("--ttft-ms", type=float, default=DEFAULTS.pacing.ttft_ms, help="streams: time to first token in ms (default 0)")
    p.add_argument("--tokens-per-second", type=float, default=DEFAULTS.pacing.tokens_per_second, help="streams: pace (default 0 = unpaced)")
    p.add_argument("--chunk-tokens", type=int, default=DEFAULTS.pacing.chunk_tokens, help="streams: tokens per content chunk (default 1)")
    p.add_argument("--ttft-jitter-ms", type=float, default=0.0,
                   help="streams: spread (standard deviation) of the time to first token, drawn per stream")
    p.add_argument("--tokens-per-second-jitter", type=float, default=0.0,
                   help="streams: spread (standard deviation) of the pace, drawn per stream")
    p.add_argument("--seed", type=int, default=None,
                   help="seed for pacing jitter and --chaos: the same seed and request order give the same run")
    p.add_argument("--max-concurrency", type=int, default=DEFAULTS.max_concurrency, metavar="N",
                   help="chat completions served at once; more wait their turn, as on a loaded server (default: no limit)")
    p.add_argument("--max-queue", type=int, default=None, metavar="M",
                   help="with --max-concurrency: most requests waiting; beyond it the live 503 (default: no bound)")
    p.add_argument("--chaos", default=None, metavar="NAME=RATE,...",
                   help="inject named errors and faults into that share of chat completions, e.g. "
                        "rate_limit_exceeded=0.02,server_error=0.01,cut_after=0.01 (seeded by --seed)")
    p.add_argument("--metrics", action="store_true", help="serve GET /metrics (Prometheus text format)")
    p.add_argument("--metrics-port", type=int, default=None,
                   help="with --metrics: also serve /metrics on this port (beside the API's)")
    p.add_argument("--workers", type=int, default=DEFAULTS.workers,
                   help="processes serving the port, sharing state through SQLite (default 1)")
    p.add_argument("--state-dir", type=Path, default=None,
                   help="with --workers: the folder of the shared state (default: a temporary one)")
    p.add_argument("--rpm", type=int, default=DEFAULTS.requests_per_minute, help="requests per minute per key (rate-limit headers)")
    p.add_argument("--tpm", type=int, default=DEFAULTS.tokens_per_minute, help="tokens per minute per key (rate-limit headers)")
    p.add_argument("--enforce-rate-limits", action="store_true", help="answer 429 past --rpm / --tpm")
    p.add_argument("--store", type=Path, default=None, dest="store_path",
                   help="keep stored completions (store: true) in this SQLite file (default: in memory)")
    p.add_argument("--store-cap", type=int, default=DEFAULTS.store_cap,
                   help="most stored completions kept; the oldest are evicted (default 10000)")
    p.add_argument("--no-access-log", action="store_true", help="no log line per request")
    p.add_argument("--log-probes", action="store_true", help="log /health and /ready requests too (default: not)")
    p.add_argument("--graceful-timeout", type=int, default=10, metavar="SECONDS",
                   help="on SIGTERM, let requests and streams in flight finish for this long (default 10)")
    p.add_argument("--log-format", choices=("text", "json"), default="text", help="log lines as text or JSON objects")
    p.add_argument("--admin-token", default=os.environ.get(TOKEN_ENV) or None,
                   help=f"token the admin API and inspector require (default: ${TOKEN_ENV}); needed off loopback")
    p.add_argument("--admin-cors-origin", action="append", default=[], dest="admin_cors_origins", metavar="ORIGIN",
                   help="a browser origin that may call the admin API (repeatable; default: none but the "
                        "server's own; docs/security.md)")
    p.add_argument("--allowed-host", action="append", default=[], dest="allowed_hosts", metavar="NAME",
                   help="a Host name the tokenless admin API answers besides loopback names and IP addresses "
                        "(repeatable; '.example.test' covers its subdomains; docs/security.md)")
    p.add_argument("--journal-size", type=int, default=DEFAULTS.journal_size,
                   help=f"requests the journal keeps (default {DEFAULTS.journal_size})")
    p.add_argument("--journal-max-mb", type=float, default=DEFAULTS.journal_max_bytes / MB,
                   help=f"bytes the journal keeps, in MB (default {DEFAULTS.journal_max_bytes // MB})")
    p.add_argument("--profile", default=DEFAULTS.profile, choices=sorted(PROFILES),
                   help="what the server accepts: openai (default, as strict as the live API), vllm, azure, lenient; "
                        "one request can choose another with the x-emulator-profile header")
    p.add_argument("--upstream", default=None, metavar="URL", dest="upstream_url",
                   help="forward what no scenario answers to this OpenAI-compatible base URL (e.g. "
                        "https://api.openai.com/v1)")
    p.add_argument("--upstream-key", default=None, metavar="KEY",
                   help="the key sent upstream (default: $CHAT_EMULATOR_UPSTREAM_KEY, else the client's own)")
    p.add_argument("--upstream-timeout", type=float, default=600.0, metavar="SECONDS",
                   help="give up on a silent upstream after this long, with a 502 (default 600)")
    p.add_argument("--record", type=Path, default=None, metavar="DIR", dest="record_dir",
                   help="with --upstream: write each forwarded exchange as a scenario in DIR (one file per namespace)")
    p.add_argument("--record-timing", action="store_true",
                   help="with --record: keep time to first token and pace, replayed as pacing")
    p.add_argument("--redact", action="append", default=[], metavar="REGEX",
                   help="with --record: mask text matching REGEX in recorded bodies (repeatable)")
    p.add_argument("--azure-deployment", action="append", default=[], metavar="NAME=MODEL", dest="azure_deployments",
                   help="azure profile: deployment NAME serves MODEL (repeatable; any model id is also a deployment)")


def _settings(args: argparse.Namespace) -> Settings:
    return Settings(
        host=args.host, port=args.port, api_keys=tuple(args.api_keys),
        cors_origins=tuple(args.cors_origins) or ("*",), scenario_paths=tuple(args.scenarios),
        strict=args.strict, watch=args.watch, models_files=tuple(args.models_files),
        extra_models=tuple(args.extra_models), accept_any_model=args.any_model,
        pacing=Pacing(args.ttft_ms, args.tokens_per_second, max(args.chunk_tokens, 1),
                      args.ttft_jitter_ms, args.tokens_per_second_jitter),
        requests_per_minute=args.rpm, tokens_per_minute=args.tpm, enforce_rate_limits=args.enforce_rate_limits,
        access_log=not args.no_access_log, log_probes=args.log_probes, graceful_timeout=args.graceful_timeout,
        store_path=args.store_path, store_cap=args.store_cap,
        log_format=args.log_format, admin_token=args.admin_token,
        admin_cors_origins=tuple(args.admin_cors_origins), allowed_hosts=tuple(args.allowed_hosts),
        journal_size=args.journal_size, journal_max_bytes=int(args.journal_max_mb * MB),
        profile=args.profile, azure_deployments=tuple(_deployment(d) for d in args.azure_deployments),
        seed=args.seed, chaos=_chaos(args.chaos), max_concurrency=args.max_concurrency, max_queue=args.max_queue,
        metrics=args.metrics, metrics_port=args.metrics_port, workers=args.workers, state_dir=args.state_dir,
        upstream_url=args.upstream_url, upstream_key=args.upstream_key, upstream_timeout=args.upstream_timeout,
        record_dir=args.record_dir, record_timing=args.record_timing, redact=tuple(args.redact),
    )


def _record_problem(args: argparse.Namespace) -> str | None:
    """A mistake in the record options, as one line."""
    from .record.redact import check_patterns

    if args.record_dir is not None and not args.upstream_url:
        return "--record needs --upstream URL (it records what the upstream answers)"
    if (args.record_timing or args.redact) and args.record_dir is None:
        return "--record-timing and --redact go with --record DIR"
    if args.upstream_url and not args.upstream_url.startswith(("http://", "https://")):
        return f"--upstream takes an http:// or https:// base URL, got {args.upstream_url!r}"
    problems = check_patterns(args.redact)
    return problems[0] if problems else None


def _chaos(text: str | None) -> tuple[tuple[str, float], ...]:
    if text is None:
        return ()
    from .chaos import ChaosError, parse_rates

    try:
        return tuple(parse_rates(text).items())
    except ChaosError as error:
        raise SystemExit(f"chat-emulator serve: --chaos: {error}") from None


def _check_scale_flags(args: argparse.Namespace) -> None:
    """One clear line for a value the server cannot use (pacing values: `Pacing.problem`)."""
    for flag, value in (("--max-concurrency", args.max_concurrency), ("--max-queue", args.max_queue)):
        if value is not None and value < 0:
            raise SystemExit(f"chat-emulator serve: {flag} must be >= 0, got {value:g}")
    if args.workers < 1:
        raise SystemExit(f"chat-emulator serve: --workers must be >= 1, got {args.workers}")
    if args.max_queue is not None and not args.max_concurrency:
        raise SystemExit("chat-emulator serve: --max-queue needs --max-concurrency")
    if args.metrics_port is not None and not args.metrics:
        raise SystemExit("chat-emulator serve: --metrics-port needs --metrics")


def _deployment(text: str) -> tuple[str, str]:
    name, sep, model = text.partition("=")
    if not sep or not name.strip() or not model.strip():
        raise SystemExit(f"chat-emulator serve: --azure-deployment takes NAME=MODEL, got {text!r}")
    return name.strip(), model.strip()


def serve(args: argparse.Namespace) -> int:
    from .contract.models import ModelsFileError
    from .scenarios.loader import ScenarioFileError
    from .server import Emulator

    _check_scale_flags(args)
    record_problem = _record_problem(args)
    if record_problem is not None:
        print(f"chat-emulator serve: {record_problem}", file=sys.stderr)
        return 2
    settings = _settings(args)
    problem = settings.pacing.problem()
    if problem is not None:
        print(f"chat-emulator serve: --{problem[0].replace('_', '-')} {problem[1]}", file=sys.stderr)
        return 2
    configure_logging(settings.log_format)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # the upstream client's line per request: our log has it
    try:
        # Under --workers this one only checks the settings and binds the port the workers serve.
        emulator = Emulator(replace(settings, workers=1, metrics=False) if settings.workers > 1 else settings)
    except ScenarioFileError as error:
        print(f"chat-emulator: not starting, the scenario files have mistakes:\n{error}", file=sys.stderr)
        return 2
    except ModelsFileError as error:
        print(f"chat-emulator: not starting, a --models file is unusable: {error}", file=sys.stderr)
        return 2
    try:
        emulator.bind()
    except OSError as error:
        print(f"chat-emulator: cannot listen on {settings.host}:{settings.port}: {error.strerror or error}",
              file=sys.stderr)
        return 2
    for warning in binding_warnings(settings):
        print(f"warning: {warning}", file=sys.stderr)
    print(f"chat-emulator {__version__} listening on {emulator.url} (OpenAI base URL: {emulator.base_url})",
          flush=True)
    if args.scenarios:
        names = emulator.scenarios.names()
        print(f"{len(names)} scenarios loaded" + (" (watching for changes)" if args.watch else "")
              + (", strict mode" if args.strict else ""), flush=True)
    if settings.upstream_url:
        print(f"forwarding what no scenario answers to {settings.upstream_url}"
              + (f", recording into {settings.record_dir}" if settings.record_dir else ""), flush=True)
    if AdminGate(settings).enabled:
        print(f"inspector: {emulator.inspector_url}", flush=True)
    try:
        _run(emulator, settings)
    except KeyboardInterrupt:  # uvicorn has shut down and re-raises Ctrl-C: a clean stop, not an error
        pass
    except OSError as error:
        if settings.metrics_port is None:
            raise
        print(f"chat-emulator: cannot serve metrics on port {settings.metrics_port}: {error.strerror or error}",
              file=sys.stderr)
        return 2
    return 0


def _run(emulator: Any, settings: Settings) -> None:
    """Serve in the foreground: in this process, or through the workers' supervisor (`--workers`)."""
    if settings.workers == 1:
        if settings.metrics_port is not None:
            from .metrics import serve_port

            serve_port(emulator.state.metrics, settings.host, settings.metrics_port)
        emulator.serve_forever()
        return
    from .workers.supervisor import run_workers

    print(f"{settings.workers} workers", flush=True)
    emulator.state.scenarios.stop_watching()  # each worker watches (and holds the store) itself
    emulator.state.store.close()
    run_workers(settings, emulator.bind())  # serves --metrics-port itself, from the workers' files


def _validate_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("validate", help="check scenario files without serving")
    p.add_argument("paths", nargs="+", type=Path, help="scenario files or folders")


def validate(args: argparse.Namespace) -> int:
    """Print each file OK or each of its mistakes (`file:line: what (at path)`); exit 1 on mistakes."""
    from .scenarios.lint import loop_warnings
    from .scenarios.loader import ScenarioFileError, load_document, read_file, scenario_files

    try:
        files = scenario_files(args.paths)
    except ScenarioFileError as error:
        print(error, file=sys.stderr)
        return 1
    failed = 0
    for path in files:
        try:
            document = read_file(path)
            scenarios = load_document(document)
        except ScenarioFileError as error:
            failed += 1
            print(error)
        else:
            count = len(scenarios)
            print(f"{path}: OK ({count} scenario{'s' if count != 1 else ''})")
            for warning in loop_warnings(document, scenarios):
                print(warning)
    if not files:
        print("no scenario files (.yaml, .yml, .json) found", file=sys.stderr)
        return 1
    return 1 if failed else 0


def _init_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("init", help="write the example scenarios and a starter test into a project")
    p.add_argument("path", nargs="?", type=Path, default=Path("."), help="the project folder (default: here)")


def init(args: argparse.Namespace) -> int:
    from .starter import init_project

    try:
        written = init_project(args.path)
    except FileExistsError as error:
        print(f"chat-emulator init: not overwriting what is there: {error}", file=sys.stderr)
        return 1
    except OSError as error:
        print(f"chat-emulator init: cannot write into {args.path}: {error.strerror or error}", file=sys.stderr)
        return 1
    scenarios = sum(1 for path in written if path.parent.name == "scenarios")
    print(f"wrote {scenarios} example scenario files to {args.path / 'scenarios'} "
          f"and a starter test to {written[-1]}")
    print(f"next: pip install 'chat-emulator[pytest]' (if not yet) and run: pytest {written[-1]}")
    return 0


def _import_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("import", help="turn vcrpy / pytest-recording cassettes into scenario files")
    p.add_argument("paths", nargs="+", type=Path, help="cassette files or folders (.yaml, .yml, .json)")
    p.add_argument("--out", type=Path, default=Path("recordings"),
                   help="folder for the scenario files (default: recordings); a folder's layout is kept")
    p.add_argument("--redact", action="append", default=[], metavar="REGEX",
                   help="mask text matching REGEX in the bodies (repeatable)")


def import_cassettes(args: argparse.Namespace) -> int:
    """One line per cassette: how many interactions became scenarios, how many were skipped."""
    from .record.cassettes import CassetteError, cassette_files, import_cassette
    from .record.redact import check_patterns

    problems = check_patterns(args.redact)
    if problems:
        print(f"chat-emulator import: {problems[0]}", file=sys.stderr)
        return 2
    failed = found = 0
    try:
        for source, relative in cassette_files(args.paths):
            found += 1
            target = args.out / relative.with_suffix(".yaml")
            try:
                result = import_cassette(source, target, redact=args.redact,
                                         prefix=".".join(relative.with_suffix("").parts))
            except CassetteError as error:
                failed += 1
                print(error, file=sys.stderr)
            else:
                print(result.summary())
    except CassetteError as error:
        print(error, file=sys.stderr)
        return 1
    if not found:
        print("no cassette files (.yaml, .yml, .json) found", file=sys.stderr)
        return 1
    return 1 if failed else 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="chat-emulator", description=__doc__)
    parser.add_argument("--version", action="version", version=f"chat-emulator {__version__} ({build()})")
    sub = parser.add_subparsers(dest="command", required=True)
    _serve_parser(sub)
    _validate_parser(sub)
    _import_parser(sub)
    _init_parser(sub)
    # `check` has its own parser (emulator.conformance.cli); it is only imported when used, since
    # hypothesis and the check catalogue would slow every `serve` start.
    sub.add_parser("check", help="check how faithfully a server speaks the Chat Completions contract", add_help=False)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["check"]:
        from .conformance import cli as conformance_cli

        return conformance_cli.main(argv[1:])
    parser = build_parser()
    args = parser.parse_args(argv)
    handlers = {"serve": serve, "validate": validate, "init": init, "import": import_cassettes}
    return handlers[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
