"""The model catalogue: which model ids exist, what they resolve to and what they can do.

The data lives in `models.json` (shipped) plus any file or ids the user adds; this module only
loads and answers questions about it.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Any, Iterable, Iterator, Protocol

from . import errors

CAPABILITIES = ("tools", "vision", "audio", "reasoning", "json_schema", "search")


@dataclass(frozen=True)
class ModelInfo:
    id: str
    snapshot: str  # the id the response's `model` reports (itself, or the dated snapshot of an alias)
    created: int
    owned_by: str
    context_window: int
    max_output_tokens: int
    capabilities: frozenset[str] = field(default_factory=frozenset)
    # The encoding usage counts in: `o200k_base` or `cl100k_base` are exact, any other name (a
    # model with no published encoding) is approximated (see `encodings`).
    tokenizer: str = "o200k_base"
    chat: bool = True  # False for models Chat Completions refuses (embeddings)
    dimensions: int = 0  # an embeddings model's vector length (0: the model makes no embeddings)
    shortenable: bool = False  # it takes `dimensions` (the text-embedding-3 models)

    def can(self, capability: str) -> bool:
        return capability in self.capabilities

    @property
    def is_reasoning(self) -> bool:
        return "reasoning" in self.capabilities

    @property
    def max_token_id(self) -> int:
        """The largest token id `logit_bias` accepts (the tokenizer's vocabulary)."""
        return 100257 if self.tokenizer == "cl100k_base" else 200018

    def listing(self) -> dict[str, Any]:
        return {"id": self.id, "object": "model", "created": self.created, "owned_by": self.owned_by}


class ModelsFileError(ValueError):
    """A `--models` file that cannot be used; the message names the file and what is wrong."""


def _read_entries(path: Path) -> list[Any]:
    text = path.read_text("utf-8")
    if path.suffix in (".yaml", ".yml"):
        import yaml

        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as error:
            raise ValueError("not valid YAML: " + " ".join(str(error).split())) from None
    else:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            raise ValueError(f"not valid JSON: {error}") from None
    entries = data.get("models") if isinstance(data, dict) else data
    if not isinstance(entries, list) or not all(
            isinstance(e, str) or (isinstance(e, dict) and isinstance(e.get("id"), str)) for e in entries):
        raise ValueError('expected a list of model entries (objects with a string "id", or bare ids), '
                         'or {"models": [...]}')
    return entries


class ModelCatalogue:
    """Model ids known to the server. With `accept_any`, unknown ids get default capabilities."""

    def __init__(self, entries: Iterable[dict[str, Any]], defaults: dict[str, Any], accept_any: bool = False) -> None:
        self.defaults = defaults
        self.accept_any = accept_any
        self._models: dict[str, ModelInfo] = {}
        self.add(entries)

    @classmethod
    def builtin(cls, accept_any: bool = False) -> "ModelCatalogue":
        data = json.loads(resources.files(__package__).joinpath("models.json").read_text("utf-8"))
        return cls(data["models"], data["defaults"], accept_any)

    def add(self, entries: Iterable[dict[str, Any] | str]) -> None:
        """Add models given as catalogue entries (dicts) or bare ids. Aliases resolve after all are known."""
        pending_aliases = []
        for entry in entries:
            if isinstance(entry, str):
                entry = {"id": entry}
            if entry.get("alias_of"):
                pending_aliases.append(entry)
            else:
                self._models[entry["id"]] = self._build(entry, entry["id"], None)
        for entry in pending_aliases:
            target = self._models.get(entry["alias_of"])
            self._models[entry["id"]] = self._build(entry, entry["alias_of"], target)

    def add_file(self, path: str | Path) -> None:
        """A JSON (or YAML) file holding a list of entries or `{"models": [...]}`; a file that cannot be
        read or holds anything else raises `ModelsFileError` naming the file."""
        try:
            self.add(_read_entries(Path(path)))
        except (OSError, ValueError, TypeError, KeyError) as error:
            reason = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
            raise ModelsFileError(f"{path}: {reason}") from None

    def _build(self, entry: dict[str, Any], snapshot: str, target: ModelInfo | None) -> ModelInfo:
        base: dict[str, Any] = dict(self.defaults)
        if target is not None:
            base.update(
                owned_by=target.owned_by, context_window=target.context_window,
                max_output_tokens=target.max_output_tokens, capabilities=sorted(target.capabilities),
                tokenizer=target.tokenizer, chat=target.chat, dimensions=target.dimensions,
                shortenable=target.shortenable,
            )
        base.update({k: v for k, v in entry.items() if not k.startswith("_")})
        unknown = set(base.get("capabilities", ())) - set(CAPABILITIES)
        if unknown:
            raise ValueError(f"model {entry['id']!r}: unknown capabilities {sorted(unknown)}; known: {CAPABILITIES}")
        return ModelInfo(
            id=entry["id"],
            snapshot=entry.get("snapshot") or snapshot,
            created=int(base.get("created", 1700000000)),
            owned_by=base["owned_by"],
            context_window=int(base["context_window"]),
            max_output_tokens=int(base["max_output_tokens"]),
            capabilities=frozenset(base.get("capabilities", ())),
            tokenizer=base.get("tokenizer", "o200k_base"),
            chat=bool(base.get("chat", True)),
            dimensions=int(base.get("dimensions", 0)),
            shortenable=bool(base.get("shortenable", False)),
        )

    def get(self, model_id: str) -> ModelInfo | None:
        return self._models.get(model_id)

    def resolve(self, model_id: str) -> ModelInfo:
        """The model for a request, or the live 404 `model_not_found`."""
        info = self._models.get(model_id)
        if info is not None:
            return info
        if self.accept_any:
            info = self._build({"id": model_id}, model_id, None)
            return replace(info, capabilities=frozenset(CAPABILITIES) - {"reasoning"})
        raise errors.model_not_found(model_id)

    def __iter__(self) -> Iterator[ModelInfo]:
        return iter(self._models.values())

    def __len__(self) -> int:
        return len(self._models)


class Catalogue(Protocol):
    """What the request path asks of a catalogue (the server's, or it layered with a profile's models)."""

    def get(self, model_id: str) -> ModelInfo | None: ...
    def resolve(self, model_id: str) -> ModelInfo: ...
    def __iter__(self) -> Iterator[ModelInfo]: ...
