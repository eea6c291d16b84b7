"""The Responses API through the official SDK over a real socket: create, stream, parse, tools,
previous_response_id, stored responses (retrieve, delete, input_items, background polling)."""
from __future__ import annotations

import json

import httpx
import openai
import pytest
from pydantic import BaseModel

from emulator import Emulator

WEATHER_TOOL = {
    "type": "function", "name": "get_weather", "description": "Get the current weather for a city",
    "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"],
                   "additionalProperties": False},
    "strict": True,
}


def without_ids(obj: dict) -> dict:
    """The response with what differs between two answers to one request (ids, timestamps) removed."""
    dropped = ("id", "created_at", "completed_at", "billing")
    body = {k: v for k, v in obj.items() if k not in dropped}
    body["output"] = [{k: v for k, v in item.items() if k != "id"} for item in obj["output"]]
    return body


def test_create_answers_with_a_message_and_usage(client):
    response = client.responses.create(model="gpt-4.1", input="Hello there", instructions="Be brief.")
    assert response.object == "response" and response.status == "completed"
    assert response.id.startswith("resp_") and len(response.id) == 55
    message = response.output[0]
    assert message.type == "message" and message.role == "assistant" and message.id.startswith("msg_")
    assert message.content[0].type == "output_text" and message.content[0].annotations == []
    assert "Hello there" in response.output_text
    assert response.model == "gpt-4.1-2025-04-14" and response.instructions == "Be brief."
    usage = response.usage
    assert usage.total_tokens == usage.input_tokens + usage.output_tokens
    assert usage.input_tokens_details.cached_tokens == 0 and usage.output_tokens_details.reasoning_tokens == 0
    assert response.store is True and response.tools == [] and response.text.format.type == "text"


def test_the_wire_body_has_the_live_keys_and_no_output_text(http):
    body = http.post("/responses", json={"model": "gpt-4o-mini", "input": "hi"}).json()
    assert "output_text" not in body
    assert list(body)[:6] == ["id", "object", "created_at", "status", "background", "billing"]
    assert body["output"][0]["content"][0]["logprobs"] == [] and body["temperature"] == 1.0
    assert body["reasoning"] == {"effort": None, "summary": None} and body["truncation"] == "disabled"


def test_echoed_numbers_keep_their_json_text(http):
    """The echo writes each number as Python's JSON does (and the live API, for `1e-05`), also small
    floats, whose shorter text a faster writer would spell differently; and again for identical bytes."""
    body = {"model": "gpt-4o-mini", "input": "Echo my numbers", "temperature": 1e-05, "top_p": 0.25,
            "tools": [{"type": "function", "name": "scale", "strict": False,
                       "parameters": {"type": "object", "properties": {"x": {"type": "number", "minimum": 1e-07,
                                                                              "maximum": 1.5e300}}}}]}
    for _ in range(3):
        response = http.post("/responses", json=body)
        text = response.text
        assert '"temperature":1e-05' in text and '"top_p":0.25' in text
        assert '"minimum":1e-07,"maximum":1.5e+300' in text
        stored = http.get(f"/responses/{response.json()['id']}").text
        assert '"temperature":1e-05' in stored and '"minimum":1e-07' in stored


def test_same_request_same_text(client):
    first = client.responses.create(model="gpt-4o-mini", input="tell me something")
    second = client.responses.create(model="gpt-4o-mini", input="tell me something")
    assert first.output_text == second.output_text and first.id != second.id


def test_stream_assembles_to_the_non_streamed_response(client):
    created = client.responses.create(model="gpt-4.1", input="Stream this please")
    with client.responses.stream(model="gpt-4.1", input="Stream this please") as stream:
        kinds = [event.type for event in stream]
        final = stream.get_final_response()
    assert kinds[:5] == ["response.created", "response.in_progress", "response.output_item.added",
                         "response.content_part.added", "response.output_text.delta"]
    assert kinds[-4:] == ["response.output_text.done", "response.content_part.done",
                          "response.output_item.done", "response.completed"]
    assert without_ids(final.model_dump(exclude_none=True)) == without_ids(
        {k: v for k, v in created.model_dump(exclude_none=True).items()})


def test_stream_framing_is_event_and_data_lines_without_done(http):
    with http.stream("POST", "/responses", json={"model": "gpt-4o-mini", "input": "hi", "stream": True}) as r:
        assert r.headers["content-type"] == "text/event-stream; charset=utf-8"
        raw = r.read().decode()
    frames = raw.split("\n\n")
    assert frames[-1] == "" and "[DONE]" not in raw
    events = []
    for frame in frames[:-1]:
        name, data = frame.split("\n")
        event = json.loads(data.removeprefix("data: "))
        assert name == "event: " + event["type"]
        events.append(event)
    assert [e["sequence_number"] for e in events] == list(range(len(events)))
    deltas = [e for e in events if e["type"] == "response.output_text.delta"]
    assert all((len(e["delta"]) + len(e["obfuscation"])) % 16 == 0 for e in deltas)
    assert events[0]["response"]["usage"] is None and events[-1]["response"]["usage"]["total_tokens"] > 0


def test_include_obfuscation_false_drops_the_padding(http):
    body = {"model": "gpt-4o-mini", "input": "hi", "stream": True, "stream_options": {"include_obfuscation": False}}
    assert b"obfuscation" not in http.post("/responses", json=body).content


class Weather(BaseModel):
    city: str
    temperature_c: float
    conditions: list[str]


def test_parse_returns_an_object_valid_against_the_model(client):
    parsed = client.responses.parse(model="gpt-4o-2024-08-06", input="Weather in Paris?", text_format=Weather)
    assert isinstance(parsed.output_parsed, Weather)
    assert parsed.text.format.type == "json_schema" and parsed.text.format.name == "Weather"


def test_stream_with_text_format_parses_too(client):
    with client.responses.stream(model="gpt-4o-mini", input="Weather in Oslo?", text_format=Weather) as stream:
        final = stream.get_final_response()
    assert isinstance(final.output_parsed, Weather)


def test_a_function_tool_loop_ends_with_an_answer_from_the_results(client):
    first = client.responses.create(model="gpt-4.1", input="What's the weather in Paris?", tools=[WEATHER_TOOL])
    calls = [item for item in first.output if item.type == "function_call"]
    assert len(calls) == 1 and calls[0].name == "get_weather"
    assert calls[0].id.startswith("fc_") and calls[0].call_id.startswith("call_") and len(calls[0].call_id) == 29
    assert json.loads(calls[0].arguments).keys() == {"city"}
    # Without previous_response_id: the client replays the output items with the tool's result.
    second = client.responses.create(
        model="gpt-4.1", tools=[WEATHER_TOOL],
        input=[{"role": "user", "content": "What's the weather in Paris?"}, *first.output,
               {"type": "function_call_output", "call_id": calls[0].call_id, "output": "18C and sunny"}])
    assert [item.type for item in second.output] == ["message"]
    assert "18C and sunny" in second.output_text


def test_function_call_arguments_stream_as_deltas(client):
    with client.responses.stream(model="gpt-4.1", input="weather in Rome?", tools=[WEATHER_TOOL]) as stream:
        deltas = [e.delta for e in stream if e.type == "response.function_call_arguments.delta"]
        final = stream.get_final_response()
    assert "".join(deltas) == final.output[0].arguments
    assert final.output[0].parsed_arguments is None or final.output[0].parsed_arguments


def test_previous_response_id_continues_the_conversation(client):
    first = client.responses.create(model="gpt-4.1", input="What's the weather in Paris?", tools=[WEATHER_TOOL])
    call = first.output[0]
    second = client.responses.create(
        model="gpt-4.1", previous_response_id=first.id, tools=[WEATHER_TOOL],
        input=[{"type": "function_call_output", "call_id": call.call_id, "output": "rain"}])
    assert second.previous_response_id == first.id and "rain" in second.output_text
    assert second.usage.input_tokens > first.usage.input_tokens  # the chain counts as input again
    third = client.responses.create(model="gpt-4.1", previous_response_id=second.id, input="And tomorrow?",
                                   tools=[WEATHER_TOOL], tool_choice="none")
    assert third.usage.input_tokens > second.usage.input_tokens + second.usage.output_tokens


def test_unknown_previous_response_id_is_the_live_400(client):
    with pytest.raises(openai.BadRequestError) as caught:
        client.responses.create(model="gpt-4.1", previous_response_id="resp_nope", input="hi")
    assert caught.value.body == {"message": "Previous response with id 'resp_nope' not found.",
                                 "type": "invalid_request_error", "param": "previous_response_id",
                                 "code": "previous_response_not_found"}


def test_store_false_responses_cannot_be_retrieved_or_chained(client):
    response = client.responses.create(model="gpt-4o-mini", input="hi", store=False)
    assert response.store is False
    with pytest.raises(openai.NotFoundError):
        client.responses.retrieve(response.id)
    with pytest.raises(openai.BadRequestError):
        client.responses.create(model="gpt-4o-mini", previous_response_id=response.id, input="again")


def test_retrieve_delete_and_input_items_with_the_auto_pager(client):
    items = [{"role": "user", "content": f"message {n}"} for n in range(5)]
    created = client.responses.create(model="gpt-4o-mini", input=items)
    assert client.responses.retrieve(created.id).output_text == created.output_text
    page = client.responses.input_items.list(created.id, limit=2, order="asc")
    assert len(page.data) == 2 and page.has_more
    listed = list(client.responses.input_items.list(created.id, limit=2, order="asc"))
    assert [i.content[0].text for i in listed] == [f"message {n}" for n in range(5)]
    assert all(i.id.startswith("msg_") and i.type == "message" for i in listed)
    newest_first = list(client.responses.input_items.list(created.id))
    assert [i.id for i in newest_first] == [i.id for i in reversed(listed)]
    assert client.responses.delete(created.id) is None
    with pytest.raises(openai.NotFoundError) as caught:
        client.responses.retrieve(created.id)
    assert caught.value.body["message"] == f"Response with id '{created.id}' not found."


def test_stored_responses_belong_to_their_api_key(emu, client):
    created = client.responses.create(model="gpt-4o-mini", input="mine")
    other = openai.OpenAI(base_url=emu.base_url, api_key="sk-someone-else", max_retries=0)
    with pytest.raises(openai.NotFoundError):
        other.responses.retrieve(created.id)


def test_background_responses_are_polled_to_completion(client):
    created = client.responses.create(model="gpt-4o-mini", input="slow job", background=True)
    assert created.status == "queued" and created.output == [] and created.usage is None
    seen = [created.status]
    response = created
    while response.status in ("queued", "in_progress"):
        response = client.responses.retrieve(created.id)
        seen.append(response.status)
    assert seen == ["queued", "queued", "in_progress", "completed"]
    assert response.output_text and response.usage.total_tokens > 0


def test_a_background_response_can_be_cancelled(client):
    created = client.responses.create(model="gpt-4o-mini", input="long job", background=True)
    assert client.responses.cancel(created.id).status == "cancelled"
    assert client.responses.cancel(created.id).status == "cancelled"  # idempotent
    assert client.responses.retrieve(created.id).status == "cancelled"


def test_a_background_stream_can_be_resumed(client):
    with client.responses.stream(model="gpt-4o-mini", input="resumable", background=True) as stream:
        events = list(stream)
        final = stream.get_final_response()
    assert [e.type for e in events[:3]] == ["response.created", "response.queued", "response.in_progress"]
    with client.responses.stream(response_id=final.id, starting_after=3) as resumed:
        again = list(resumed)
        assert resumed.get_final_response().output_text == final.output_text
    assert again[0].sequence_number == 4


def test_max_output_tokens_makes_the_response_incomplete(client, http):
    response = client.responses.create(model="gpt-4o-mini", input="Tell me a long story", max_output_tokens=16)
    assert response.status == "incomplete" and response.incomplete_details.reason == "max_output_tokens"
    assert response.output[0].status == "incomplete" and response.usage.output_tokens == 16
    body = {"model": "gpt-4o-mini", "input": "Tell me a long story", "max_output_tokens": 16, "stream": True}
    last = http.post("/responses", json=body).text.strip().split("\n\n")[-1]
    assert last.startswith("event: response.incomplete\n")


def test_refusals_are_refusal_content_and_refusal_deltas(client):
    response = client.responses.create(model="gpt-4o-mini", input="[emulator:refuse] do it")
    assert response.output[0].content[0].type == "refusal" and response.status == "completed"
    with client.responses.stream(model="gpt-4o-mini", input="[emulator:refuse] do it") as stream:
        deltas = [e.delta for e in stream if e.type == "response.refusal.delta"]
    assert "".join(deltas) == response.output[0].content[0].refusal


def test_reasoning_models_add_a_reasoning_item_and_tokens_by_effort(client):
    low = client.responses.create(model="o4-mini", input="think", reasoning={"effort": "low"})
    high = client.responses.create(model="o4-mini", input="think", reasoning={"effort": "high"})
    assert [item.type for item in low.output] == ["reasoning", "message"] and low.output[0].summary == []
    assert 0 < low.usage.output_tokens_details.reasoning_tokens < high.usage.output_tokens_details.reasoning_tokens
    assert high.reasoning.effort == "high"


def test_reasoning_summaries_stream_when_asked(client):
    with client.responses.stream(model="o4-mini", input="think", reasoning={"summary": "auto"}) as stream:
        kinds = [e.type for e in stream]
        final = stream.get_final_response()
    assert "response.reasoning_summary_text.delta" in kinds and final.output[0].summary[0].text


def test_mid_stream_errors_raise_in_the_sdk(emu, client):
    emu.fail_next(fault={"error_event": "insufficient_quota"})
    with pytest.raises(openai.APIError) as caught:
        with client.responses.stream(model="gpt-4o-mini", input="hi") as stream:
            list(stream)
    assert "quota" in caught.value.message
    kinds = [json.loads(e.split(b"\ndata: ")[1])["type"] for e in emu.requests[-1].events]
    assert kinds == ["response.created", "response.in_progress", "error", "response.failed"]
    emu.fail_next(fault={"error_event": "server_error", "after": 5})
    with pytest.raises(openai.APIError):
        with client.responses.stream(model="gpt-4o-mini", input="hi") as stream:
            list(stream)
    kinds = [json.loads(e.split(b"\ndata: ")[1])["type"] for e in emu.requests[-1].events]
    assert kinds[4:] == ["response.output_text.delta", "error", "response.failed"]
    assert client.responses.retrieve(emu.requests[-1].response["id"]).status == "failed"


def test_scenarios_answer_in_the_responses_shape(emu, client):
    emu.reply_with_text("Scripted hello", match={"last_user": "greet me"})
    assert client.responses.create(model="gpt-4o-mini", input="please greet me").output_text == "Scripted hello"
    emu.add_scenario({"name": "chat-only", "match": {"api": "chat", "last_user": "which api"},
                       "reply": {"content": "chat!"}})
    emu.add_scenario({"name": "responses-only", "match": {"api": "responses", "last_user": "which api"},
                       "reply": {"content": "responses!"}})
    assert client.responses.create(model="gpt-4o-mini", input="which api").output_text == "responses!"
    chat = client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "which api"}])
    assert chat.choices[0].message.content == "chat!"


def test_scenario_tool_calls_become_function_call_items(emu, client):
    emu.reply_with_tool_call("get_weather", {"city": "Lima"})
    response = client.responses.create(model="gpt-4.1", input="anything", tools=[WEATHER_TOOL])
    assert response.output[0].type == "function_call" and json.loads(response.output[0].arguments) == {"city": "Lima"}


def test_the_journal_reads_responses_input_as_messages(emu, client):
    client.responses.create(model="gpt-4o-mini", instructions="Be nice.", input="journal me")
    entry = emu.requests[-1]
    assert entry.path == "/v1/responses" and entry.matched == "builtin"
    assert [m["role"] for m in entry.messages] == ["system", "user"]


def test_the_store_file_keeps_responses_across_restarts(tmp_path):
    path = tmp_path / "store.db"
    with Emulator(store_path=path) as emu:
        client = openai.OpenAI(base_url=emu.base_url, api_key="sk-a", max_retries=0)
        created = client.responses.create(model="gpt-4o-mini", input="remember me")
        client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "x"}], store=True)
    with Emulator(store_path=path) as emu:
        client = openai.OpenAI(base_url=emu.base_url, api_key="sk-a", max_retries=0)
        assert client.responses.retrieve(created.id).output_text == created.output_text
        assert len(list(client.chat.completions.list())) == 1
        follow = client.responses.create(model="gpt-4o-mini", previous_response_id=created.id, input="and?")
        assert follow.usage.input_tokens > created.usage.input_tokens


def test_lenient_profile_ignores_unknown_fields(http):
    response = http.post("/responses", headers={"x-emulator-profile": "lenient"},
                         json={"model": "gpt-4o-mini", "input": "hi", "anthropic_version": "x"})
    assert response.status_code == 200 and response.headers["x-emulator-ignored-fields"] == "anthropic_version"


def test_rate_limits_count_responses_and_fail_streams_in_the_stream(make_emulator):
    emu = make_emulator(requests_per_minute=2, enforce_rate_limits=True)
    client = openai.OpenAI(base_url=emu.base_url, api_key="sk-limited", max_retries=0)
    raw = client.responses.with_raw_response.create(model="gpt-4o-mini", input="one")
    assert raw.headers["x-ratelimit-limit-requests"] == "2" and raw.headers["x-ratelimit-remaining-requests"] == "1"
    client.responses.create(model="gpt-4o-mini", input="two")
    with pytest.raises(openai.RateLimitError):
        client.responses.create(model="gpt-4o-mini", input="three")
    with pytest.raises(openai.APIError) as caught:  # a stream reports it after response.created
        with client.responses.stream(model="gpt-4o-mini", input="four") as stream:
            list(stream)
    assert "Rate limit reached" in caught.value.message


def test_scenario_sequences_refusals_usage_and_errors_render_as_responses(emu, client):
    emu.add_scenario({"name": "steps", "match": {"last_user": "step"}, "sequence": [
        {"error": "server_error"},
        {"reply": {"refusal": "No can do."}},
        {"reply": {"content": "Done.", "usage": {"prompt_tokens": 7, "completion_tokens": 2}}},
        {"reply": {"content": "Cut", "finish_reason": "length"}},
    ]})
    with pytest.raises(openai.InternalServerError):
        client.responses.create(model="gpt-4o-mini", input="step")
    refused = client.responses.create(model="gpt-4o-mini", input="step")
    assert refused.output[0].content[0].refusal == "No can do."
    done = client.responses.create(model="gpt-4o-mini", input="step")
    assert done.output_text == "Done." and (done.usage.input_tokens, done.usage.output_tokens) == (7, 2)
    cut = client.responses.create(model="gpt-4o-mini", input="step")
    assert cut.status == "incomplete" and cut.incomplete_details.reason == "max_output_tokens"


def test_custom_tools_give_custom_tool_call_items(client):
    tool = {"type": "custom", "name": "run_sql", "description": "Run a SQL query"}
    response = client.responses.create(model="gpt-4.1", input="run_sql: count the users", tools=[tool])
    call = response.output[0]
    assert call.type == "custom_tool_call" and call.name == "run_sql" and call.input
    with client.responses.stream(model="gpt-4.1", input="run_sql: count the users", tools=[tool]) as stream:
        deltas = [e.delta for e in stream if e.type == "response.custom_tool_call_input.delta"]
    assert "".join(deltas) == call.input


def test_logprobs_are_included_when_asked(client):
    response = client.responses.create(model="gpt-4o-mini", input="hi", include=["message.output_text.logprobs"],
                                       top_logprobs=2)
    part = response.output[0].content[0]
    assert "".join(entry.token for entry in part.logprobs) == part.text
    assert all(len(entry.top_logprobs) == 2 for entry in part.logprobs)


def test_pacing_headers_shape_the_stream(http):
    body = {"model": "gpt-4o-mini", "input": "pace me", "stream": True}

    def deltas(headers: dict[str, str]) -> list[str]:
        frames = http.post("/responses", json=body, headers=headers).text.split("\n\n")
        return [json.loads(f.split("\ndata: ")[1])["delta"] for f in frames if "output_text.delta" in f]

    one, three = deltas({}), deltas({"x-emulator-chunk-tokens": "3"})
    assert "".join(one) == "".join(three) and len(three) == -(-len(one) // 3)
    bad = http.post("/responses", json=body, headers={"x-emulator-ttft-ms": "soon"})
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "invalid_pacing_header"


def test_chaos_applies_to_responses_too(emu, client):
    emu.chaos({"server_error": 1}, seed=1)
    try:
        with pytest.raises(openai.InternalServerError):
            client.responses.create(model="gpt-4o-mini", input="hi")
        assert emu.requests[-1].chaos == "server_error"
    finally:
        emu.stop_chaos()
    assert client.responses.create(model="gpt-4o-mini", input="hi").status == "completed"
