"""`chat-emulator serve` as a child process, as a container or a shell runs it."""
from __future__ import annotations

import re
import subprocess
import sys

LISTENING = re.compile(r"OpenAI base URL: (http://[^ ]+/v1)\)")


def start_serve_argv(argv: list[str]) -> tuple[subprocess.Popen[str], str]:
    """Start `chat-emulator <argv>` (output and errors on one pipe); return it and its OpenAI base URL
    once it listens. The lines read before that (warnings) are lost to the caller."""
    process = subprocess.Popen([sys.executable, "-m", "emulator", *argv],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert process.stdout is not None
    seen = []
    for line in process.stdout:
        seen.append(line)
        match = LISTENING.search(line)
        if match:
            return process, match.group(1)
    process.wait(10)
    raise AssertionError("chat-emulator exited before listening:\n" + "".join(seen))
