"""The `azure` profile through the official `AzureOpenAI` client, unmodified, and Azure's own errors."""
from __future__ import annotations

import httpx
import openai
import pytest


API_KEY = "sk-azure-key"
API_VERSION = "2024-10-21"
USER = [{"role": "user", "content": "hello from azure"}]


@pytest.fixture
def azure_server(make_emulator):
    return make_emulator(profile="azure", api_keys=(API_KEY,), azure_deployments=(("chat-prod", "gpt-4o-mini"),))


@pytest.fixture
def azure(azure_server) -> openai.AzureOpenAI:
    azure_server.reset()
    return openai.AzureOpenAI(azure_endpoint=azure_server.url, api_key=API_KEY, api_version=API_VERSION,
                              max_retries=0)


def test_sync_completion_through_azure_openai(azure, azure_server):
    completion = azure.chat.completions.create(model="gpt-4o", messages=USER)
    assert completion.model == "gpt-4o-2024-08-06"
    assert completion.choices[0].message.content
    assert completion.prompt_filter_results[0]["content_filter_results"]["jailbreak"] == {
        "filtered": False, "detected": False}
    assert completion.choices[0].content_filter_results["hate"] == {"filtered": False, "severity": "safe"}
    entry = azure_server.requests[-1]
    assert entry.path == "/openai/deployments/gpt-4o/chat/completions"


def test_streaming_through_azure_openai(azure):
    whole = azure.chat.completions.create(model="gpt-4o", messages=USER).choices[0].message.content
    chunks = list(azure.chat.completions.create(model="gpt-4o", messages=USER, stream=True))
    # Azure's stream opens with the prompt's filter results and no choices.
    assert chunks[0].choices == [] and chunks[0].prompt_filter_results
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == whole
    assert chunks[-1].choices[0].finish_reason == "stop"


async def test_async_streaming_through_azure_openai(azure_server):
    client = openai.AsyncAzureOpenAI(azure_endpoint=azure_server.url, api_key=API_KEY, api_version=API_VERSION,
                                     max_retries=0)
    stream = await client.chat.completions.create(model="gpt-4o-mini", messages=USER, stream=True)
    text = "".join([c.choices[0].delta.content or "" async for c in stream if c.choices])
    assert text
    await client.close()


def test_azure_deployment_maps_to_its_model(azure_server):
    client = openai.AzureOpenAI(azure_endpoint=azure_server.url, api_key=API_KEY, api_version=API_VERSION,
                                azure_deployment="chat-prod", max_retries=0)
    # The deployment decides the model; the body's `model` is not used.
    completion = client.chat.completions.create(model="whatever", messages=USER)
    assert completion.model == "gpt-4o-mini-2024-07-18"


def test_bearer_token_works_as_well(azure_server):
    client = openai.AzureOpenAI(azure_endpoint=azure_server.url, azure_ad_token=API_KEY, api_version=API_VERSION,
                                max_retries=0)
    assert client.chat.completions.create(model="gpt-4o", messages=USER).choices


def test_wrong_key_gets_azures_401(azure_server):
    client = openai.AzureOpenAI(azure_endpoint=azure_server.url, api_key="wrong", api_version=API_VERSION,
                                max_retries=0)
    with pytest.raises(openai.AuthenticationError) as caught:
        client.chat.completions.create(model="gpt-4o", messages=USER)
    assert caught.value.response.json() == {"error": {"code": "401", "message": (
        "Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for "
        "an active subscription and use a correct regional API endpoint for your resource.")}}


def test_unknown_deployment_gets_deployment_not_found(azure):
    with pytest.raises(openai.NotFoundError) as caught:
        azure.chat.completions.create(model="gpt-7", messages=USER)
    assert caught.value.code == "DeploymentNotFound"
    assert caught.value.message.endswith(
        "The API deployment for this resource does not exist. If you created the deployment within the last "
        "5 minutes, please wait a moment and try again.")


def test_unsupported_api_version_is_a_400(azure_server):
    client = openai.AzureOpenAI(azure_endpoint=azure_server.url, api_key=API_KEY, api_version="2099-01-01",
                                max_retries=0)
    with pytest.raises(openai.BadRequestError) as caught:
        client.chat.completions.create(model="gpt-4o", messages=USER)
    assert caught.value.response.json() == {"error": {"code": "BadRequest", "message": "API version not supported"}}


def test_missing_api_version_is_resource_not_found(azure_server):
    response = httpx.post(azure_server.url + "/openai/deployments/gpt-4o/chat/completions",
                          json={"messages": USER}, headers={"api-key": API_KEY})
    assert response.status_code == 404
    assert response.json() == {"error": {"code": "404", "message": "Resource not found"}}


def test_body_without_model_is_fine_on_the_deployments_path(azure_server):
    response = httpx.post(azure_server.url + "/openai/deployments/gpt-4o/chat/completions",
                          params={"api-version": API_VERSION}, json={"messages": USER}, headers={"api-key": API_KEY})
    assert response.status_code == 200
    assert response.json()["model"] == "gpt-4o-2024-08-06"


def test_other_azure_paths_are_resource_not_found(azure_server):
    response = httpx.post(azure_server.url + "/openai/deployments/gpt-4o/chat/complete",
                          params={"api-version": API_VERSION}, json={}, headers={"api-key": API_KEY})
    assert (response.status_code, response.json()["error"]["message"]) == (404, "Resource not found")


def test_validation_errors_keep_openais_envelope(azure):
    with pytest.raises(openai.BadRequestError) as caught:
        azure.chat.completions.create(model="gpt-4o", messages=USER, extra_body={"foo": 1})
    assert (caught.value.code, caught.value.param, caught.value.type) == (
        "unknown_parameter", "foo", "invalid_request_error")


def test_the_v1_path_still_works_under_azure(azure_server):
    client = openai.OpenAI(base_url=azure_server.base_url, api_key=API_KEY, max_retries=0)
    completion = client.chat.completions.create(model="gpt-4o", messages=USER)
    assert completion.choices[0].message.content
    assert "prompt_filter_results" not in completion.model_extra


def test_azure_paths_do_not_exist_under_openai(emu):
    client = openai.AzureOpenAI(azure_endpoint=emu.url, api_key=API_KEY, api_version=API_VERSION, max_retries=0)
    with pytest.raises(openai.NotFoundError) as caught:
        client.chat.completions.create(model="gpt-4o", messages=USER)
    assert caught.value.code == "unknown_url"


def test_azure_header_on_a_strict_server(emu):
    client = openai.AzureOpenAI(azure_endpoint=emu.url, api_key=API_KEY, api_version=API_VERSION, max_retries=0,
                                default_headers={"x-emulator-profile": "azure"})
    assert client.chat.completions.create(model="gpt-35-turbo", messages=USER).model == "gpt-35-turbo-0125"


def test_v1_paths_take_an_api_key_header_with_openais_401(azure_server):
    body = {"model": "gpt-4o", "messages": USER}
    assert httpx.post(azure_server.base_url + "/chat/completions", json=body,
                      headers={"api-key": API_KEY}).status_code == 200
    wrong = httpx.post(azure_server.base_url + "/chat/completions", json=body, headers={"api-key": "sk-wrong-key-123"})
    assert wrong.status_code == 401
    assert wrong.json()["error"]["code"] == "invalid_api_key"


def test_azure_v1_surface_with_the_plain_openai_client(azure_server):
    """Azure's newer /openai/v1 surface: the OpenAI client, the deployment name as `model`."""
    client = openai.OpenAI(base_url=azure_server.url + "/openai/v1/", api_key=API_KEY, max_retries=0)
    completion = client.chat.completions.create(model="chat-prod", messages=USER)
    assert completion.model == "gpt-4o-mini-2024-07-18"
    assert completion.prompt_filter_results
    stream = client.chat.completions.create(model="chat-prod", messages=USER, stream=True)
    assert "".join(c.choices[0].delta.content or "" for c in stream if c.choices) == completion.choices[0].message.content
    with pytest.raises(openai.NotFoundError) as caught:
        client.chat.completions.create(model="no-such-deployment", messages=USER)
    assert caught.value.code == "DeploymentNotFound"


def test_azure_v1_surface_takes_no_dated_api_version(azure_server):
    client = openai.OpenAI(base_url=azure_server.url + "/openai/v1/", api_key=API_KEY, max_retries=0,
                           default_query={"api-version": API_VERSION})
    with pytest.raises(openai.BadRequestError) as caught:
        client.chat.completions.create(model="gpt-4o", messages=USER)
    assert caught.value.response.json()["error"] == {"code": "BadRequest", "message": "API version not supported"}
    preview = openai.OpenAI(base_url=azure_server.url + "/openai/v1/", api_key=API_KEY, max_retries=0,
                            default_query={"api-version": "preview"})
    assert preview.chat.completions.create(model="gpt-4o", messages=USER).choices


def test_stream_helper_and_parse_through_azure_openai(azure):
    pydantic = pytest.importorskip("pydantic")

    class Person(pydantic.BaseModel):
        name: str
        age: int

    whole = azure.chat.completions.create(model="gpt-4o", messages=USER).choices[0].message.content
    with azure.chat.completions.stream(model="gpt-4o", messages=USER) as stream:
        assert stream.get_final_completion().choices[0].message.content == whole
    parsed = azure.chat.completions.parse(model="gpt-4o", messages=[{"role": "user", "content": "Ada, 36"}],
                                          response_format=Person).choices[0].message.parsed
    assert isinstance(parsed, Person)


def test_cli_takes_profile_and_deployments():
    from emulator.cli import _settings, build_parser

    settings = _settings(build_parser().parse_args(
        ["serve", "--profile", "azure", "--azure-deployment", "chat-prod=gpt-4o-mini"]))
    assert (settings.profile, settings.azure_deployments) == ("azure", (("chat-prod", "gpt-4o-mini"),))
    with pytest.raises(SystemExit, match="--azure-deployment takes NAME=MODEL"):
        _settings(build_parser().parse_args(["serve", "--azure-deployment", "chat-prod"]))
