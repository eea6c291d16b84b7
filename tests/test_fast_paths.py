"""Chat completions, Responses and embeddings creation skip Starlette's routing and middleware
(`fast_path.ChatFastPath`): what a client sees must not change, with or without an `Origin` header."""
from __future__ import annotations

import pytest

BODIES = {
    "/chat/completions": {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Hi"}]},
    "/responses": {"model": "gpt-4o-mini", "input": "Hi"},
    "/embeddings": {"model": "text-embedding-3-small", "input": "Hi"},
}


@pytest.mark.parametrize("path", ["/responses", "/embeddings"])
def test_responses_and_embeddings_answer_with_the_vary_header_the_full_stack_adds(http, path):
    # Starlette's CORS middleware adds `Vary: Origin` to an answer without an origin; these routes kept it.
    for _ in range(3):  # the second and later identical bodies come from the validated-body memo
        response = http.post(path, json=BODIES[path])
        assert response.status_code == 200
        assert response.headers.get_list("vary") == ["Origin"]
        assert list(response.headers)[-1] == "vary"


@pytest.mark.parametrize("path", list(BODIES))
def test_a_browser_request_still_gets_cors_headers(http, path):
    response = http.post(path, json=BODIES[path], headers={"origin": "http://app.example"})
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "*"


@pytest.mark.parametrize("path", ["/responses", "/embeddings"])
def test_errors_on_the_fast_path_keep_the_live_envelope_and_are_journaled(emu, http, path):
    response = http.post(path, json={"model": "gpt-4o-mini"})
    assert response.status_code == 400
    assert set(response.json()["error"]) == {"message", "type", "param", "code"}
    assert response.headers.get_list("vary") == ["Origin"]
    assert emu.requests[-1].status == 400 and emu.requests[-1].path == "/v1" + path


@pytest.mark.parametrize("stream", [False, True])
def test_a_scripted_vary_header_is_merged_with_origin_as_the_full_stack_merges_it(emu, http, stream):
    emu.add_scenario({"name": "varies", "match": {"api": "responses"},
                      "reply": {"content": "Scripted.", "headers": {"vary": "Accept-Language"}}})
    response = http.post("/responses", json={**BODIES["/responses"], "stream": stream})
    assert response.status_code == 200
    assert response.headers.get_list("vary") == ["Accept-Language, Origin"]  # one header, where the reply put it
    with_origin = http.post("/responses", json={**BODIES["/responses"], "stream": stream},
                            headers={"origin": "http://app.example"})  # the full stack's CORS middleware
    assert with_origin.headers.get_list("vary") == ["Accept-Language, Origin"]


def test_probes_answer_in_front_of_the_fast_path_and_never_reach_the_journal(emu, http):
    # The probes sit behind the fast path's dispatch now (their GETs never take it): same answers.
    for path, status in (("/health", "ok"), ("/ready", "ready")):
        response = http.get(emu.url + path)
        assert response.status_code == 200 and response.json() == {"status": status}
        assert response.headers["cache-control"] == "no-store"
    assert http.post("/chat/completions", json=BODIES["/chat/completions"]).status_code == 200
    assert [entry.path for entry in emu.requests] == ["/v1/chat/completions"]
