"""The build: pure Python by default (pyproject.toml says everything); with `CHAT_EMULATOR_MYPYC=1`, the
request path compiled to C with mypyc (`make compiled`, docs/performance.md "The compiled build").

The compiled build needs mypy (the version `make check` uses) and a C compiler in the building
environment, so it is built without build isolation: `make compiled` does it in `.venv-compiled`.
"""
from __future__ import annotations

import os
import sys
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from setuptools import setup
from setuptools.command.build_ext import build_ext

# What the compiled build compiles: the modules a chat, Responses or embeddings request runs through
# (measured: docs/performance.md lists what each saves and what stays Python and why). A module left out
# keeps working as Python beside compiled ones; one put in must type-check and keep its annotations
# true at run time (mypyc checks them: an annotation that lies becomes a TypeError).
# Left out on purpose: app.py (Starlette hands its exception handlers to a thread pool unless they are
# Python coroutine functions; the hot dispatch is fast_path.py), endpoints/named.py (it must make Python
# functions), and everything off the request path (admin, CLI, record/replay, conformance, scenario files).
MYPYC_MODULES = """
bounded_records bpe delivery encodings fast_path ids json_text journal pacing probes ratelimit reply respond
response_store served_protocol state store tokens
contract/audio_output contract/auth contract/chat_request contract/embedding_request contract/headers
contract/media/parts contract/models contract/plain_request contract/responses_input contract/responses_request contract/rules
contract/shapes contract/strict_json contract/validate
endpoints/chat endpoints/embeddings endpoints/journaling endpoints/responses endpoints/shell
endpoints/validated
model/builtin model/completion_budget model/draws model/embedding model/guided model/memo model/prediction
model/request_options model/text model/tool_policy
profiles/__init__ profiles/base profiles/catalogue
scenarios/engine
wire/embedding_body wire/head wire/json_body wire/render wire/response_events wire/response_object
wire/response_render wire/response_template wire/responses wire/sse wire/stamped wire/stream_response
""".split()

# The C files of the one extension mypyc writes, compiled this many at a time.
JOBS = int(os.environ.get("CHAT_EMULATOR_MYPYC_JOBS") or os.cpu_count() or 1)


class ParallelBuildExt(build_ext):
    """`build_ext` compiling an extension's C files in parallel (setuptools' `--parallel` only runs
    whole extensions in parallel, and mypyc puts nearly everything in one)."""

    def build_extension(self, ext: Any) -> None:
        compile_one = self.compiler.compile

        def compile_all(sources: list[str], *args: Any, **kwargs: Any) -> list[str]:
            with ThreadPoolExecutor(max_workers=JOBS) as pool:
                done = pool.map(lambda source: compile_one([source], *args, **kwargs), sources)
                return [obj for objects in done for obj in objects]

        self.compiler.compile = compile_all
        try:
            super().build_extension(ext)
        finally:
            self.compiler.compile = compile_one


# mypyc runs only for a build (not when pip asks for the metadata first): it type-checks the whole package.
if os.environ.get("CHAT_EMULATOR_MYPYC") == "1" and {"bdist_wheel", "build_ext", "build"} & set(sys.argv):
    from mypyc.build import mypycify

    extensions = mypycify([f"emulator/{name}.py" for name in MYPYC_MODULES], opt_level="3",
                          multi_file=True, target_dir="build/compiled/c")
    for extension in extensions:
        # Only each module's `PyInit_` needs exporting (CPython marks it visible): the compiled functions
        # call each other directly instead of through the symbol table, and the library's table of
        # exported names (loaded and resident like its code) shrinks to almost nothing.
        extension.extra_compile_args.append("-fvisibility=hidden")
    setup(
        ext_modules=extensions,
        cmdclass={"build_ext": ParallelBuildExt},
        # Its own build folder, emptied by `make compiled`: no module compiled by an earlier build
        # (with another module list) can slip into the wheel.
        options={"build": {"build_base": "build/compiled"}},
    )
else:
    setup()
