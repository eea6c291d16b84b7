"""Local JSON Schema references (`#`, `#/$defs/Foo`, `#/definitions/Foo`).

Shared by the strict-mode checks (does a `$ref` resolve?) and the value
generator (what does it point at?), which both only follow references inside
the document, as the live API does.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

__all__ = ["UnresolvedRef", "resolve_local_ref"]


class UnresolvedRef(LookupError):
    """A `$ref` that does not point inside the document."""


def resolve_local_ref(document: Any, ref: Any) -> Any:
    """The node `ref` points at: '#' is the document, '#/a/b' a JSON Pointer into it."""
    if not isinstance(ref, str) or not ref.startswith("#"):
        raise UnresolvedRef(f"only local references are supported, got {ref!r}")
    pointer = unquote(ref[1:])
    if pointer and not pointer.startswith("/"):
        raise UnresolvedRef(f"anchors are not supported, got {ref!r}")
    node = document
    for raw in pointer.split("/")[1:]:
        part = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            raise UnresolvedRef(f"$ref {ref!r} does not resolve")
    return node
