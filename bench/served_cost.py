"""Requests through the real server stack in one process: uvicorn (uvloop, httptools) on a loopback
socket, and a minimal client on the same event loop writing raw HTTP/1.1 on keep-alive connections.

`asgi_cost.py` times the application alone; this counts what uvicorn does around it too (parsing,
the header checks per response header, the transport writes) and what the garbage collector costs
over many requests. Under callgrind (`bench/instructions.py --served`) the client's share is small
and the same for every server.

    python bench/served_cost.py --case distinct --count 2000 [--app emulator|baseline] [--clients 4]
"""
from __future__ import annotations

import argparse
import asyncio
import os
import socket
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

import asgi_cost  # noqa: E402  (the cases, and BENCH_TOKENS for the baseline)
import baseline_app  # noqa: E402

import uvicorn  # noqa: E402

from emulator import Emulator  # noqa: E402


def request_bytes(body: bytes, path: str = "/v1/chat/completions",
                  headers: list[tuple[bytes, bytes]] | None = None) -> bytes:
    lines = (b"Content-Type: application/json\r\nAuthorization: Bearer sk-bench\r\n" if headers is None
             else b"".join(name + b": " + value + b"\r\n" for name, value in headers))
    return (b"POST " + path.encode() + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n" + lines
            + b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)


async def read_response(reader: asyncio.StreamReader) -> int:
    """One response off the connection: its status (the body is read and dropped)."""
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    lower = head.lower()
    at = lower.find(b"content-length: ")
    if at >= 0:
        await reader.readexactly(int(lower[at + 16: lower.index(b"\r\n", at)]))
    else:  # chunked: read to the last chunk
        await reader.readuntil(b"0\r\n\r\n")
    return status


async def client(port: int, bodies: list[bytes], path: str = "/v1/chat/completions",
                 headers: list[tuple[bytes, bytes]] | None = None) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    for body in bodies:
        writer.write(request_bytes(body, path, headers))
        status = await read_response(reader)
        if status != 200:
            raise SystemExit(f"status {status}")
    writer.close()


def uvicorn_server(app_name: str) -> tuple[uvicorn.Server, Any]:
    """The server as `Emulator` configures it (its protocol choices included), or the baseline's."""
    if app_name == "emulator":
        emulator = Emulator()
        return emulator._uvicorn_server(freeze_heap=True), emulator  # as `serve` runs it
    config = uvicorn.Config(baseline_app.app, log_level="warning", access_log=False, lifespan="off",
                            loop="uvloop", http="httptools")
    return uvicorn.Server(config), None


async def listening(app_name: str) -> tuple[uvicorn.Server, int, asyncio.Future]:
    """The server serving on a free port of 127.0.0.1, ready for requests: (server, port, its task)."""
    server, _ = uvicorn_server(app_name)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    port = sock.getsockname()[1]
    task = asyncio.ensure_future(server.serve(sockets=[sock]))
    while not server.started:
        await asyncio.sleep(0.01)
    if app_name == "emulator":  # the exact encodings load in a thread once the server listens: wait for them
        from emulator import encodings

        for name in encodings.EXACT:
            encodings.get(name)
    return server, port, task


async def serve(app_name: str, case: str, count: int, clients: int) -> float:
    server, port, task = await listening(app_name)
    path, headers = asgi_cost.PATHS.get(case, "/v1/chat/completions"), asgi_cost.HEADERS.get(case)
    await client(port, asgi_cost.CASES[case](20, 10**7), path, headers)  # warm up (templates, caches)
    bodies = asgi_cost.CASES[case](count, 0)
    started = time.perf_counter()
    await asyncio.gather(*(client(port, bodies[i::clients], path, headers) for i in range(clients)))
    elapsed = time.perf_counter() - started
    server.should_exit = True
    await task
    return elapsed / count * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--case", choices=list(asgi_cost.CASES), default="distinct")
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--app", choices=["emulator", "baseline"], default="emulator")
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args()
    import uvloop

    us = uvloop.run(serve(args.app, args.case, args.count, args.clients))
    if not args.quiet:
        print(f"{args.app} {args.case}: {us:.1f} us per request (server and client, one process, pid {os.getpid()})")


if __name__ == "__main__":
    main()
