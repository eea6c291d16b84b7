"""Clients pointed at the emulator: official `openai` clients, and the environment for code that builds its own."""
from __future__ import annotations

import os
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Iterator

if TYPE_CHECKING:
    import openai


class Clients:
    """`client()`, `async_client()` and `use_env()`; the sync clients are closed by `close_clients()`."""

    _clients: list[Any]

    @property
    def base_url(self) -> str:
        raise NotImplementedError  # the emulator's address (server.py)

    @property
    def api_key(self) -> str:
        raise NotImplementedError

    def client(self, **options: Any) -> openai.OpenAI:
        """An official `openai.OpenAI` client pointed at the emulator (options go to the constructor)."""
        made = _openai().OpenAI(**{"base_url": self.base_url, "api_key": self.api_key, **options})
        self._clients.append(made)
        return made

    def async_client(self, **options: Any) -> openai.AsyncOpenAI:
        """An official `openai.AsyncOpenAI` client pointed at the emulator."""
        return _openai().AsyncOpenAI(**{"base_url": self.base_url, "api_key": self.api_key, **options})

    @contextmanager
    def use_env(self) -> Iterator[Any]:
        """Point `OPENAI_BASE_URL` and `OPENAI_API_KEY` at the emulator inside the block, then restore them,
        so code that builds its own `OpenAI()` client reaches the emulator unchanged. Yields the emulator."""
        saved = {name: os.environ.get(name) for name in ("OPENAI_BASE_URL", "OPENAI_API_KEY")}
        os.environ["OPENAI_BASE_URL"], os.environ["OPENAI_API_KEY"] = self.base_url, self.api_key
        try:
            yield self
        finally:
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value

    def close_clients(self) -> None:
        """Close the sync clients made by `client()` (their connection pools)."""
        for made in self._clients:
            made.close()
        self._clients.clear()


def _openai() -> Any:
    try:
        import openai
    except ImportError:
        raise RuntimeError("client() and async_client() need the openai package: "
                           "pip install 'chat-emulator[client]' (or pip install openai)") from None
    return openai
