"""chat-emulator: a faithful, offline emulator of the OpenAI Chat Completions API.

Public API: `Emulator` (a server you start from Python), `ChatEmulator` (the test helpers over one),
`Settings`, `ApiError`.
"""
from __future__ import annotations

from ._version import __version__

__all__ = ["ApiError", "ChatEmulator", "Emulator", "Settings", "__version__"]


def __getattr__(name: str):
    # Lazy, so `import emulator` (and the pytest plugin) stay cheap until a server is needed.
    if name == "Emulator":
        from .server import Emulator

        return Emulator
    if name == "ChatEmulator":
        from .testing import ChatEmulator

        return ChatEmulator
    if name == "Settings":
        from .config import Settings

        return Settings
    if name == "ApiError":
        from .contract.errors import ApiError

        return ApiError
    raise AttributeError(name)
