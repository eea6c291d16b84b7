"""`--watch`: poll the scenario files' modification times and reload the set when they change.

Polling (every 0.5 s) needs no dependency and works on every filesystem, mounts included. A broken
edit is logged with its file and line, and the last good set keeps answering.
"""
from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from .loader import SUFFIXES, ScenarioFileError

if TYPE_CHECKING:
    from .engine import ScenarioEngine

log = logging.getLogger("emulator.scenarios")


def snapshot(paths: list[Path]) -> dict[Path, int]:
    """Modification time (ns) and size of every scenario file under `paths`."""
    seen: dict[Path, int] = {}
    for path in paths:
        candidates = path.rglob("*") if path.is_dir() else [path]
        for file in candidates:
            if file.suffix in SUFFIXES or file == path:
                try:
                    stat = file.stat()
                except OSError:
                    continue
                seen[file] = stat.st_mtime_ns ^ (stat.st_size << 1)
    return seen


class Watcher(threading.Thread):
    def __init__(self, engine: "ScenarioEngine", interval: float = 0.5) -> None:
        super().__init__(name="chat-emulator:watch", daemon=True)
        self.engine = engine
        self.interval = interval
        self._stop_event = threading.Event()
        self._last = snapshot(engine.paths)

    def stop(self) -> None:
        self._stop_event.set()
        self.join(2)

    def run(self) -> None:
        while not self._stop_event.wait(self.interval):
            self.check()

    def check(self) -> bool:
        """Reload if anything changed since the last look; True when a new set was loaded."""
        current = snapshot(self.engine.paths)
        if current == self._last:
            return False
        self._last = current
        try:
            self.engine.reload()
        except ScenarioFileError as error:
            log.warning("scenario files not reloaded, keeping the last good set:\n%s", error)
            return False
        log.info("scenario files reloaded: %d scenarios", len(self.engine.names()))
        return True
