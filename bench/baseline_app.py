"""The yardstick: a bare Starlette app returning a fixed completion (JSON or SSE), under uvicorn
with uvloop and httptools. The emulator's targets are ratios against this app in the same run."""
from __future__ import annotations

import json
import sys

import uvicorn
from starlette.applications import Starlette
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

COMPLETION = json.dumps({
    "id": "chatcmpl-BASELINE00000000000000000000", "object": "chat.completion", "created": 1700000000,
    "model": "gpt-4o-mini-2024-07-18",
    "choices": [{"index": 0, "message": {"role": "assistant", "content": "Hello! How can I help you today?",
                                         "refusal": None, "annotations": []},
                 "logprobs": None, "finish_reason": "stop"}],
    "usage": {"prompt_tokens": 9, "completion_tokens": 9, "total_tokens": 18},
    "service_tier": "default", "system_fingerprint": "fp_0000000000"}).encode()

TOKENS = ["Hello", "!", " How", " can", " I", " help", " you", " today", "?"]


def _chunk(delta: dict, finish: str | None) -> bytes:
    return b"data: " + json.dumps({
        "id": "chatcmpl-BASELINE00000000000000000000", "object": "chat.completion.chunk", "created": 1700000000,
        "model": "gpt-4o-mini-2024-07-18", "choices": [{"index": 0, "delta": delta, "logprobs": None,
                                                       "finish_reason": finish}]}, separators=(",", ":")).encode() + b"\n\n"


async def completions(request):
    body = await request.json()
    if body.get("stream"):
        async def events():
            yield _chunk({"role": "assistant", "content": ""}, None)
            for token in TOKENS:
                yield _chunk({"content": token}, None)
            yield _chunk({}, "stop")
            yield b"data: [DONE]\n\n"
        return StreamingResponse(events(), media_type="text/event-stream")
    return Response(COMPLETION, media_type="application/json")


app = Starlette(routes=[Route("/v1/chat/completions", completions, methods=["POST"])])

if __name__ == "__main__":
    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), loop="uvloop", http="httptools",
                log_level="warning", access_log=False)
