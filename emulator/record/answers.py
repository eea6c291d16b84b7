"""What the client saw → one scenario step (`reply`, or `error`), in the scenario file format.

A reply keeps content, tool calls, refusal, finish reason, usage, every choice and logprobs; a
stream keeps its content fragments as sent (`chunks`); with timing, a stream keeps its time to
first token and pace (`pacing`), a whole answer its delay (`fault: {delay_ms}`). An error keeps
status, envelope and the retry headers an SDK obeys. Ids, timestamps and fingerprints are not
kept: the emulator makes its own, and a re-recording of the same traffic gives the same file.
"""
from __future__ import annotations

import json
from itertools import pairwise
from typing import Any

from ..scenarios.conversation import RESPONSES
from .exchange import Exchange

Spec = dict[str, Any]


def step_for(exchange: Exchange, timing: bool = False) -> Spec:
    if exchange.status >= 400:
        return {"error": error_spec(exchange)}
    if exchange.api == RESPONSES:
        step = _responses_step(exchange)
    else:
        step = _chat_stream_step(exchange) if exchange.streamed else {"reply": chat_reply(exchange.body or {},
                                                                                           exchange.request)}
    if timing:
        _add_timing(step, exchange)
    return step


# --- errors ---------------------------------------------------------------------------------------
def error_spec(exchange: Exchange) -> Spec:
    envelope = exchange.body.get("error") if isinstance(exchange.body, dict) else None
    if not isinstance(envelope, dict):
        text = exchange.body if isinstance(exchange.body, str) else json.dumps(exchange.body)
        envelope = {"message": (text or f"HTTP {exchange.status}")[:500]}
    spec: Spec = {"status": exchange.status}
    for key in ("message", "type", "param", "code"):
        if key in envelope:
            spec[key] = envelope[key]
    headers = exchange.headers
    if _number(headers.get("retry-after-ms")) is not None:
        spec["retry_after_ms"] = _number(headers["retry-after-ms"])
    if (headers.get("retry-after") or "").isdigit():
        spec["retry_after"] = int(headers["retry-after"])
    if headers.get("x-should-retry") in ("true", "false"):
        spec["should_retry"] = headers["x-should-retry"] == "true"
    return spec


def _number(text: str | None) -> int | float | None:
    try:
        value = float(text)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return int(value) if value.is_integer() else value


# --- Chat Completions -----------------------------------------------------------------------------
def chat_reply(body: Spec, request: Spec) -> Spec:
    choices = [_choice(c.get("message") or {}, c.get("finish_reason"), c.get("logprobs"), request)
               for c in sorted(body.get("choices") or [], key=lambda c: c.get("index", 0))]
    reply: Spec = choices[0] if len(choices) == 1 else {"choices": choices}
    return _finish(reply, body.get("model"), body.get("usage"))


def _finish(reply: Spec, model: str | None, usage: Spec | None) -> Spec:
    if model:
        reply["model"] = model
    if usage:
        reply["usage"] = _usage(usage)
    if "{{" in json.dumps(reply, ensure_ascii=False):
        reply["verbatim"] = True  # recorded text is sent as it was, never read as a template
    return reply


def _usage(usage: Spec) -> Spec:
    details_in = usage.get("prompt_tokens_details") or usage.get("input_tokens_details") or {}
    details_out = usage.get("completion_tokens_details") or usage.get("output_tokens_details") or {}
    out = {"prompt_tokens": usage.get("prompt_tokens", usage.get("input_tokens", 0)),
           "completion_tokens": usage.get("completion_tokens", usage.get("output_tokens", 0))}
    if details_out.get("reasoning_tokens"):
        out["reasoning_tokens"] = details_out["reasoning_tokens"]
    if details_in.get("cached_tokens"):
        out["cached_tokens"] = details_in["cached_tokens"]
    return out


def _choice(message: Spec, finish: str | None, logprobs: Spec | None, request: Spec,
            chunks: list[str] | None = None) -> Spec:
    spec: Spec = {}
    calls = [_call(c) for c in message.get("tool_calls") or ()]
    if message.get("function_call"):
        calls.append(_call({"function": message["function_call"]}))
    if message.get("refusal"):
        spec["refusal"] = message["refusal"]
        default = "stop"
    elif calls:
        spec["tool_calls"] = calls
        default = "function_call" if message.get("function_call") else "tool_calls"
    elif chunks and not (logprobs or {}).get("content"):
        spec["chunks"] = chunks
        default = "stop"
    else:
        spec["content"] = message.get("content")
        default = "stop"
    if finish and finish != default:
        spec["finish_reason"] = finish
    spec.update(_logprobs(spec, logprobs, request))
    return spec


def _call(call: Spec) -> Spec:
    kind = "custom" if "custom" in call else "function"
    inner = call.get(kind) or {}
    arguments = inner.get("arguments", inner.get("input", ""))
    out: Spec = {"name": inner.get("name", "")}
    try:
        parsed = json.loads(arguments)
    except (TypeError, ValueError):
        parsed = None
    # Written as a mapping when that is exactly what was sent (compact JSON), else as the string sent.
    compact = isinstance(parsed, dict) and json.dumps(parsed, ensure_ascii=False, separators=(",", ":")) == arguments
    out["arguments"] = parsed if compact else arguments
    if kind == "custom":
        out["type"] = "custom"
    return out


def _logprobs(spec: Spec, logprobs: Spec | None, request: Spec) -> Spec:
    entries = (logprobs or {}).get("content")
    if not entries:
        return {"logprobs": False} if request.get("logprobs") else {}
    listed = [{"token": e["token"], "logprob": e["logprob"],
               **({"top_logprobs": [{"token": t["token"], "logprob": t["logprob"]} for t in e["top_logprobs"]]}
                  if e.get("top_logprobs") else {})} for e in entries]
    if "content" in spec and "".join(e["token"] for e in listed) == (spec["content"] or ""):
        return {"logprobs": listed}
    return {"logprobs": True}


def _chat_stream_step(exchange: Exchange) -> Spec:
    """The chunks of a stream put back together, each choice's content kept as its fragments."""
    texts: dict[int, list[str]] = {}
    messages: dict[int, Spec] = {}
    finish: dict[int, str] = {}
    logprobs: dict[int, list[Spec]] = {}
    model, usage, failure, count = None, None, None, 0
    for _, event in exchange.events:
        if not isinstance(event, dict):
            continue
        if "error" in event:
            failure = event["error"]
            break
        count += 1
        model = model or event.get("model")
        usage = event.get("usage") or usage
        for choice in event.get("choices") or ():
            index = choice.get("index", 0)
            _merge_delta(messages.setdefault(index, {}), texts.setdefault(index, []), choice.get("delta") or {})
            finish[index] = choice.get("finish_reason") or finish.get(index, "")
            logprobs.setdefault(index, []).extend((choice.get("logprobs") or {}).get("content") or ())
    choices = [_choice(messages[i] | {"content": "".join(texts[i])}, finish[i] or None,
                       {"content": logprobs[i]}, exchange.request, texts[i] or None) for i in sorted(messages)]
    reply = _finish(choices[0] if len(choices) == 1 else {"choices": choices or [{"content": ""}]}, model, usage)
    step: Spec = {"reply": reply}
    if failure is not None:
        step["fault"] = _error_event(failure, count)
    return step


def _error_event(failure: Spec, count: int) -> Spec:
    """A stream that ended in an error event: replayed after as many events."""
    return {"error_event": {"status": 500, **{k: failure[k] for k in ("message", "type", "code")
                                              if failure.get(k) is not None}}, "after": count}


def _merge_delta(message: Spec, texts: list[str], delta: Spec) -> None:
    if delta.get("content"):
        texts.append(delta["content"])
    if delta.get("refusal"):
        message["refusal"] = message.get("refusal", "") + delta["refusal"]
    for call in delta.get("tool_calls") or ():
        calls = message.setdefault("tool_calls", [])
        while len(calls) <= call.get("index", 0):
            calls.append({"function": {"name": "", "arguments": ""}})
        target = calls[call.get("index", 0)]["function"]
        target["name"] += (call.get("function") or {}).get("name") or ""
        target["arguments"] += (call.get("function") or {}).get("arguments") or ""
    if delta.get("function_call"):
        target = message.setdefault("function_call", {"name": "", "arguments": ""})
        target["name"] += delta["function_call"].get("name") or ""
        target["arguments"] += delta["function_call"].get("arguments") or ""


# --- Responses ------------------------------------------------------------------------------------
def _responses_step(exchange: Exchange) -> Spec:
    body = exchange.body or {}
    deltas: list[str] = []
    failure, count = None, 0
    for _, event in exchange.events:
        if not isinstance(event, dict):
            continue
        kind = event.get("type")
        if kind in ("error", "response.failed"):  # the stream failed: `error`, or the failed response's error
            nested = event.get("error") if kind == "error" else (event.get("response") or {}).get("error")
            failure = nested if isinstance(nested, dict) else event
            break
        count += 1
        if kind == "response.output_text.delta":
            deltas.append(event.get("delta") or "")
        if kind in ("response.completed", "response.incomplete"):
            body = event.get("response") or body
    step: Spec = {"reply": responses_reply(body, [d for d in deltas if d])}
    if failure is not None:
        step["fault"] = _error_event(failure, count)
    return step


def responses_reply(body: Spec, chunks: list[str]) -> Spec:
    """A response object's output as a reply: its text, refusal or function calls."""
    text, refusal, calls = "", "", []
    for item in body.get("output") or ():
        if item.get("type") == "message":
            for part in item.get("content") or ():
                text += part.get("text") or ""
                refusal += part.get("refusal") or ""
        elif item.get("type") in ("function_call", "custom_tool_call"):
            key = "function" if item["type"] == "function_call" else "custom"
            calls.append(_call({key: {"name": item.get("name"), "arguments": item.get("arguments"),
                                      "input": item.get("input")}}))
    reply: Spec
    if refusal:
        reply = {"refusal": refusal}
    elif calls:
        reply = {"tool_calls": calls}
    elif chunks and text in ("", "".join(chunks)):  # no text: a stream that failed midway
        reply = {"chunks": chunks}
    else:
        reply = {"content": text}
    if body.get("status") == "incomplete":
        reply["finish_reason"] = "length"
    return _finish(reply, body.get("model"), body.get("usage"))


# --- timing ---------------------------------------------------------------------------------------
def _add_timing(step: Spec, exchange: Exchange) -> None:
    """`--record-timing`: a stream's time to first token and the gaps between its chunks; a whole answer's delay."""
    if "reply" not in step:
        return
    if not exchange.streamed:
        step["fault"] = {"delay_ms": round(exchange.elapsed * 1000)}
        return
    times = [at for at, event in exchange.events if _carries_output(event)]
    if not times:
        return
    pacing: Spec = {"ttft_ms": round(times[0] * 1000)}
    if len(times) > 1:
        pacing["gaps_ms"] = [round((later - earlier) * 1000) for earlier, later in pairwise(times)]
    step["reply"]["pacing"] = pacing


def _carries_output(event: Any) -> bool:
    if not isinstance(event, dict):
        return False
    if event.get("type", "").endswith(".delta"):
        return True
    return any((c.get("delta") or {}).get(k) for c in event.get("choices") or ()
               for k in ("content", "refusal", "tool_calls"))
