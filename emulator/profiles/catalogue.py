"""A profile's view of the model catalogue: the server's models plus the ids that profile's servers list.

Gateways list Anthropic and Google ids next to OpenAI's, vLLM lists Hugging Face repo ids, Azure
knows its own names (`gpt-35-turbo`). Those entries live in `models_<profile>.json`, read once; the
server's own catalogue stays the first place a model is looked up, so models added at run time
(`--model`, admin) are visible under every profile.
"""
from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import Iterator

from ..contract.models import ModelCatalogue, ModelInfo


@lru_cache(maxsize=None)
def profile_entries(name: str) -> tuple[dict, ...]:
    """The extra catalogue entries of profile `name` (none when it has no file)."""
    path = resources.files(__package__).joinpath(f"models_{name}.json")
    if not path.is_file():
        return ()
    return tuple(json.loads(path.read_text("utf-8"))["models"])


class LayeredCatalogue:
    """The server's catalogue first, then the profile's extra models; same questions as `ModelCatalogue`."""

    def __init__(self, base: ModelCatalogue, extra: ModelCatalogue) -> None:
        self.base, self.extra = base, extra

    @classmethod
    def for_profile(cls, base: ModelCatalogue, name: str) -> ModelCatalogue | LayeredCatalogue:
        entries = profile_entries(name)
        if not entries:
            return base
        return cls(base, ModelCatalogue(entries, base.defaults))

    def get(self, model_id: str) -> ModelInfo | None:
        return self.base.get(model_id) or self.extra.get(model_id)

    def resolve(self, model_id: str) -> ModelInfo:
        info = self.extra.get(model_id) if self.base.get(model_id) is None else None
        return info or self.base.resolve(model_id)

    def __iter__(self) -> Iterator[ModelInfo]:
        yield from self.base
        for info in self.extra:
            if self.base.get(info.id) is None:
                yield info

    def __len__(self) -> int:
        return sum(1 for _ in self)
