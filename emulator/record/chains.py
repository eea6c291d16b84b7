"""`previous_response_id` under `--upstream`: the chains of responses the upstream made.

A response the upstream made has the upstream's id, which the emulator's store does not hold. So the
proxy remembers, per API key, each forwarded response's chain (its input items and output, as the
store keeps a local one), and a follow-up request that continues it resolves here: it is read with
the whole conversation, as on replay, where the replayed first response is stored locally and the
follow-up continues that one. Its recording therefore pins the whole conversation, never the id,
which replay cannot know (docs/record-replay.md, "Responses API chains").

A chain the emulator began (a scenario's answer, or a replayed one: `new_episodes` in pytest) is one
the upstream cannot continue by id, so the upstream gets the conversation itself (`spelled_out`).
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Callable, Protocol

from ..contract.responses_input import input_items
from ..store import key_digest


@dataclass(frozen=True)
class UpstreamResponse:
    """What a follow-up continues from: every item of the chain, this response's output included."""

    context: list[dict[str, Any]]


class LocalResponses(Protocol):
    def get(self, api_key: str, response_id: str) -> Any: ...


class UpstreamChains:
    """The chains of the last `cap` responses the upstream made (the oldest are forgotten first)."""

    def __init__(self, cap: int = 2000) -> None:
        self.cap = cap
        self._chains: OrderedDict[tuple[str, str], UpstreamResponse] = OrderedDict()
        self._lock = threading.Lock()

    def remember(self, api_key: str, response: Any, before: list[dict[str, Any]]) -> None:
        """Keep `response` (the upstream's response object) continuable, after the items `before` it."""
        if not isinstance(response, dict) or not isinstance(response.get("id"), str) or response.get("store") is False:
            return  # not stored upstream: no follow-up can name it
        output = [item for item in response.get("output") or () if isinstance(item, dict) and "type" in item]
        with self._lock:
            self._chains[(key_digest(api_key), response["id"])] = UpstreamResponse(before + output)
            while len(self._chains) > self.cap:
                self._chains.popitem(last=False)

    def get(self, api_key: str, response_id: str) -> UpstreamResponse | None:
        return self._chains.get((key_digest(api_key), response_id))

    def lookup(self, api_key: str, local: LocalResponses | None = None) -> Callable[[str], Any]:
        """`previous_response_id` → the chain it continues: a `local` response first, else an upstream one."""
        def find(response_id: str) -> Any:
            found = local.get(api_key, response_id) if local is not None else None
            return found if found is not None else self.get(api_key, response_id)

        return find


def spelled_out(body: dict[str, Any], context: list[dict[str, Any]]) -> dict[str, Any]:
    """`body` continuing a chain the emulator holds, as a request any server can answer: no
    `previous_response_id`, the chain's items before its own input (without the emulator's item ids,
    and without reasoning items, which only their maker can read)."""
    items = [_portable(item) for item in context if item.get("type") != "reasoning"]
    rest = {k: v for k, v in body.items() if k != "previous_response_id"}
    return rest | {"input": items + input_items(body.get("input"))}


def _portable(item: dict[str, Any]) -> dict[str, Any]:
    if item["type"] == "message" and item.get("role") == "assistant" and isinstance(item.get("content"), list):
        text = "".join(p.get("text", "") for p in item["content"] if p.get("type") == "output_text")
        return {"role": "assistant", "content": text}
    return {k: v for k, v in item.items() if k not in ("id", "status")}
