"""`chat-emulator import`: vcrpy / pytest-recording cassettes → scenario files, matched as recordings are.

A cassette (YAML or JSON) lists interactions, each a request (`method`, `uri`, `body`) and a
response (`status`, `headers`, `body.string`; older httpx cassettes: `status_code`, `content`).
Bodies may be bytes and gzip-compressed; streamed answers are SSE text. Chat Completions, Responses
and embeddings calls are imported; other interactions are skipped and counted by host and endpoint.

Requests are read as the emulator reads them on replay (any model name accepted): a Responses call
by its whole conversation, with `previous_response_id` resolved through the cassette's earlier
responses, an embeddings call by each input's text. A call the emulator would refuse is skipped.
"""
from __future__ import annotations

import gzip
import json
import zlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator
from urllib.parse import urlsplit

import yaml

from ..contract.embedding_request import validate_embedding_request
from ..contract.errors import ApiError
from ..contract.models import ModelCatalogue
from ..contract.responses_request import validate_responses_request
from ..scenarios.conversation import RESPONSES
from .chains import UpstreamChains
from .embeddings import with_input_texts
from .exchange import Exchange, events_of
from .proxy import final_response
from .recorder import Recorder

SUFFIXES = (".yaml", ".yml", ".json")
_API_PATHS = ("/chat/completions", "/responses", "/embeddings")


class CassetteError(ValueError):
    """A file that is not a cassette, as one line."""


@dataclass
class Imported:
    source: Path
    target: Path
    scenarios: int = 0
    skipped: Counter[str] = field(default_factory=Counter)  # host → interactions left out

    def summary(self) -> str:
        line = f"{self.source}: {self.scenarios} interaction{'s' if self.scenarios != 1 else ''} → {self.target}"
        if self.skipped:
            hosts = ", ".join(f"{host} ×{count}" for host, count in sorted(self.skipped.items()))
            line += f"; skipped {sum(self.skipped.values())} to other hosts or endpoints ({hosts})"
        return line


def cassette_files(paths: Iterable[Path]) -> Iterator[tuple[Path, Path]]:
    """Each cassette file with its path relative to the argument that named it."""
    for path in paths:
        if path.is_dir():
            for found in sorted(p for p in path.rglob("*") if p.suffix in SUFFIXES and p.is_file()):
                yield found, found.relative_to(path)
        elif path.is_file():
            yield path, Path(path.name)
        else:
            raise CassetteError(f"{path}: no such file or folder")


def read_cassette(path: Path) -> list[dict[str, Any]]:
    text = path.read_text(encoding="utf-8")
    try:
        data = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except (ValueError, yaml.YAMLError) as error:
        raise CassetteError(f"{path}: not a cassette ({type(error).__name__})") from None
    if not isinstance(data, dict) or not isinstance(data.get("interactions"), list):
        raise CassetteError(f"{path}: not a cassette (no 'interactions' list)")
    return data["interactions"]


def import_cassette(path: Path, target: Path, *, redact: Iterable[str] = (), prefix: str | None = None) -> Imported:
    result = Imported(path, target)
    recorder = Recorder(file=target, redact=redact, fresh=True, name_prefix=prefix)
    reader = _CallReader()
    for interaction in read_cassette(path):
        exchange = exchange_of(interaction)
        if not isinstance(exchange, str):
            exchange = reader.read(exchange)
        if isinstance(exchange, str):
            result.skipped[exchange] += 1
            continue
        recorder.record(exchange)
        result.scenarios += 1
    return result


class _CallReader:
    """Reads each call as replay will: the match body of Responses and embeddings calls, and the chains
    of the cassette's responses (for a later `previous_response_id`)."""

    def __init__(self) -> None:
        self.catalogue = ModelCatalogue.builtin(accept_any=True)
        self.chains = UpstreamChains()

    def read(self, exchange: Exchange) -> Exchange | str:
        """The exchange with what its match reads, or why it is skipped."""
        try:
            if exchange.api == RESPONSES:
                call = validate_responses_request(exchange.request, self.catalogue,
                                                  previous=self.chains.lookup(""))
                if exchange.status < 400:
                    self.chains.remember("", final_response(exchange.body, exchange.events), call.context + call.items)
                exchange.match_request = call.chat.body
            elif exchange.api == "embeddings":
                exchange.match_request = with_input_texts(validate_embedding_request(exchange.request, self.catalogue))
        except (ApiError, KeyError, TypeError, ValueError) as error:
            return f"{exchange.path} (a request the emulator refuses: {getattr(error, 'message', error)})"
        return exchange


def exchange_of(interaction: dict[str, Any]) -> Exchange | str:
    """The interaction as an exchange, or the host (and endpoint) it was skipped for."""
    request, response = interaction.get("request") or {}, interaction.get("response") or {}
    url = urlsplit(str(request.get("uri", "")))
    if request.get("method", "").upper() != "POST" or not url.path.rstrip("/").endswith(_API_PATHS):
        return f"{url.hostname} {request.get('method', '?')} {url.path}"
    try:
        body = json.loads(_text(request.get("body"), {}))
    except ValueError:
        return f"{url.hostname} (a request body that is not JSON)"
    headers = {k.lower(): (v[0] if isinstance(v, list) else v) for k, v in (response.get("headers") or {}).items()}
    status = (response.get("status") or {}).get("code") or response.get("status_code") or 200
    raw = (response.get("body") or {}).get("string") if "body" in response else response.get("content")
    text = _text(raw, headers)
    if headers.get("content-type", "").startswith("text/event-stream") or text.startswith(("data:", "event:")):
        return Exchange(url.path, body, int(status), headers, None, [(0.0, e) for e in events_of(text)])
    try:
        answer: Any = json.loads(text)
    except ValueError:
        answer = text
    return Exchange(url.path, body, int(status), headers, answer)


def _text(raw: Any, headers: dict[str, Any]) -> str:
    if raw is None:
        return ""
    if isinstance(raw, str):
        return raw
    encoding = str(headers.get("content-encoding", "")).lower()
    if encoding == "gzip" or raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    elif encoding == "deflate":
        raw = zlib.decompress(raw)
    return raw.decode("utf-8", "replace")
