"""`--workers N`: uvicorn's multiprocess supervisor over the socket the CLI bound, each worker an
`Emulator` built from the same settings, sharing state through the state directory.

The supervisor starts the workers (fresh interpreters: uvicorn spawns them), restarts one that dies,
and on SIGINT or SIGTERM stops them all. Settings reach the workers through an environment variable
(pickled), since a spawned worker imports the app by name (`worker_app`, a factory).
"""
from __future__ import annotations

import base64
import inspect
import os
import pickle
import shutil
import socket
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Any

import uvicorn
from uvicorn.supervisors import Multiprocess

from ..config import Settings
from .db import start_run

SETTINGS_ENV = "CHAT_EMULATOR_WORKER_SETTINGS"
METRICS_ENV = "PROMETHEUS_MULTIPROC_DIR"  # prometheus-client's multiprocess mode reads it at import
_worker: Any = None  # the worker's Emulator, kept alive for its app


def worker_settings(settings: Settings, directory: Path) -> Settings:
    """What each worker runs with: the shared directory, and stored completions in it unless `--store`."""
    return replace(settings, state_dir=directory, store_path=settings.store_path or directory / "store.sqlite")


def run_workers(settings: Settings, sock: socket.socket) -> None:
    """Serve `sock` with `settings.workers` processes until told to stop."""
    made = settings.state_dir is None
    directory = Path(tempfile.mkdtemp(prefix="chat-emulator-", dir=_memory_dir())) if made \
        else Path(settings.state_dir)  # type: ignore[arg-type]
    start_run(directory)
    if settings.metrics:
        metrics_dir = directory / "metrics"
        shutil.rmtree(metrics_dir, ignore_errors=True)
        metrics_dir.mkdir()
        os.environ[METRICS_ENV] = str(metrics_dir)
        if settings.metrics_port is not None:
            from ..metrics import serve_port

            serve_port(None, settings.host, settings.metrics_port)
    from ..server import served_options

    os.environ[SETTINGS_ENV] = base64.b64encode(pickle.dumps(worker_settings(settings, directory))).decode()
    config = uvicorn.Config(
        "emulator.workers.supervisor:worker_app", factory=True, workers=settings.workers, **served_options(settings),
    )
    if "target" in inspect.signature(Multiprocess).parameters:  # uvicorn before 0.54 named the target
        supervisor = Multiprocess(config, target=uvicorn.Server(config).run, sockets=[sock])  # type: ignore[call-arg]
    else:
        supervisor = Multiprocess(config, sockets=[sock])
    try:
        supervisor.run()
    finally:
        if made:
            shutil.rmtree(directory, ignore_errors=True)


def _memory_dir() -> str | None:
    """/dev/shm where there is one: SQLite's commits there cost a third of a disk's (the state is one run's)."""
    shm = Path("/dev/shm")
    return str(shm) if shm.is_dir() and os.access(shm, os.W_OK) else None


def worker_app() -> Any:
    """In a worker: the emulator's ASGI app, built from the supervisor's settings."""
    global _worker
    from .. import encodings
    from ..logs import configure
    from ..server import Emulator

    settings: Settings = pickle.loads(base64.b64decode(os.environ[SETTINGS_ENV]))
    if settings.access_log:
        configure(settings.log_format)
    _worker = Emulator(settings)
    encodings.warm_up()
    return _worker.app
