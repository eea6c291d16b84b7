"""HTTP plumbing shared by the endpoints: auth, bounded body reading, JSON and error responses."""
from __future__ import annotations

import time

from starlette.requests import Request
from starlette.responses import Response

from .contract import errors
from .contract.errors import ApiError
from .wire.json_body import dumps
from .wire.responses import BytesResponse

OPENAI_VERSION = "2020-10-01"


def api_key_of(request: Request, accepted: tuple[str, ...]) -> str:
    """The caller's key from `Authorization: Bearer`, or the live 401."""
    header = request.headers.get("authorization", "")
    scheme, _, key = header.partition(" ")
    key = key.strip()
    if scheme.lower() != "bearer" or not key:
        raise errors.missing_api_key()
    if accepted and key not in accepted:
        raise errors.incorrect_api_key(key)
    return key


async def read_body(request: Request, limit: int) -> bytes:
    """The request body, refusing more than `limit` bytes (413) without reading it all."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise errors.request_too_large(limit)
    message = await request.receive()
    body = message.get("body", b"")
    if not message.get("more_body"):  # the usual case: the whole body in one message
        if len(body) > limit:
            raise errors.request_too_large(limit)
        return body
    chunks = [body]
    size = len(body)
    while message.get("more_body"):
        message = await request.receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise errors.request_too_large(limit)
        chunks.append(chunk)
    return b"".join(chunks)


def check_json_content_type(request: Request) -> None:
    content_type = request.headers.get("content-type")
    if content_type is None:
        return  # clients that send none still send JSON (the live API parses it)
    media = content_type.split(";", 1)[0].strip().lower()
    if media != "application/json" and not media.endswith("+json"):
        raise errors.unsupported_content_type(content_type)


def base_headers(request_id: str, started: float) -> dict[str, str]:
    return {
        "x-request-id": request_id,
        "openai-organization": "user-emulator",
        "openai-processing-ms": str(int((time.perf_counter() - started) * 1000)),
        "openai-version": OPENAI_VERSION,
    }


def json_response(payload: object, headers: dict[str, str], status: int = 200) -> Response:
    return BytesResponse(dumps(payload).encode("utf-8"), status, headers)


def error_response(error: ApiError, headers: dict[str, str]) -> Response:
    return json_response(error.envelope(), {**headers, **error.headers}, error.status)
