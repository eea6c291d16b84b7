"""The yardstick: a bare Starlette app returning a fixed completion (JSON or SSE) or embedding, under uvicorn
with uvloop and httptools. The emulator's targets are ratios against this app in the same run.

The fixed completion is the text the emulator answers to the benchmark's request, given as the
`BENCH_TOKENS` environment variable (a JSON list of its tokens): both servers then send the same
content, the baseline streaming it as a plain StreamingResponse, one chunk per token."""
from __future__ import annotations

import base64
import json
import os
import sys
from array import array

import uvicorn
from starlette.applications import Starlette
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

TOKENS = json.loads(os.environ.get("BENCH_TOKENS", "null")) or [
    "Hello", "!", " How", " can", " I", " help", " you", " today", "?"]

COMPLETION = json.dumps({
    "id": "chatcmpl-BASELINE00000000000000000000", "object": "chat.completion", "created": 1700000000,
    "model": "gpt-4o-mini-2024-07-18",
    "choices": [{"index": 0, "message": {"role": "assistant", "content": "".join(TOKENS),
                                         "refusal": None, "annotations": []},
                 "logprobs": None, "finish_reason": "stop"}],
    "usage": {"prompt_tokens": 9, "completion_tokens": len(TOKENS), "total_tokens": 9 + len(TOKENS)},
    "service_tier": "default", "system_fingerprint": "fp_0000000000"}).encode()

def _chunk(delta: dict, finish: str | None) -> bytes:
    return b"data: " + json.dumps({
        "id": "chatcmpl-BASELINE00000000000000000000", "object": "chat.completion.chunk", "created": 1700000000,
        "model": "gpt-4o-mini-2024-07-18", "choices": [{"index": 0, "delta": delta, "logprobs": None,
                                                       "finish_reason": finish}]}, separators=(",", ":")).encode() + b"\n\n"


# A fixed answer of the emulator's size for the benchmark's embeddings request: one 1536-value
# vector as base64 (6,144 bytes of float32, 8,192 characters).
EMBEDDING = json.dumps({
    "object": "list",
    "data": [{"object": "embedding", "index": 0,
              "embedding": base64.b64encode(array("f", [1 / 1536 ** 0.5] * 1536).tobytes()).decode()}],
    "model": "text-embedding-3-small", "usage": {"prompt_tokens": 10, "total_tokens": 10}}).encode()


async def embeddings(request):
    await request.json()
    return Response(EMBEDDING, media_type="application/json")


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


app = Starlette(routes=[Route("/v1/chat/completions", completions, methods=["POST"]),
                       Route("/v1/embeddings", embeddings, methods=["POST"])])

if __name__ == "__main__":
    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), loop="uvloop", http="httptools",
                log_level="warning", access_log=False)
