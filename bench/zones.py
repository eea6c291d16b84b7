"""Instructions per served request inside named Python functions: callgrind collects only while they run.

    python bench/zones.py [--app emulator|baseline] [--case distinct] ZONE...

A ZONE is `module:Qualname` (inclusive of what it calls; a coroutine counts only while it runs, not
while it waits), `presend` (from a request's bytes arriving to its body's send: what a one-client
latency pays), or `gc` (the garbage collector's runs); `--no-gc` leaves the collector's runs out of
the zones. One client on keep-alive (`served_cost.py`'s), 200 requests counted after 200; the zones are
measured together (nested calls once). Needs valgrind and a C compiler: a tiny extension
(`CALLGRIND_TOGGLE_COLLECT`) is built in a temporary folder. Examples:

    python bench/zones.py uvicorn.protocols.http.httptools_impl:RequestResponseCycle.run_asgi
    python bench/zones.py --app baseline starlette.routing:Route.handle
    python bench/zones.py presend
"""
from __future__ import annotations

import argparse
import asyncio
import collections.abc
import gc
import importlib
import inspect
import os
import re
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path
from typing import Any, Callable

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))

SOURCE = r"""
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <valgrind/callgrind.h>
static long depth = 0;
static PyObject *on(PyObject *s, PyObject *u) { if (depth++ == 0) CALLGRIND_TOGGLE_COLLECT; Py_RETURN_NONE; }
static PyObject *off(PyObject *s, PyObject *u) { if (--depth == 0) CALLGRIND_TOGGLE_COLLECT; Py_RETURN_NONE; }
static PyObject *flip(PyObject *s, PyObject *u) { if (depth > 0) CALLGRIND_TOGGLE_COLLECT; Py_RETURN_NONE; }
static PyObject *zero(PyObject *s, PyObject *u) { CALLGRIND_ZERO_STATS; Py_RETURN_NONE; }
static PyMethodDef methods[] = {{"on", on, METH_NOARGS, NULL}, {"off", off, METH_NOARGS, NULL},
    {"flip", flip, METH_NOARGS, NULL}, {"zero", zero, METH_NOARGS, NULL}, {NULL, NULL, 0, NULL}};
static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "cgzone", NULL, -1, methods};
PyMODINIT_FUNC PyInit_cgzone(void) { return PyModule_Create(&module); }
"""


def build(folder: Path) -> None:
    (folder / "cgzone.c").write_text(SOURCE)
    target = folder / ("cgzone" + sysconfig.get_config_var("EXT_SUFFIX"))
    subprocess.run(["cc", "-O2", "-shared", "-fPIC", "-I" + sysconfig.get_paths()["include"],
                    str(folder / "cgzone.c"), "-o", str(target)], check=True)


class Zoned(collections.abc.Coroutine):
    """A coroutine that collects while it runs (between a resume and its next wait)."""

    def __init__(self, coro: Any, zone: Any) -> None:
        self.coro, self.zone = coro, zone

    def __await__(self) -> Any:
        return self

    def __next__(self) -> Any:
        return self.send(None)

    def send(self, value: Any) -> Any:
        self.zone.on()
        try:
            return self.coro.send(value)
        finally:
            self.zone.off()

    def throw(self, *exc: Any) -> Any:
        self.zone.on()
        try:
            return self.coro.throw(*exc)
        finally:
            self.zone.off()

    def close(self) -> None:
        self.coro.close()


def zoned(f: Callable[..., Any], zone: Any) -> Callable[..., Any]:
    if inspect.iscoroutinefunction(f):
        def wrapper(*a: Any, **k: Any) -> Any:
            return Zoned(f(*a, **k), zone)  # called now: uvicorn calls an app without arguments to spot factories

        wrapper._is_coroutine = asyncio.coroutines._is_coroutine  # type: ignore[attr-defined]  # uvicorn's ASGI 3 check
    else:
        def wrapper(*a: Any, **k: Any) -> Any:
            zone.on()
            try:
                return f(*a, **k)
            finally:
                zone.off()
    wrapper.__name__, wrapper.__qualname__ = f.__name__, f.__qualname__
    return wrapper


def patch(spec: str, zone: Any) -> None:
    """Wrap `module:Qualname` where it is looked up: its class or module (and the module's dicts that hold it)."""
    module_name, qualname = spec.split(":")
    module = importlib.import_module(module_name)
    *path, name = qualname.split(".")
    owner: Any = module
    for part in path:
        owner = getattr(owner, part)
    original = owner.__dict__[name] if isinstance(owner, type) else getattr(owner, name)
    wrapper = zoned(original, zone)
    setattr(owner, name, wrapper)
    if owner is module:  # e.g. fast_path.FAST_ENDPOINTS
        for value in list(vars(module).values()):
            if isinstance(value, dict):
                for key in [k for k, v in value.items() if v is original]:
                    value[key] = wrapper


def presend(zone: Any) -> None:
    """Collect from `data_received` to the send of a response's body (for a whole answer that
    `ReadyHeadCycle.write_answer` writes, to its write)."""
    from uvicorn.protocols.http import httptools_impl as h

    collecting = [False]
    received, send = h.HttpToolsProtocol.data_received, h.RequestResponseCycle.send

    def data_received(self: Any, data: bytes) -> None:
        if not collecting[0]:
            collecting[0] = True
            zone.on()
        received(self, data)

    def stop(message: dict[str, Any]) -> None:
        if collecting[0] and message.get("type") == "http.response.body":
            collecting[0] = False
            zone.off()

    async def sending(self: Any, message: dict[str, Any]) -> None:
        stop(message)
        await send(self, message)

    h.HttpToolsProtocol.data_received, h.RequestResponseCycle.send = data_received, sending  # type: ignore[method-assign]
    try:
        from emulator import served_protocol
    except ImportError:
        return
    after_head = served_protocol.ReadyHeadCycle._send_after_head

    async def sending_after_head(self: Any, message: dict[str, Any]) -> None:
        stop(message)
        await after_head(self, message)

    served_protocol.ReadyHeadCycle._send_after_head = sending_after_head  # type: ignore[method-assign]
    write_answer = served_protocol.ReadyHeadCycle.write_answer

    class Stopping:
        """The cycle's transport, stopping the zone when the whole answer (head and body) is written."""

        def __init__(self, transport: Any) -> None:
            self.transport = transport

        def write(self, data: bytes) -> None:
            stop({"type": "http.response.body"})
            self.transport.write(data)

        def __getattr__(self, name: str) -> Any:
            return getattr(self.transport, name)

    def writing_answer(self: Any, status: int, lines: bytes, body: bytes) -> bool:
        # This wrapper's own work is left out: collecting pauses until the real method is called.
        if collecting[0]:
            zone.off()
        transport = self.transport
        self.transport = Stopping(transport)
        try:
            if collecting[0]:
                zone.on()
            return write_answer(self, status, lines, body)
        finally:
            self.transport = transport

    served_protocol.ReadyHeadCycle.write_answer = writing_answer  # type: ignore[method-assign]


async def serve(app_name: str, case: str, count: int, zone: Any) -> None:
    """`count` requests, the counts zeroed, `count` more: the process ends there (no shutdown counted)."""
    import asgi_cost
    from served_cost import client, listening

    _, port, _ = await listening(app_name)
    path, headers = asgi_cost.PATHS.get(case, "/v1/chat/completions"), asgi_cost.HEADERS.get(case)
    bodies = asgi_cost.CASES[case](2 * count, 0)
    await client(port, asgi_cost.CASES[case](20, 10**7), path, headers)
    await client(port, bodies[:count], path, headers)
    zone.zero()
    await client(port, bodies[count:], path, headers)
    os._exit(0)


def child(args: argparse.Namespace) -> None:
    sys.path.insert(0, args.build)
    import cgzone  # type: ignore[import-not-found]
    import uvloop

    for spec in args.zones:
        if spec == "presend":
            presend(cgzone)
        elif spec == "gc":
            gc.callbacks.append(lambda phase, info: cgzone.on() if phase == "start" else cgzone.off())
        else:
            patch(spec, cgzone)
    if args.no_gc:
        gc.callbacks.append(lambda phase, info: cgzone.flip())
    uvloop.run(serve(args.app, args.case, args.requests, cgzone))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("zones", nargs="+")
    parser.add_argument("--app", choices=["emulator", "baseline"], default="emulator")
    parser.add_argument("--case", default="distinct")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--no-gc", action="store_true", help="leave the garbage collector's runs out")
    parser.add_argument("--build", help=argparse.SUPPRESS)  # set in the child, run under valgrind
    args = parser.parse_args()
    if args.build:
        child(args)
        return
    with tempfile.TemporaryDirectory() as folder:
        build(Path(folder))
        out = Path(folder) / "callgrind.out"
        subprocess.run(["valgrind", "--tool=callgrind", "--collect-atstart=no", f"--callgrind-out-file={out}",
                        sys.executable, __file__, "--build", folder, *sys.argv[1:]], capture_output=True, check=True)
        summary = re.search(r"^summary:\s*(\d+)", out.read_text(), re.M)
        assert summary is not None
    print(f"{args.app} {args.case} {' '.join(args.zones)}: {int(summary.group(1)) / args.requests / 1000:.1f} k instructions per request")


if __name__ == "__main__":
    main()
