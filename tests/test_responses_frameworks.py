"""Agent frameworks that speak the Responses API run to a final output against the emulator:
the OpenAI Agents SDK, pydantic-ai's `OpenAIResponsesModel` and LangChain's `ChatOpenAI(use_responses_api=True)`,
each with a function tool."""
from __future__ import annotations

import openai
import pytest
from pydantic import BaseModel

from conftest import API_KEY

agents = pytest.importorskip("agents")
pydantic_ai = pytest.importorskip("pydantic_ai")


@pytest.fixture
def agents_client(emu):
    agents.set_tracing_disabled(True)  # no trace export: the suite has no network
    return openai.AsyncOpenAI(base_url=emu.base_url, api_key=API_KEY, max_retries=0)


def test_agents_sdk_runs_a_function_tool_to_a_final_output(emu, agents_client):
    calls = []

    @agents.function_tool
    def get_weather(city: str) -> str:
        """Get the current weather for a city."""
        calls.append(city)
        return f"It is 21C and sunny in {city}."

    agent = agents.Agent(name="Weather", instructions="Answer weather questions with the tool.",
                         tools=[get_weather],
                         model=agents.OpenAIResponsesModel(model="gpt-4.1", openai_client=agents_client))
    result = agents.Runner.run_sync(agent, "What is the weather in Paris?")
    assert len(calls) == 1 and "21C and sunny" in result.final_output
    posts = [e for e in emu.requests if e.path == "/v1/responses"]
    assert len(posts) == 2 and posts[1].messages[-1]["role"] == "tool"


class Forecast(BaseModel):
    city: str
    high_c: int


def test_agents_sdk_structured_output(emu, agents_client):
    agent = agents.Agent(name="Forecaster", output_type=Forecast,
                         model=agents.OpenAIResponsesModel(model="gpt-4.1", openai_client=agents_client))
    assert isinstance(agents.Runner.run_sync(agent, "Forecast for Oslo").final_output, Forecast)


async def test_agents_sdk_streams_a_tool_run(emu):
    agents.set_tracing_disabled(True)

    @agents.function_tool
    def get_weather(city: str) -> str:
        """Get the current weather for a city."""
        return f"Foggy in {city}."

    async with openai.AsyncOpenAI(base_url=emu.base_url, api_key=API_KEY, max_retries=0) as client:
        agent = agents.Agent(name="Weather", tools=[get_weather],
                             model=agents.OpenAIResponsesModel(model="gpt-4.1", openai_client=client))
        result = agents.Runner.run_streamed(agent, "What is the weather in Rome?")
        kinds = [event.type async for event in result.stream_events()]
    assert "raw_response_event" in kinds and "Foggy in Rome" in result.final_output


def test_agents_sdk_server_side_conversation_with_previous_response_id(emu, agents_client):
    @agents.function_tool
    def lookup(term: str) -> str:
        """Look a term up."""
        return f"{term} means a small test."

    agent = agents.Agent(name="Lookup", tools=[lookup],
                         model=agents.OpenAIResponsesModel(model="gpt-4.1", openai_client=agents_client))
    result = agents.Runner.run_sync(agent, "lookup the term 'quiz'", auto_previous_response_id=True)
    assert "means a small test" in result.final_output
    second = [e for e in emu.requests if e.path == "/v1/responses"][1]
    assert second.body.get("previous_response_id", "").startswith("resp_")


def test_pydantic_ai_responses_model_runs_a_tool(emu):
    from pydantic_ai.models.openai import OpenAIResponsesModel
    from pydantic_ai.providers.openai import OpenAIProvider

    model = OpenAIResponsesModel("gpt-4.1", provider=OpenAIProvider(base_url=emu.base_url, api_key=API_KEY))
    agent = pydantic_ai.Agent(model, instructions="Use the tool.")

    @agent.tool_plain
    def get_time(city: str) -> str:
        """The local time in a city."""
        return "It is 09:30 in " + city

    result = agent.run_sync("What time is it in Tokyo?")
    assert "09:30" in result.output
    assert all(e.status == 200 for e in emu.requests if e.path == "/v1/responses")


def test_langchain_chat_openai_on_the_responses_api_runs_a_tool(emu):
    langchain_openai = pytest.importorskip("langchain_openai")
    from langchain_core.messages import ToolMessage
    from langchain_core.tools import tool

    @tool
    def get_weather(city: str) -> str:
        """Get the weather for a city."""
        return f"Hail in {city}"

    llm = langchain_openai.ChatOpenAI(model="gpt-4.1", base_url=emu.base_url, api_key=API_KEY,
                                      use_responses_api=True, max_retries=0).bind_tools([get_weather])
    question = ("user", "What is the weather in Paris?")
    asked = llm.invoke([question])
    call = asked.tool_calls[0]
    assert call["name"] == "get_weather" and call["args"] == {"city": "Paris"}
    answer = llm.invoke([question, asked, ToolMessage(get_weather.invoke(call["args"]), tool_call_id=call["id"])])
    assert "Hail in Paris" in answer.text
    streamed = "".join(chunk.text for chunk in llm.stream([question, asked, ToolMessage("Sun", tool_call_id=call["id"])]))
    assert "Sun" in streamed
    assert [e.path for e in emu.requests] == ["/v1/responses"] * 3
