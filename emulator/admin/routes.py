"""The admin API's HTTP door: parse the request, call `AdminOperations`, answer JSON (errors in
the OpenAI envelope). Everything under `/_emulator/`, behind `AdminGate`."""
from __future__ import annotations

import functools
import json
from importlib import resources
from typing import Any, Awaitable, Callable

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from ..contract import errors
from ..contract.errors import ApiError
from ..endpoints.shell import Exchange, endpoint, read_body
from .auth import AdminGate
from .live import JournalStream
from .operations import ADMIN_SOURCE, AdminOperations
from .views import detail, summary

PREFIX = "/_emulator"
Handler = Callable[[Exchange, AdminOperations], Awaitable[Any]]
STATIC_TYPES = {"inspector.css": "text/css; charset=utf-8", "inspector.js": "text/javascript; charset=utf-8"}


def admin_endpoint(handler: Handler) -> Callable[[Request], Awaitable[Any]]:
    """The endpoint shell without API key or profile: gate, run; answers are never cached."""

    async def admin_handler(ex: Exchange) -> Any:
        AdminGate(ex.state.settings).check(ex.request)
        ex.headers["cache-control"] = "no-store"
        try:
            return await handler(ex, AdminOperations(ex.state, ADMIN_SOURCE))
        except ValueError as error:
            from ..scenarios.loader import ScenarioFileError  # lazy: the loader brings PyYAML and jsonschema

            if not isinstance(error, ScenarioFileError):
                raise
            raise ApiError(400, f"Invalid scenario: {error}", code="invalid_scenario") from None  # lists the problems

    admin_handler.__name__ = handler.__name__
    return functools.wraps(handler)(endpoint(admin_handler, api=False))


# --- request parsing ------------------------------------------------------------------------------
def int_param(request: Request, name: str) -> int | None:
    value = request.query_params.get(name)
    if value is None or value == "":
        return None
    try:
        return int(value)
    except ValueError:
        raise ApiError(400, f"Invalid '{name}': expected an integer, but got {value!r} instead.",
                       param=name, code="invalid_type") from None


async def json_body(request: Request, required: bool = True) -> Any:
    raw = await read_body(request, request.app.state.emulator.settings.max_body_bytes)
    if not raw.strip():
        if required:
            raise ApiError(400, "This admin operation needs a JSON body.", code="missing_body")
        return {}
    try:
        return json.loads(raw)
    except ValueError:
        raise ApiError(400, "The body is not valid JSON.", code="invalid_json") from None


def object_body(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise ApiError(400, "The body must be a JSON object.", code="invalid_type")
    return body


def only(body: dict[str, Any], allowed: set[str]) -> None:
    unknown = sorted(set(body) - allowed)
    if unknown:
        raise ApiError(400, f"Unknown parameter: '{unknown[0]}'.", param=unknown[0], code="unknown_parameter")


# --- handlers ---------------------------------------------------------------------------------------
@admin_endpoint
async def health(ex: Exchange, ops: AdminOperations) -> Any:
    return ops.health()


@admin_endpoint
async def version(ex: Exchange, ops: AdminOperations) -> Any:
    return ops.version()


@admin_endpoint
async def list_requests(ex: Exchange, ops: AdminOperations) -> Any:
    q = ex.request.query_params
    entries = ops.find_requests(path=q.get("path"), status=q.get("status"), model=q.get("model"),
                                matched=q.get("matched"), text=q.get("q"), after=int_param(ex.request, "after"),
                                limit=int_param(ex.request, "limit"))
    view = detail if q.get("detail") in ("1", "true") else summary
    return {"object": "list", "data": [view(e) for e in entries], "journal": ops.state.journal.stats()}


@admin_endpoint
async def get_request(ex: Exchange, ops: AdminOperations) -> Any:
    return detail(ops.request(ex.request.path_params["id"]))


@admin_endpoint
async def clear_requests(ex: Exchange, ops: AdminOperations) -> Any:
    ops.clear_requests()
    return {"cleared": True}


@admin_endpoint
async def stream_requests(ex: Exchange, ops: AdminOperations) -> Any:
    return JournalStream(ops.state.journal, int_param(ex.request, "after"), ex.answer_headers())


@admin_endpoint
async def get_pacing(ex: Exchange, ops: AdminOperations) -> Any:
    return ops.pacing()


@admin_endpoint
async def set_pacing(ex: Exchange, ops: AdminOperations) -> Any:
    body = object_body(await json_body(ex.request))
    only(body, {"count", "ttft_ms", "tokens_per_second", "chunk_tokens"})
    return ops.pace_next(body.get("count", 1), ttft_ms=body.get("ttft_ms", 0.0),
                         tokens_per_second=body.get("tokens_per_second", 0.0),
                         chunk_tokens=body.get("chunk_tokens", 1))


@admin_endpoint
async def clear_pacing(ex: Exchange, ops: AdminOperations) -> Any:
    ops.clear_pacing()
    return ops.pacing()


@admin_endpoint
async def list_scenarios(ex: Exchange, ops: AdminOperations) -> Any:
    return ops.list_scenarios()


@admin_endpoint
async def near_misses(ex: Exchange, ops: AdminOperations) -> Any:
    return {"object": "list", "data": ops.near_misses()}


@admin_endpoint
async def add_scenario(ex: Exchange, ops: AdminOperations) -> Any:
    return {"added": ops.add_scenario(await json_body(ex.request))}


@admin_endpoint
async def replace_scenarios(ex: Exchange, ops: AdminOperations) -> Any:
    return {"scenarios": ops.replace_scenarios(await json_body(ex.request))}


@admin_endpoint
async def remove_scenario(ex: Exchange, ops: AdminOperations) -> Any:
    name = ex.request.path_params["name"]
    ops.remove_scenario(name)
    return {"removed": name}


@admin_endpoint
async def reset_scenarios(ex: Exchange, ops: AdminOperations) -> Any:
    ops.reset_scenarios()
    return {"reset": True}


@admin_endpoint
async def reset_sequences(ex: Exchange, ops: AdminOperations) -> Any:
    body = object_body(await json_body(ex.request, required=False))
    only(body, {"namespace"})
    ops.reset_sequences(body.get("namespace"))
    return {"reset": True, "namespace": body.get("namespace")}


@admin_endpoint
async def set_fault(ex: Exchange, ops: AdminOperations) -> Any:
    body = object_body(await json_body(ex.request))
    only(body, {"count", "error", "fault", "match"})
    name = ops.fail_next(body.get("count", 1), error=body.get("error"), fault=body.get("fault"),
                         match=body.get("match"))
    return {"scenario": name}


@admin_endpoint
async def clear_faults(ex: Exchange, ops: AdminOperations) -> Any:
    return {"removed": ops.clear_faults()}


@admin_endpoint
async def get_chaos(ex: Exchange, ops: AdminOperations) -> Any:
    return ops.chaos_status()


@admin_endpoint
async def set_chaos(ex: Exchange, ops: AdminOperations) -> Any:
    body = object_body(await json_body(ex.request))
    only(body, {"rates", "seed"})
    for name in ("rates", "seed"):
        if name not in body:
            raise ApiError(400, f"Missing required parameter: '{name}'.", param=name, code="missing_required_parameter")
    return ops.chaos(body["rates"], body["seed"])


@admin_endpoint
async def stop_chaos(ex: Exchange, ops: AdminOperations) -> Any:
    return ops.stop_chaos()


@admin_endpoint
async def client_checks(ex: Exchange, ops: AdminOperations) -> Any:
    backoff = ex.request.query_params.get("backoff_ms")
    try:
        backoff_ms = float(backoff) if backoff else None
    except ValueError:
        raise ApiError(400, f"Invalid 'backoff_ms': expected a number, but got {backoff!r} instead.",
                       param="backoff_ms", code="invalid_type") from None
    # In a worker thread: the checks wait for streams still going out, which this event loop sends.
    return await run_in_threadpool(ops.client_checks, backoff_ms=backoff_ms,
                                   max_retries=int_param(ex.request, "max_retries"),
                                   max_turns=int_param(ex.request, "max_turns"))


@admin_endpoint
async def reset(ex: Exchange, ops: AdminOperations) -> Any:
    ops.reset()
    return {"reset": True}


@admin_endpoint
async def openapi(ex: Exchange, ops: AdminOperations) -> Any:
    return Response(package_file("openapi.json"), 200, {"cache-control": "no-store"}, "application/json")


@admin_endpoint
async def inspector(ex: Exchange, ops: AdminOperations) -> Any:
    return Response(package_file("static/inspector.html"), 200, {"cache-control": "no-store"},
                    "text/html; charset=utf-8")


@endpoint(api=False)
async def static(ex: Exchange) -> Response:
    """The page's CSS and JavaScript: public (no secrets in them, and `<link>` sends no token),
    but off with the rest of the admin API."""
    name = ex.request.path_params["name"]
    if not AdminGate(ex.state.settings).enabled or name not in STATIC_TYPES:
        raise errors.invalid_url(ex.request.method, ex.request.url.path)
    return Response(package_file("static/" + name), 200, {"cache-control": "no-store"}, STATIC_TYPES[name])


@functools.cache
def package_file(name: str) -> bytes:
    """Shipped files, read once."""
    return resources.files(__package__).joinpath(name).read_bytes()


def admin_routes() -> list[BaseRoute]:
    return [
        Route(PREFIX + "/", inspector, methods=["GET"]),
        Route(PREFIX + "/static/{name}", static, methods=["GET"]),
        Route(PREFIX + "/openapi.json", openapi, methods=["GET"]),
        Route(PREFIX + "/health", health, methods=["GET"]),
        Route(PREFIX + "/version", version, methods=["GET"]),
        Route(PREFIX + "/requests", list_requests, methods=["GET"]),
        Route(PREFIX + "/requests", clear_requests, methods=["DELETE"]),
        Route(PREFIX + "/requests/stream", stream_requests, methods=["GET"]),
        Route(PREFIX + "/requests/{id:int}", get_request, methods=["GET"]),
        Route(PREFIX + "/pacing", get_pacing, methods=["GET"]),
        Route(PREFIX + "/pacing", set_pacing, methods=["POST"]),
        Route(PREFIX + "/pacing", clear_pacing, methods=["DELETE"]),
        Route(PREFIX + "/scenarios", list_scenarios, methods=["GET"]),
        Route(PREFIX + "/near-misses", near_misses, methods=["GET"]),
        Route(PREFIX + "/scenarios", add_scenario, methods=["POST"]),
        Route(PREFIX + "/scenarios", replace_scenarios, methods=["PUT"]),
        Route(PREFIX + "/scenarios/reset", reset_scenarios, methods=["POST"]),
        Route(PREFIX + "/scenarios/{name}", remove_scenario, methods=["DELETE"]),
        Route(PREFIX + "/sequences/reset", reset_sequences, methods=["POST"]),
        Route(PREFIX + "/faults", set_fault, methods=["POST"]),
        Route(PREFIX + "/faults", clear_faults, methods=["DELETE"]),
        Route(PREFIX + "/chaos", get_chaos, methods=["GET"]),
        Route(PREFIX + "/chaos", set_chaos, methods=["POST"]),
        Route(PREFIX + "/chaos", stop_chaos, methods=["DELETE"]),
        Route(PREFIX + "/client-checks", client_checks, methods=["GET"]),
        Route(PREFIX + "/reset", reset, methods=["POST"]),
    ]
