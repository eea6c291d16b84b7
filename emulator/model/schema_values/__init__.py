"""Deterministic, plausible values for a JSON Schema (tool-call arguments and
`json_schema` structured outputs of the built-in model).

One module per step: `generate` (the entry points and the final check),
`walk` (one value per schema node, by keyword or type), `walk_state` (what the
walk carries), `composition` (`$ref`, `allOf`, `anyOf`/`oneOf`, `enum`),
`object_values`, `array_values`, `string_values` and `number_values` (a value
of each type), `mentions` (values the user's message names),
`mentioned_strings` (which of them a string property takes), `plausible`
(values chosen by a property's name), `formats` (string formats),
`number_candidates` (numbers inside bounds), `merge` (`allOf` folding and
canonical JSON), `regex_examples` (strings a `pattern` matches).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .errors import SchemaGenerationError

if TYPE_CHECKING:
    from .generate import generate_arguments, generate_value

__all__ = ["SchemaGenerationError", "generate_arguments", "generate_value"]


def __getattr__(name: str) -> Any:
    # Lazy: the generator brings faker and jsonschema, which a server that never generates a value
    # (plain text answers) need not load at start-up.
    if name in ("generate_arguments", "generate_value"):
        from . import generate

        return getattr(generate, name)
    raise AttributeError(name)
