"""chat-emulator: a faithful, offline emulator of the OpenAI Chat Completions API.

The public surface is what `__all__` lists: `Emulator` (the one object a user holds: a server
started from Python, its clients, journal, reports and scripting), `Settings`, `ApiError`, and
`ChatEmulator` (a deprecated alias of `Emulator`, for one release). Every other module is internal:
importable, but undocumented and free to change.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._version import __version__

__all__ = ["ApiError", "ChatEmulator", "Emulator", "Settings", "__version__"]

if TYPE_CHECKING:  # typed for editors and mypy; imported lazily at run time (below)
    from .config import Settings
    from .contract.errors import ApiError
    from .server import Emulator
    from .testing import ChatEmulator

_LAZY = {"Emulator": ".server", "ChatEmulator": ".testing", "Settings": ".config", "ApiError": ".contract.errors"}


def __getattr__(name: str) -> Any:
    # Lazy, so `import emulator` (and the pytest plugin) stay cheap until a server is needed.
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'emulator' has no attribute {name!r}")
    from importlib import import_module

    return getattr(import_module(module, __name__), name)
