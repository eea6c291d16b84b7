"""`lenient`: for clients that send provider extras (`anthropic_version`, gateway metadata, `cache_control`).

Unknown fields, top-level or nested, are dropped before the usual strict validation and named in
the `x-emulator-ignored-fields` response header; known fields keep every type and range check.
"""
from __future__ import annotations

from .base import Profile

LENIENT = Profile(
    name="lenient",
    summary="unknown fields are ignored and listed in the x-emulator-ignored-fields response header",
    ignore_unknown=True,
)
