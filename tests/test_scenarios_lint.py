"""The README's first scenario example runs a real agent loop to its end, and `validate` warns about
the trap it used to fall into (a tool-calling scenario that also matches its own follow-up turn)."""
from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path

import openai

from emulator import Emulator
from emulator.cli import main
from conftest import API_KEY

README = Path(__file__).resolve().parent.parent / "README.md"
TOOLS = [{"type": "function", "function": {
    "name": "get_current_weather",
    "parameters": {"type": "object", "properties": {"location": {"type": "string"}}, "required": ["location"]}}}]


def readme_first_scenario_file(tmp_path: Path) -> Path:
    text = README.read_text()
    block = re.search(r"## Scenarios.*?```yaml\n(.*?)```", text, re.S)
    assert block, "the README's Scenarios section has a YAML example"
    path = tmp_path / "weather.yaml"
    path.write_text(block.group(1))
    return path


def test_readme_weather_example_ends_an_agent_loop(tmp_path):
    with Emulator(scenario_paths=(readme_first_scenario_file(tmp_path),), strict=True) as emu:
        client = openai.OpenAI(base_url=emu.base_url, api_key=API_KEY, max_retries=0)
        messages: list = [{"role": "user", "content": "What's the weather in Boston?"}]
        for _ in range(4):  # an agent loop with a turn budget, as real ones have
            answer = client.chat.completions.create(model="gpt-4o-mini", messages=messages, tools=TOOLS)
            message = answer.choices[0].message
            if not message.tool_calls:
                break
            messages.append(message.model_dump(exclude_none=True))
            for call in message.tool_calls:
                messages.append({"role": "tool", "tool_call_id": call.id,
                                 "content": json.dumps({"temperature": 22, "sky": "sunny"})})
        assert message.content == "It is 22 degrees and sunny in Boston."
        assert len(messages) == 3  # one tool call, one result, then the answer


def test_validate_warns_about_a_tool_call_that_matches_its_own_follow_up(tmp_path, capsys):
    path = tmp_path / "loop.yaml"
    path.write_text(textwrap.dedent("""\
        scenarios:
          - name: forever
            match: {last_user: {contains: weather}}
            reply:
              tool_calls: [{name: get_current_weather, arguments: {location: Oslo}}]
          - name: fine
            match: {last_user: {contains: weather}, last_role: user}
            reply:
              tool_calls: [{name: get_current_weather}]
        """))
    assert main(["validate", str(path)]) == 0  # a warning, not a mistake
    out = capsys.readouterr().out
    assert f"{path}:2: warning: scenario 'forever' replies with tool calls" in out
    assert "'fine'" not in out


def test_the_shipped_examples_have_no_loop_warning(capsys):
    examples = Path(__file__).resolve().parent.parent / "scenarios"
    assert main(["validate", str(examples)]) == 0
    assert "warning" not in capsys.readouterr().out
