"""Strategies drawn from chat_request.json: valid draws satisfy the schema, mutations break it in one named way."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings

from emulator.contract.json_schemas import schema_errors
from emulator.conformance.strategies import from_schema, invalid_requests, valid_requests

FAST = settings(max_examples=60, deadline=None, database=None, suppress_health_check=list(HealthCheck))


@FAST
@given(valid_requests("gpt-4o-mini"))
def test_valid_requests_satisfy_the_schema_and_live_rules(request: dict[str, Any]) -> None:
    assert schema_errors("chat_request", request) == []
    assert 1 <= len(request["messages"]) <= 3
    assert request.get("top_logprobs") is None or request["logprobs"] is True
    assert request.get("stream_options") is None or request["stream"] is True
    assert len(json.dumps(request)) < 4000


@FAST
@given(invalid_requests("gpt-4o-mini"))
def test_mutations_break_the_schema(case: tuple[dict[str, Any], str | None, str]) -> None:
    request, param, broken = case
    assert schema_errors("chat_request", request), broken
    if param is not None and "[" not in param:
        assert param in request or param == "messages"


@FAST
@given(from_schema({"$ref": "#/$defs/tool"}))
def test_from_schema_follows_refs_and_one_of(tool: dict[str, Any]) -> None:
    assert tool["type"] in ("function", "custom")
    assert schema_errors("chat_request", {"model": "m", "messages": [{"role": "user", "content": "x"}], "tools": [tool]}) == []
