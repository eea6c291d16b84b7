"""The served fast path (emulator/served_protocol.py, wire/head.py): uvicorn writes the emulator's ready
response heads in one piece. A client must not see a byte of difference: each exchange here goes
over a raw socket to a server with the fast path and to one with uvicorn's plain httptools protocol,
and the response heads are compared byte for byte (the values that differ per response, such as
the date and the request id, normalized)."""
from __future__ import annotations

import asyncio
import logging
import re
import socket
import threading

import pytest
import uvicorn
from uvicorn.protocols.http import httptools_impl

import emulator.server as server_module
from emulator import Emulator, served_protocol
from emulator.wire.head import encode_headers, start_message
from emulator.wire.responses import BytesResponse

from waiting import eventually

CHAT = b'{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Hello"}]}'
STREAM = b'{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Hello"}],"stream":true}'
RESPONSES = b'{"model":"gpt-4o-mini","input":"Hello"}'
EMBEDDINGS = b'{"model":"text-embedding-3-small","input":"Hello"}'
# Values that differ from one response to the next, whichever server writes them.
VOLATILE = re.compile(rb"^(date|x-request-id|openai-processing-ms|x-ratelimit-reset-requests|"
                      rb"x-ratelimit-reset-tokens): [^\r]*", re.M)


def post(path: str, body: bytes, *headers: bytes, version: bytes = b"1.1") -> bytes:
    return (b"POST " + path.encode() + b" HTTP/" + version + b"\r\nHost: 127.0.0.1\r\nAuthorization: Bearer sk-x\r\n"
            b"Content-Type: application/json\r\nContent-Length: %d\r\n" % len(body)
            + b"".join(h + b"\r\n" for h in headers) + b"\r\n" + body)


def get(path: str, method: bytes = b"GET", *headers: bytes) -> bytes:
    return (method + b" " + path.encode() + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer sk-x\r\n"
            + b"".join(h + b"\r\n" for h in headers) + b"\r\n")


class Connection:
    """A raw HTTP/1.1 client: reads each response's head and its body as the head frames it."""

    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.buffer = b""

    def _fill(self) -> bool:
        data = self.sock.recv(65536)
        self.buffer += data
        return bool(data)

    def _take(self, size: int) -> bytes:
        while len(self.buffer) < size:
            assert self._fill(), "the connection closed mid-body"
        taken, self.buffer = self.buffer[:size], self.buffer[size:]
        return taken

    def _line(self) -> bytes:
        while b"\r\n" not in self.buffer:
            assert self._fill(), "the connection closed mid-line"
        line, self.buffer = self.buffer.split(b"\r\n", 1)
        return line

    def head(self) -> bytes:
        while b"\r\n\r\n" not in self.buffer:
            if not self._fill():
                return b""  # closed without an answer
        head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
        return head + b"\r\n\r\n"

    def response(self, head_only: bool = False) -> tuple[bytes, bytes]:
        head = self.head()
        lower = head.lower()
        if head_only or not head or head[9:12] in (b"204", b"304"):  # no body: a HEAD's answer, 204, 304
            return head, b""
        if b"\r\ntransfer-encoding: chunked\r\n" in lower:
            chunks = []
            while size := int(self._line(), 16):
                chunks.append(self._take(size))
                assert self._take(2) == b"\r\n"
            assert self._take(2) == b"\r\n"
            return head, b"".join(chunks)
        length = re.search(rb"\r\ncontent-length: (\d+)\r\n", lower)
        if length is not None:
            return head, self._take(int(length.group(1)))
        while self._fill():  # framed by the end of the connection
            pass
        body, self.buffer = self.buffer, b""
        return head, body

    def closed_by_server(self) -> bool:
        return not self.buffer and not self._fill()

    def close(self) -> None:
        self.sock.close()


def started(protocol: object | None) -> Emulator:
    """An emulator served with uvicorn's `protocol` (None: the emulator's choice)."""
    with pytest.MonkeyPatch.context() as patch:
        if protocol is not None:
            patch.setattr(server_module, "http_protocol", lambda: protocol)
        return Emulator().start()


@pytest.fixture(scope="module")
def servers():
    fast, plain = started(None), started("httptools")
    yield fast, plain
    fast.close()
    plain.close()


@pytest.fixture
def fast_writes(monkeypatch):
    """How many heads the fast path wrote: start messages a `ReadyHeadCycle` took and did not hand on to
    uvicorn's `send`, and whole answers its `write_answer` wrote (counted at the classes' methods: the
    compiled build's calls inside its modules pass no module attribute a test could wrap)."""
    count = [0]
    ready_send, uvicorn_send = served_protocol.ReadyHeadCycle.send, httptools_impl.RequestResponseCycle.send
    write_answer = served_protocol.ReadyHeadCycle.write_answer

    def written(self, status, lines, body):
        done = write_answer(self, status, lines, body)
        count[0] += done
        return done

    async def taken(self, message):
        count[0] += message["type"] == "http.response.start"
        await ready_send(self, message)

    async def handed_on(self, message):
        if isinstance(self, served_protocol.ReadyHeadCycle):
            count[0] -= message["type"] == "http.response.start"
        await uvicorn_send(self, message)

    monkeypatch.setattr(served_protocol.ReadyHeadCycle, "send", taken)
    monkeypatch.setattr(served_protocol.ReadyHeadCycle, "write_answer", written)
    monkeypatch.setattr(httptools_impl.RequestResponseCycle, "send", handed_on)
    return count


def exchange(emu: Emulator, requests: list[bytes], *, head_only: bool = False, count: int | None = None
             ) -> list[tuple[bytes, bytes]]:
    """Send `requests` (in one write: pipelined when several) and read `count` responses."""
    emu.reset()
    connection = Connection(emu.port)
    try:
        connection.sock.sendall(b"".join(requests))
        return [connection.response(head_only) for _ in range(count or len(requests))]
    finally:
        connection.close()


def normalized(head: bytes) -> bytes:
    return VOLATILE.sub(rb"\1: *", head)


def assert_same_heads(fast: list[tuple[bytes, bytes]], plain: list[tuple[bytes, bytes]]) -> None:
    assert [normalized(head) for head, _ in fast] == [normalized(head) for head, _ in plain]
    assert [len(body) > 0 for _, body in fast] == [len(body) > 0 for _, body in plain]


CASES = {
    "chat": [post("/v1/chat/completions", CHAT)],
    "chat stream": [post("/v1/chat/completions", STREAM)],
    "paced stream (chunked)": [post("/v1/chat/completions", STREAM, b"x-emulator-tokens-per-second: 100000")],
    "responses (vary added)": [post("/v1/responses", RESPONSES)],
    "embeddings": [post("/v1/embeddings", EMBEDDINGS)],
    "error: no key": [post("/v1/chat/completions", CHAT).replace(b"Authorization: Bearer sk-x\r\n", b"")],
    "error: invalid body": [post("/v1/chat/completions", b'{"model": 1}')],
    "unknown URL (full stack)": [post("/v1/nothing", CHAT)],
    "models (full stack)": [get("/v1/models")],
    "browser (CORS edits the headers)": [post("/v1/chat/completions", CHAT, b"Origin: http://app.example")],
    "keep-alive, pipelined": [post("/v1/chat/completions", CHAT), post("/v1/responses", RESPONSES),
                              get("/v1/models")],
    "connection: close": [post("/v1/chat/completions", CHAT, b"Connection: close")],
    "HTTP/1.0": [post("/v1/chat/completions", CHAT, version=b"1.0")],
}
# How many heads the fast path writes in each case: the full Starlette stack's CORS middleware copies
# the headers to edit them (even to add nothing), so uvicorn writes those.
FAST_HEADS = {"browser (CORS edits the headers)": 0, "unknown URL (full stack)": 0, "models (full stack)": 0,
              "keep-alive, pipelined": 2}


@pytest.mark.parametrize("case", list(CASES))
def test_the_head_is_the_same_with_and_without_the_fast_path(servers, fast_writes, case):
    fast, plain = servers
    from_fast = exchange(fast, CASES[case])
    assert fast_writes[0] == FAST_HEADS.get(case, 1)
    assert_same_heads(from_fast, exchange(plain, CASES[case]))
    assert from_fast[0][0].startswith(b"HTTP/1.1 ")


def test_connection_close_and_http_1_0_close_the_connection(servers):
    for emu in servers:
        for request in (post("/v1/chat/completions", CHAT, b"Connection: close"),
                        post("/v1/chat/completions", CHAT, version=b"1.0")):
            connection = Connection(emu.port)
            connection.sock.sendall(request)
            head, body = connection.response()
            assert b"\r\nconnection: close\r\n" in head and body
            assert connection.closed_by_server()
            connection.close()


def test_expect_100_continue_gets_its_interim_answer_first(servers, fast_writes):
    heads = []
    for emu in servers:
        emu.reset()
        request = post("/v1/chat/completions", CHAT, b"Expect: 100-continue")
        head, body = request.split(b"\r\n\r\n", 1)
        connection = Connection(emu.port)
        connection.sock.sendall(head + b"\r\n\r\n")
        assert connection.head() == b"HTTP/1.1 100 Continue\r\n\r\n"
        connection.sock.sendall(body)
        heads.append([connection.response()])
        connection.close()
    assert fast_writes[0] == 1
    assert_same_heads(*heads)


@pytest.mark.parametrize("headers, fast_heads", [
    ({"x-trace": "scenario"}, 1),            # ready: written by the fast path
    ({"X-Trace": "Scenario"}, 0),            # uvicorn lower-cases the name: its own path writes it
    ({"x-trace": "tab\there"}, 1),           # a tab is allowed in a value
    ({"x-trace": "café"}, 1),                # so is Latin-1
])
def test_scenario_headers_are_written_as_uvicorn_writes_them(servers, fast_writes, headers, fast_heads):
    answers = []
    for emu in servers:
        emu.reset()
        emu.add_scenario({"name": "headers", "reply": {"content": "Hi", "headers": headers}})
        answers.append(exchange_without_reset(emu, post("/v1/chat/completions", CHAT)))
    assert fast_writes[0] == fast_heads
    assert_same_heads(*answers)
    for name in headers:
        assert b"\r\n" + name.lower().encode() + b": " in answers[0][0][0]


def exchange_without_reset(emu: Emulator, request: bytes) -> list[tuple[bytes, bytes]]:
    connection = Connection(emu.port)
    try:
        connection.sock.sendall(request)
        return [connection.response()]
    finally:
        connection.close()


def test_a_client_that_hangs_up_early_leaves_the_server_serving(servers):
    fast, _ = servers
    for _ in range(3):
        connection = Connection(fast.port)
        connection.sock.sendall(post("/v1/chat/completions", STREAM, b"x-emulator-ttft-ms: 200"))
        connection.close()
    [(head, body)] = exchange(fast, [post("/v1/chat/completions", CHAT)])
    assert head.startswith(b"HTTP/1.1 200 OK\r\n") and body


def test_with_uvicorns_access_log_on_each_request_is_logged_by_uvicorn(servers, fast_writes):
    fast, plain = servers
    records: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = records.append  # type: ignore[method-assign]
    access = logging.getLogger("uvicorn.access")
    access.addHandler(handler)
    level = access.level
    access.setLevel(logging.INFO)
    try:
        logged = exchange(fast, [post("/v1/chat/completions", CHAT)])  # a new connection sees the handler
    finally:
        access.removeHandler(handler)
        access.setLevel(level)
    assert fast_writes[0] == 0
    assert [record.args[-1] for record in records] == [200]  # type: ignore[index]
    assert_same_heads(logged, exchange(plain, [post("/v1/chat/completions", CHAT)]))


def test_the_fast_path_is_used_with_the_uvicorn_the_project_pins():
    """pyproject.toml pins the uvicorn releases whose httptools_impl.py the protocol was written against;
    when this fails, uvicorn changed: read its `RequestResponseCycle.send` again before adding its hash."""
    assert server_module.http_protocol() is served_protocol.ReadyHeadProtocol


def test_another_uvicorn_or_no_httptools_falls_back_to_uvicorns_own_protocol(monkeypatch):
    monkeypatch.setattr(served_protocol, "KNOWN_SOURCES", frozenset())
    served_protocol.known_source.cache_clear()
    try:
        assert server_module.http_protocol() == "auto"
        with Emulator() as emu:  # and serves, with the plain protocol
            [(head, body)] = exchange(emu, [post("/v1/chat/completions", CHAT)])
        assert head.startswith(b"HTTP/1.1 200 OK\r\n") and body
    finally:
        served_protocol.known_source.cache_clear()
    monkeypatch.setitem(__import__("sys").modules, "emulator.served_protocol", None)  # import fails: no httptools
    assert server_module.http_protocol() == "auto"


def test_h11_serves_the_same_head(servers):
    """Without httptools uvicorn serves with h11, which reads only the plain `headers` list."""
    fast, _ = servers
    h11 = started("h11")
    try:
        assert_same_heads(exchange(fast, CASES["chat"]), exchange(h11, CASES["chat"]))
    finally:
        h11.close()


# --- any ASGI app sending ready lines, served by uvicorn with and without them ---------------------------
class Served:
    """`app` served by uvicorn with the HTTP protocol `http`, in a thread, on a free port."""

    def __init__(self, app, http) -> None:  # type: ignore[no-untyped-def]
        config = uvicorn.Config(app, http=http, lifespan="off", log_level="warning", access_log=False,
                                log_config=None, ws="none")
        self.server = uvicorn.Server(config)
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        self.port = sock.getsockname()[1]
        self.thread = threading.Thread(target=lambda: asyncio.run(self.server.serve(sockets=[sock])), daemon=True)
        self.thread.start()
        assert eventually(lambda: self.server.started)

    def close(self) -> None:
        self.server.should_exit = True
        self.thread.join(5)


def ready_answer(status: int, body: bytes, *, length_known: bool):
    """An app answering with `body` and ready lines, with or without a content-length."""
    headers = {"x-one": "1", "cache-control": "no-cache"}

    async def app(scope, receive, send):  # type: ignore[no-untyped-def]
        lead, lines = [(b"content-type", b"text/plain")], b"content-type: text/plain\r\n"
        if length_known:
            lead, lines = [(b"content-length", b"%d" % len(body)), *lead], b"content-length: %d\r\n" % len(body) + lines
        await send(start_message(status, *encode_headers(headers, lead, lines), len(body) if length_known else None))
        await send({"type": "http.response.body", "body": body[:2], "more_body": True})
        await send({"type": "http.response.body", "body": body[2:]})

    return app


def editing(app, edit):  # type: ignore[no-untyped-def]
    """`app` behind a middleware that edits the start message's headers with `edit(list)`."""
    async def edited(scope, receive, send):  # type: ignore[no-untyped-def]
        async def send_edited(message):  # type: ignore[no-untyped-def]
            if message["type"] == "http.response.start":
                edit(message["headers"])
            await send(message)

        await app(scope, receive, send_edited)

    return edited


def replace_value(headers: list) -> None:
    headers[-1] = (b"cache-control", b"no-store")


def both_ways(app, requests: list[bytes]) -> list[list[tuple[bytes, bytes]]]:
    answers = []
    for http in (served_protocol.ReadyHeadProtocol, "httptools"):
        served = Served(app, http)
        try:
            connection = Connection(served.port)
            connection.sock.sendall(b"".join(requests))
            answers.append([connection.response(head_only=request.startswith(b"HEAD")) for request in requests])
            connection.close()
        finally:
            served.close()
    return answers


@pytest.mark.parametrize("status", [200, 204, 304, 404])
@pytest.mark.parametrize("length_known", [True, False])
def test_any_status_method_and_framing_gets_uvicorns_bytes(fast_writes, status, length_known):
    body = b"" if status in (204, 304) else b"hello, world"
    requests = [get("/", b"HEAD"), get("/"), get("/", b"GET", b"Connection: close")]
    fast, plain = both_ways(ready_answer(status, body, length_known=length_known), requests)
    assert fast_writes[0] == 3
    assert [normalized(head) for head, _ in fast] == [normalized(head) for head, _ in plain]
    assert [body for _, body in fast] == [body for _, body in plain]
    assert fast[1][1] == body and b"\r\nconnection: close\r\n" in fast[2][0]


def whole_answer(status: int, headers: dict[str, str] | bytes):
    """An app answering with a `BytesResponse` (given ready lines or a dict): the fast path writes it whole."""
    body = b"" if status in (204, 304) else b'{"ok":true}'

    async def app(scope, receive, send):  # type: ignore[no-untyped-def]
        await BytesResponse(body, status, headers)(scope, receive, send)

    return app


@pytest.mark.parametrize("headers", [b"x-one: 1\r\ncache-control: no-cache\r\n",
                                     {"x-one": "1", "cache-control": "no-cache"}], ids=["ready lines", "dict"])
@pytest.mark.parametrize("status", [200, 204, 404])
def test_a_whole_answer_gets_uvicorns_bytes(fast_writes, status, headers):
    """`write_answer` (the head and the body in one write) against uvicorn's own `send`: the same bytes for
    a GET, a HEAD (left to the messages) and a closing connection."""
    requests = [get("/", b"HEAD"), get("/"), get("/", b"GET", b"Connection: close")]
    fast, plain = both_ways(whole_answer(status, headers), requests)
    assert fast_writes[0] == 3
    assert [normalized(head) for head, _ in fast] == [normalized(head) for head, _ in plain]
    assert [body for _, body in fast] == [body for _, body in plain]
    assert b"\r\nx-one: 1\r\ncache-control: no-cache\r\n" in fast[1][0] and b"\r\nconnection: close\r\n" in fast[2][0]


@pytest.mark.parametrize("edit", [lambda headers: headers.append((b"x-two", b"2")), replace_value, list.clear])
def test_headers_a_middleware_edited_are_written_as_it_left_them(fast_writes, edit):
    app = editing(ready_answer(200, b"hello", length_known=True), edit)
    fast, plain = both_ways(app, [get("/")])
    assert fast_writes[0] == 0
    assert normalized(fast[0][0]) == normalized(plain[0][0])
