"""Deprecated: `ChatEmulator` was the test helpers over an `Emulator`; they are `Emulator`'s own methods now.

Kept for one release (see the README's changelog): `ChatEmulator(**settings)` is an `Emulator`;
`ChatEmulator(emulator)` is a view of a running one whose `with` block closes only the clients
it made, as before.
"""
from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any

from .user.journal_queries import describe  # noqa: F401  (re-exported: it was public here)

if TYPE_CHECKING:
    from .server import Emulator


class ChatEmulator:
    """Deprecated alias of `Emulator` (see the module's docstring)."""

    emulator: Emulator

    def __new__(cls, emulator: Emulator | None = None, **settings: Any) -> Any:
        warnings.warn("ChatEmulator is deprecated: use emulator.Emulator, which has the same methods",
                      DeprecationWarning, stacklevel=2)
        if emulator is None:
            from .server import Emulator

            return Emulator(**settings)
        if settings:
            raise TypeError("settings apply to a new emulator, not to the one given")
        return super().__new__(cls)

    def __init__(self, emulator: Emulator | None = None, **settings: Any) -> None:
        object.__setattr__(self, "emulator", emulator)

    def __enter__(self) -> ChatEmulator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the clients made through this view (the server keeps running: it is not this view's)."""
        self.emulator.close_clients()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.emulator, name)

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(self.emulator, name, value)
