"""The generator's one error, apart from the generator: the request path imports it without loading
faker and jsonschema (they load with the first schema that needs a value)."""
from __future__ import annotations


class SchemaGenerationError(Exception):
    """The schema is invalid, unsupported or unsatisfiable; the message names the JSON path."""
