"""`chat-emulator serve` as a child process, as a container or a shell runs it."""
from __future__ import annotations

import re
import signal
import subprocess
import sys
import threading

LISTENING = re.compile(r"OpenAI base URL: (http://[^ ]+:(\d+)/v1)\)")


class ServeProcess:
    """`chat-emulator <argv>` with its output and errors collected by a thread (so nothing is lost to
    read-ahead buffering); the constructor returns once it listens."""

    def __init__(self, argv: list[str]) -> None:
        self.process = subprocess.Popen([sys.executable, "-m", "emulator", *argv],
                                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.lines: list[str] = []
        self._listening = threading.Event()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        if not self._listening.wait(30) or self.base_url is None:
            self.stop(signal.SIGKILL)
            raise AssertionError("chat-emulator did not start listening:\n" + self.output)

    base_url: str | None = None
    port: int = 0

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line)
            match = LISTENING.search(line)
            if match and self.base_url is None:
                self.base_url, self.port = match.group(1), int(match.group(2))
                self._listening.set()
        self._listening.set()  # exited without listening

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def output(self) -> str:
        return "".join(self.lines)

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 30) -> str:
        """Send `sig` (if still running), wait for the exit and every line of output; return the output."""
        if self.process.poll() is None:
            self.process.send_signal(sig)
        self.process.wait(timeout)
        self._reader.join(timeout)
        return self.output

    @property
    def returncode(self) -> int | None:
        return self.process.returncode
