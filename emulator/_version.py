"""The package version, in one place (read by the CLI, the admin API and the package face), and the build."""
from __future__ import annotations

from importlib.machinery import EXTENSION_SUFFIXES
from importlib.util import find_spec

__version__ = "0.1.0"


def build() -> str:
    """"compiled with mypyc" when this install's request path is compiled (`make compiled`, docs/performance.md),
    else "pure Python"."""
    spec = find_spec("emulator.bpe")  # a module the compiled build always compiles
    compiled = spec is not None and (spec.origin or "").endswith(tuple(EXTENSION_SUFFIXES))
    return "compiled with mypyc" if compiled else "pure Python"
