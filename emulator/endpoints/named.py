"""Endpoints as Python functions with their handlers' names, in the compiled build too.

Starlette's `Route` serves a callable as a `request -> response` endpoint only when `inspect.isfunction`
says it is one (anything else is taken for an ASGI app), and names the route after it. A function mypyc
compiled (the opt-in compiled build, docs/performance.md) is no Python function and takes no new name.
This module is never compiled (setup.py), so what `routable` makes is a Python function; in the pure
Python build the endpoint already is one and comes back as it is.
"""
from __future__ import annotations

import inspect
from typing import Any, Awaitable, Callable, TypeVar

F = TypeVar("F", bound=Callable[..., Any])
Endpoint = Callable[[Any], Awaitable[Any]]


def named(function: F, like: Callable[..., Any]) -> F:
    """`function`, named and documented as `like` when it is a Python function (a compiled one keeps its own)."""
    if inspect.isfunction(function):
        function.__name__ = function.__qualname__ = getattr(like, "__name__", function.__name__)
        function.__doc__ = getattr(like, "__doc__", None)
    return function


def routable(serve: Endpoint, handler: Callable[..., Any]) -> Endpoint:
    """`serve` as Starlette's `Route` takes an endpoint: a Python coroutine function named as `handler`
    (around a compiled `serve`, which stays its `__wrapped__`: the hot paths call that directly)."""
    if not inspect.isfunction(serve):
        compiled = serve

        async def endpoint(request: Any) -> Any:
            return await compiled(request)

        endpoint.__wrapped__ = compiled  # type: ignore[attr-defined]
        serve = endpoint
    return named(serve, handler)
