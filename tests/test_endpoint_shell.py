"""What every route does, written once (endpoints/shell.py): the standard headers with a sane
`openai-processing-ms`, and the same API keys accepted (and refused, in the same words) on every
route under every profile. Over a real socket with httpx."""
from __future__ import annotations

import httpx
import pytest

from emulator import Emulator

PROFILES = ["openai", "azure", "vllm", "lenient"]
CHAT = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]}
AZURE_PATH = "/openai/deployments/gpt-4o-mini/chat/completions?api-version=2024-06-01"
# (method, path, JSON body) of every OpenAI API route a client calls with its key.
API_ROUTES = [
    ("POST", "/v1/chat/completions", CHAT),
    ("GET", "/v1/models", None),
    ("GET", "/v1/models/gpt-4o-mini", None),
    ("GET", "/v1/chat/completions", None),
    ("GET", "/v1/chat/completions/chatcmpl-unknown", None),
    ("POST", "/v1/chat/completions/chatcmpl-unknown", {"metadata": {"k": "v"}}),
    ("DELETE", "/v1/chat/completions/chatcmpl-unknown", None),
    ("GET", "/v1/chat/completions/chatcmpl-unknown/messages", None),
]
STANDARD = ("x-request-id", "openai-processing-ms", "openai-version", "openai-organization")


def send(base: str, method: str, path: str, body: object = None, **headers: str) -> httpx.Response:
    return httpx.request(method, base + path, json=body, headers=headers, timeout=10)


def assert_standard_headers(response: httpx.Response) -> None:
    for name in STANDARD:
        assert name in response.headers, f"{response.request.url.path} lacks {name}"
    assert response.headers["x-request-id"].startswith("req_")
    # A small number: the time spent on this request, not the process clock (the bug it pins).
    assert 0 <= int(response.headers["openai-processing-ms"]) < 60000


@pytest.mark.parametrize("method,path,body", [
    *API_ROUTES,
    ("GET", "/_emulator/health", None),
    ("GET", "/v1/nope", None),                # unknown URL: 404
    ("DELETE", "/v1/models", None),           # wrong method: 405 handler, 404 envelope
    ("GET", "/openai/deployments/x/chat/completions", None),  # Azure path on a non-Azure request
])
def test_every_route_answers_the_standard_headers(emu, method, path, body):
    response = send(emu.url, method, path, body, authorization="Bearer sk-test")
    assert response.status_code < 500
    assert_standard_headers(response)


@pytest.mark.parametrize("path", [AZURE_PATH, "/openai/v1/chat/completions", "/openai/unknown"])
def test_azure_routes_answer_the_standard_headers(emu, path):
    response = send(emu.url, "POST", path, CHAT, **{"api-key": "sk-test", "x-emulator-profile": "azure"})
    assert response.status_code < 500
    assert_standard_headers(response)


def test_errors_carry_the_standard_headers(emu):
    response = send(emu.url, "GET", "/v1/models")  # no key: 401
    assert response.status_code == 401
    assert_standard_headers(response)


@pytest.fixture(scope="module")
def keyed():
    with Emulator(api_keys=("sk-good",)) as emu:
        yield emu


@pytest.mark.parametrize("profile", PROFILES)
@pytest.mark.parametrize("method,path,body", API_ROUTES)
def test_every_route_accepts_the_configured_key(keyed, profile, method, path, body):
    response = send(keyed.url, method, path, body, authorization="Bearer sk-good", **{"x-emulator-profile": profile})
    assert response.status_code != 401, response.text


@pytest.mark.parametrize("method,path,body", [*API_ROUTES, ("POST", AZURE_PATH, CHAT)])
def test_azure_api_key_header_works_on_every_route(keyed, method, path, body):
    response = send(keyed.url, method, path, body, **{"api-key": "sk-good", "x-emulator-profile": "azure"})
    assert response.status_code != 401, response.text


@pytest.mark.parametrize("profile", PROFILES)
@pytest.mark.parametrize("sent", [{}, {"authorization": "Bearer sk-wrong"}], ids=["no key", "wrong key"])
def test_a_refused_key_gets_the_same_401_on_every_route(keyed, profile, sent):
    answers = [send(keyed.url, method, path, body, **sent, **{"x-emulator-profile": profile})
               for method, path, body in API_ROUTES]
    assert {r.status_code for r in answers} == {401}
    assert len({r.text for r in answers}) == 1, [r.text for r in answers]


def test_vllm_refuses_a_key_in_its_own_words_everywhere(keyed):
    for method, path, body in API_ROUTES:
        response = send(keyed.url, method, path, body, **{"x-emulator-profile": "vllm"})
        assert response.json() == {"error": "Unauthorized"}, path


def test_every_configured_key_is_accepted_and_near_misses_are_not(make_emulator):
    """Keys are compared in constant time over the whole accepted set; the answer is the same as before."""
    emu = make_emulator(api_keys=("sk-one", "sk-two-2"))
    body = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]}
    for key, status in (("sk-one", 200), ("sk-two-2", 200), ("sk-on", 401), ("sk-one1", 401), ("sk-two", 401)):
        sent = httpx.post(emu.base_url + "/chat/completions", json=body,
                          headers={"authorization": f"Bearer {key}"})
        assert sent.status_code == status, key


def test_request_headers_are_read_anew_each_request_and_a_repeated_one_as_before(emu):
    # Decoded headers are remembered by their bytes (shell.header_map): a header whose value changes,
    # one seen for the first time, and a repeated one must each read as sent.
    emu.add_scenario({"name": "tenant", "match": {"headers": {"x-tenant": {"equals": "acme"}}},
                      "reply": {"content": "for acme"}})
    url, body = emu.base_url + "/chat/completions", b'{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}'
    answers = []
    for tenant in ["acme", "other", "acme", "caf\xe9"]:
        headers = [("content-type", "application/json"), ("authorization", "Bearer sk-test"),
                   ("x-tenant", tenant.encode("latin-1"))]
        answers.append(httpx.post(url, content=body, headers=headers).json()["choices"][0]["message"]["content"])
    assert [a == "for acme" for a in answers] == [True, False, True, False]
    assert [e.headers["x-tenant"] for e in emu.requests[-4:]] == ["acme", "other", "acme", "caf\xe9"]
    repeated = [("content-type", "application/json"), ("authorization", "Bearer sk-test"),
                ("authorization", "Bearer sk-second"), ("x-tenant", "acme"), ("x-tenant", "other")]
    assert httpx.post(url, content=body, headers=repeated).status_code == 200
    assert emu.requests[-1].headers["x-tenant"] == "other"  # the journal keeps the last one sent
