"""Masking secrets in recorded bodies: the keys used, and whatever `--redact REGEX` names.

Headers never reach a recording at all (the recorder keeps none of the request's, and of the
response's only the retry headers), so `Authorization`, `api-key`, `OpenAI-Organization`,
`OpenAI-Project` and cookies cannot leak; this covers text inside bodies.
"""
from __future__ import annotations

import re
from dataclasses import replace
from typing import Any, Iterable

from ..scenarios.conversation import REDACTED
from .exchange import Exchange


class Redactor:
    def __init__(self, patterns: Iterable[str] = ()) -> None:
        self.patterns = [re.compile(p) for p in patterns]

    def exchange(self, exchange: Exchange) -> Exchange:
        mask = self._masker(exchange.secrets)
        return replace(exchange, request=mask(exchange.request), match_request=mask(exchange.match_request),
                       body=mask(exchange.body),
                       events=[(at, mask(event)) for at, event in exchange.events], secrets=())

    def _masker(self, secrets: tuple[str, ...]) -> Any:
        patterns = self.patterns + [re.compile(re.escape(s)) for s in secrets if len(s) >= 8]

        def mask(value: Any) -> Any:
            if isinstance(value, str):
                for pattern in patterns:
                    value = pattern.sub(REDACTED, value)
                return value
            if isinstance(value, dict):
                return {k: mask(v) for k, v in value.items()}
            if isinstance(value, list):
                return [mask(v) for v in value]
            return value

        return mask


def check_patterns(patterns: Iterable[str]) -> list[str]:
    """The mistakes in `--redact` patterns, one line each."""
    problems = []
    for pattern in patterns:
        try:
            re.compile(pattern)
        except re.error as error:
            problems.append(f"--redact {pattern!r} is not a valid regular expression: {error}")
    return problems
