"""vLLM's guided decoding for the built-in model: content that obeys `guided_*` / `structured_outputs`.

`guided_json` (a schema, or a string holding one) gives a valid document from the same generator
as `response_format: json_schema`; `guided_choice` one of the choices; `guided_regex` a string
matching the whole pattern. `guided_grammar` is best effort: a root rule made of quoted
alternatives gives one of them; any other grammar gives ordinary text. These fields only reach
the model when the request's profile accepts them (`vllm`).
"""
from __future__ import annotations

import json
import re
from typing import Any, Callable

from ..contract.chat_request import ChatRequest
from ..contract.errors import bad_request
from ..contract.strict_json import loads_strictly
from .draws import Draws
from .schema_values.budget import TokenBudget

# `root ::= "yes" | "no"` (GBNF) or `root: "yes" | "no"` (Lark): a choice between literals.
_ROOT_RULE = re.compile(r"^\s*\??root\s*(?:::=|:)\s*(.+?)\s*$", re.MULTILINE)
_LITERAL = re.compile(r'^"((?:[^"\\]|\\.)*)"$')


# The fields that ask for guided decoding (vLLM's own, and the newer `structured_outputs` object).
GUIDED_FIELDS = ("structured_outputs", "guided_json", "guided_choice", "guided_regex", "guided_grammar")


def guided_content(request: ChatRequest, draws: Draws, budget_of: Callable[[], TokenBudget]) -> str | None:
    """The guided content for this request, or None when it asks for no guided decoding. `draws` are
    the choice's and `budget_of()` the completion budget (made only when asked: most requests ask for
    no guided decoding). Values longer than the budget are cut there; the caller
    cuts the tokens."""
    body = request.body
    if body.keys().isdisjoint(GUIDED_FIELDS):
        return None
    budget = budget_of()
    outputs = body.get("structured_outputs") or {}
    schema = body.get("guided_json", outputs.get("json"))
    if schema is not None:
        return _json_content(schema, request, draws, "guided_json" if "guided_json" in body else "structured_outputs.json",
                             budget)
    choices = body.get("guided_choice") or outputs.get("choice")
    if choices:
        return choices[draws.below(len(choices))]
    pattern = body.get("guided_regex", outputs.get("regex"))
    if pattern is not None:
        return _regex_content(pattern, draws, budget)
    grammar = body.get("guided_grammar", outputs.get("grammar"))
    if grammar is not None:
        return _grammar_choice(grammar, draws)
    if outputs.get("json_object"):
        return _json_content({"type": "object"}, request, draws, "structured_outputs.json_object", budget)
    return None


def _json_content(schema: Any, request: ChatRequest, draws: Draws, param: str, budget: TokenBudget) -> str:
    from .schema_values import SchemaGenerationError, generate_value

    if isinstance(schema, str):
        schema = loads_strictly(schema)  # checked to be a JSON object by the vllm profile
    try:
        value = generate_value(schema, seed=draws.bits64(), hint_text=request.last_user_text,
                               budget=budget)
    except SchemaGenerationError as exc:
        raise bad_request(f"Invalid '{param}': {exc}", param) from None
    return json.dumps(value, ensure_ascii=False)


def _regex_content(pattern: str, draws: Draws, budget: TokenBudget) -> str:
    from .schema_values import SchemaGenerationError, generate_value

    try:
        # JSON Schema patterns search; guided decoding matches the whole output.
        return generate_value({"type": "string", "pattern": f"^(?:{pattern})$"}, seed=draws.bits64(),
                              budget=budget)
    except SchemaGenerationError as exc:
        raise bad_request(f"Invalid 'guided_regex': cannot produce a matching string ({exc}).",
                          "guided_regex") from None


def _grammar_choice(grammar: str, draws: Draws) -> str | None:
    match = _ROOT_RULE.search(grammar)
    if match is None:
        return None
    options = [_LITERAL.match(part.strip()) for part in match.group(1).split("|")]
    if not options or any(o is None for o in options):
        return None
    try:
        literals = [loads_strictly(f'"{o.group(1)}"') for o in options if o is not None]
    except ValueError:  # an escape that is no character (a lone surrogate): not a plain choice
        return None
    return literals[draws.below(len(literals))]
