"""What a check is, and what it is given when it runs."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from emulator.conformance.client import ApiClient
from emulator.conformance.strictness import Strictness

BOTH = frozenset({"openai", "compatible"})
OPENAI_ONLY = frozenset({"openai"})


@dataclass
class Context:
    """The server under test and the run's settings, shared by every check of one run."""

    client: ApiClient
    model: str
    strictness: Strictness
    examples: int = 50
    seed: int | None = None
    run_id: str = "run"
    memo: dict[str, Any] = field(default_factory=dict)

    def request(self, content: str = "Say hello in five words.", **fields: Any) -> dict[str, Any]:
        """A small valid create request for the configured model, with extra fields."""
        return {"model": self.model, "messages": [{"role": "user", "content": content}], **fields}

    def once(self, key: str, make: Callable[[], Any]) -> Any:
        """Compute a value once per run (e.g. a stream several checks inspect)."""
        if key not in self.memo:
            self.memo[key] = make()
        return self.memo[key]


@dataclass(frozen=True)
class Check:
    """A named check: ``run`` returns to pass, raises CheckFailed to fail or CheckSkipped to skip."""

    name: str
    group: str
    description: str
    run: Callable[[Context], None]
    profiles: frozenset[str] = BOTH
