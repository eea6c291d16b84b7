"""Compatibility profiles: the live API (`openai`, the default), `vllm`, `azure` and `lenient`.

The server's profile is `Settings.profile` (`--profile`); one request can pick another with the
`x-emulator-profile` header, so a strict test and a lenient one can share a server.
"""
from __future__ import annotations

from typing import Mapping

from ..contract import errors
from .azure import AZURE
from .base import IGNORED_FIELDS_HEADER, Profile
from .lenient import LENIENT
from .openai import OPENAI
from .vllm import VLLM

PROFILE_HEADER = "x-emulator-profile"
PROFILES: dict[str, Profile] = {p.name: p for p in (OPENAI, VLLM, AZURE, LENIENT)}


def select_profile(name: str) -> Profile:
    """The profile called `name`; a `ValueError` naming the known ones otherwise (startup)."""
    profile = PROFILES.get(name)
    if profile is None:
        raise ValueError(f"unknown profile {name!r}; choose one of {', '.join(PROFILES)}")
    return profile


def for_request(headers: Mapping[str, str], default: str) -> Profile:
    """The request's `x-emulator-profile`, else the server's profile; an unknown name is a 400."""
    name = headers.get(PROFILE_HEADER)
    if name is None:
        return PROFILES[default]
    profile = PROFILES.get(name.strip().lower())
    if profile is None:
        raise errors.invalid_profile(PROFILE_HEADER, name, tuple(PROFILES))
    return profile


__all__ = ["AZURE", "IGNORED_FIELDS_HEADER", "LENIENT", "OPENAI", "PROFILES", "PROFILE_HEADER", "VLLM", "Profile",
           "for_request", "select_profile"]
