"""A validated request sent once more: its copy, with what is the new request's own.

The validated-body memo (endpoints/validated.py) hands each request with known bytes a copy of the
kept request: its options and the facts the kept request has worked out (its prompt tokens, texts)
come along, its headers and key are the new request's (`ChatRequest.again`).
"""
from __future__ import annotations

from typing import Any

from .chat_request import ChatRequest


def copy_with(kept: ChatRequest, own: dict[str, Any]) -> ChatRequest:
    """A copy of `kept` with its own `headers` and `api_key` (from `own`; kept's where `own` has none)."""
    return kept.again(own.get("headers", kept.headers), own.get("api_key", kept.api_key))
