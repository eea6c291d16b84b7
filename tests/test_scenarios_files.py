"""Scenario files: mistakes are reported with file, line, what is wrong and where; `validate`;
the server refuses to start with a broken file; a JSON Schema ships with the package."""
from __future__ import annotations

import json
import textwrap

import openai
import pytest

from emulator import Emulator
from emulator.cli import main
from emulator.scenarios import ScenarioEngine, ScenarioFileError
from emulator.scenarios.loader import SCHEMA_PATH
from conftest import API_KEY


def write(tmp_path, text: str, name: str = "s.yaml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def mistakes(path) -> str:
    with pytest.raises(ScenarioFileError) as caught:
        ScenarioEngine().load_paths([path])
    return str(caught.value).replace(str(path), "FILE")


# (id, file text, the complete report)
MISTAKES = [
    ("yaml-syntax", """
        scenarios:
          - name: a
            reply: {content: "unclosed}
        """, "FILE:4: invalid YAML: while scanning a quoted scalar found unexpected end of stream"),
    ("empty-file", "\n", "FILE:1: the file is empty; expected a mapping with 'scenarios'"),
    ("no-scenarios-key", """
        senarios: []
        """, "FILE:1: missing required key 'scenarios' | FILE:1: unknown key 'senarios' (did you mean 'scenarios'?) "
             "(at senarios)"),
    ("missing-name", """
        scenarios:
          - reply: {content: hi}
        """, "FILE:2: a scenario needs a 'name' (at scenarios[0])"),
    ("unknown-key", """
        scenarios:
          - name: a
            mach: {model: gpt-4o}
            reply: {content: hi}
        """, "FILE:3: unknown key 'mach' (did you mean 'match'?) (at scenarios[0].mach)"),
    ("unknown-condition", """
        scenarios:
          - name: a
            match:
              last_usr: hi
            reply: {content: hi}
        """, "FILE:4: unknown key 'last_usr' (did you mean 'last_user'?) (at scenarios[0].match.last_usr)"),
    ("wrong-type", """
        scenarios:
          - name: a
            match: {has_tools: "yes"}
            reply: {content: hi}
        """, "FILE:3: expected a boolean (true/false), got a string (at scenarios[0].match.has_tools)"),
    ("bad-role", """
        scenarios:
          - name: a
            match:
              last_role: robot
            reply: {content: hi}
        """, "FILE:4: unknown value 'robot'; expected one of: system, developer, user, assistant, tool, function "
             "(at scenarios[0].match.last_role)"),
    ("unknown-error-shortcut", """
        scenarios:
          - name: a
            error: rate_limited
        """, "FILE:3: unknown value 'rate_limited'; expected one of: rate_limit_exceeded, insufficient_quota, "
             "context_length_exceeded, server_error, overloaded, invalid_api_key, model_not_found, content_filter "
             "(did you mean 'rate_limit_exceeded'?) (at scenarios[0].error)"),
    ("status-out-of-range", """
        scenarios:
          - name: a
            error:
              status: 200
        """, "FILE:4: 200 is less than the minimum of 400 (at scenarios[0].error.status)"),
    ("bad-regex", """
        scenarios:
          - name: a
            match:
              last_user: {regex: "order (#"}
            reply: {content: hi}
        """, "FILE:4: invalid regex 'order (#': missing ), unterminated subpattern at position 6 "
             "(at scenarios[0].match.last_user.regex)"),
    ("duplicate-name", """
        scenarios:
          - name: a
            reply: {content: one}
          - name: a
            reply: {content: two}
        """, "FILE:4: duplicate scenario name 'a' (first at scenarios[0]) (at scenarios[1].name)"),
    ("nothing-to-answer", """
        scenarios:
          - name: a
            match: {model: gpt-4o}
        """, "FILE:2: a scenario needs 'reply', 'error', 'fault', 'sequence' or 'chaos' (at scenarios[0])"),
    ("reply-and-error", """
        scenarios:
          - name: a
            reply: {content: hi}
            error: server_error
        """, "FILE:4: give either 'reply' or 'error', not both (at scenarios[0].error)"),
    ("sequence-and-reply", """
        scenarios:
          - name: a
            reply: {content: hi}
            sequence:
              - reply: {content: hi}
        """, "FILE:3: 'sequence' cannot be combined with 'reply' at the same level; put it in a step of the "
             "sequence (at scenarios[0].reply)"),
    ("empty-sequence", """
        scenarios:
          - name: a
            sequence: []
        """, "FILE:3: must not be empty (at scenarios[0].sequence)"),
    ("empty-step", """
        scenarios:
          - name: a
            sequence:
              - {}
        """, "FILE:4: a sequence step needs 'reply', 'error' or 'fault' (at scenarios[0].sequence[0])"),
    ("unknown-placeholder", """
        scenarios:
          - name: a
            reply:
              content: "You said {{last_message}}"
        """, "FILE:4: unknown placeholder '{{last_message}}'; known: last_user, model, system, turn, user, "
             "tool_result, tool_name, metadata, headers (at scenarios[0].reply.content)"),
    ("header-line-break", """
        scenarios:
          - name: a
            reply:
              content: hi
              headers: {x-note: "a\\r\\nSet-Cookie: session=stolen"}
        """, "FILE:5: the value of header 'x-note' contains a line break or NUL (at scenarios[0].reply.headers.x-note)"),
    ("header-framing", """
        scenarios:
          - name: a
            error:
              status: 503
              headers: {Content-Length: "0"}
        """, "FILE:5: 'Content-Length' is written by the server (it frames the response); a scenario cannot set it "
             "(at scenarios[0].error.headers.Content-Length)"),
    ("header-not-latin-1", """
        scenarios:
          - name: a
            reply:
              content: hi
              headers: {x-price: "5 €"}
        """, "FILE:5: the value of header 'x-price' has characters HTTP headers cannot carry (only Latin-1) "
             "(at scenarios[0].reply.headers.x-price)"),
    ("duplicate-key", """
        scenarios:
          - name: a
            reply: {content: one}
            reply: {content: two}
        """, "FILE:4: duplicate key 'reply' (at scenarios[0])"),
    ("two-faults", """
        scenarios:
          - name: a
            fault:
              stall: true
              cut_after: 2
        """, "FILE:5: one fault at a time: 'stall' and 'cut_after' cannot be combined (at scenarios[0].fault.cut_after)"),
    ("unknown-fault", """
        scenarios:
          - name: a
            fault: timeout
        """, "FILE:3: unknown value 'timeout'; expected one of: stall, connection_reset, malformed_chunk, keepalive, "
             "error_event (at scenarios[0].fault)"),
    ("bad-finish-reason", """
        scenarios:
          - name: a
            reply:
              content: hi
              finish_reason: done
        """, "FILE:5: unknown value 'done'; expected one of: stop, length, tool_calls, content_filter, function_call "
             "(at scenarios[0].reply.finish_reason)"),
    ("refusal-with-content", """
        scenarios:
          - name: a
            reply:
              content: hi
              refusal: "I can't."
        """, "FILE:5: a refusal has no 'content'; give one or the other (at scenarios[0].reply.refusal)"),
    ("custom-error-without-status", """
        scenarios:
          - name: a
            error: {message: boom}
        """, "FILE:3: a custom error needs a 'status' (or a 'shortcut' such as 'server_error') (at scenarios[0].error)"),
    ("turn-range", """
        scenarios:
          - name: a
            match:
              turn: {min: 3, max: 1}
            reply: {content: hi}
        """, "FILE:4: 'min' (3) is above 'max' (1) (at scenarios[0].match.turn)"),
]


@pytest.mark.parametrize("text,report", [m[1:] for m in MISTAKES], ids=[m[0] for m in MISTAKES])
def test_mistake_is_reported_with_file_and_line(tmp_path, text, report):
    assert mistakes(write(tmp_path, text)).replace("\n", " | ") == report


def test_every_mistake_of_a_file_at_once(tmp_path):
    path = write(tmp_path, """
        scenarios:
          - name: a
            match: {has_tools: 1}
            reply: {content: hi}
          - name: b
            reply: {contnt: hi}
        """)
    assert mistakes(path).splitlines() == [
        "FILE:3: expected a boolean (true/false), got an integer (at scenarios[0].match.has_tools)",
        "FILE:6: unknown key 'contnt' (did you mean 'content'?) (at scenarios[1].reply.contnt)",
    ]


def test_json_syntax_error(tmp_path):
    path = write(tmp_path, '{"scenarios": [\n  {"name": "a",}\n]}\n', "s.json")
    assert mistakes(path) == "FILE:2: invalid JSON: Expecting property name enclosed in double quotes"


def test_json_mistake_has_its_line(tmp_path):
    path = write(tmp_path, json.dumps({"scenarios": [{"name": "a", "reply": {"content": "hi"}},
                                                     {"name": "b", "reply": {"text": "hi"}}]}, indent=2), "s.json")
    assert mistakes(path) == ("FILE:12: unknown key 'text'; allowed: content, refusal, tool_calls, finish_reason, "
                              "logprobs, choices, chunks, verbatim, model, usage, pacing, headers, embedding, seed (at scenarios[1].reply.text)")


def test_duplicate_names_across_files(tmp_path):
    write(tmp_path, "scenarios:\n  - name: a\n    reply: {content: one}\n", "one.yaml")
    write(tmp_path, "scenarios:\n  - {name: b, reply: {content: x}}\n  - name: a\n    reply: {content: two}\n",
          "two.yaml")
    with pytest.raises(ScenarioFileError) as caught:
        ScenarioEngine().load_paths([tmp_path])
    assert str(caught.value) == f"{tmp_path / 'two.yaml'}:3: duplicate scenario name 'a' (also at {tmp_path / 'one.yaml'}:2)"


def test_inline_mistakes_name_the_path(emu):
    with pytest.raises(ScenarioFileError) as caught:
        emu.add_scenario({"name": "a", "reply": {"content": 3}})
    assert str(caught.value) == "<inline>: expected a string or null, got an integer (at scenarios[0].reply.content)"


def test_the_server_refuses_to_start_with_a_broken_file(tmp_path):
    path = write(tmp_path, "scenarios:\n  - name: a\n    reply: {content: hi}\n    mach: {}\n")
    with pytest.raises(ScenarioFileError, match="s.yaml:4: unknown key 'mach'"):
        Emulator(scenario_paths=(path,))


def test_serve_exits_2_naming_file_and_line(tmp_path, capsys):
    path = write(tmp_path, "scenarios:\n  - name: a\n    reply: {content: hi}\n    mach: {}\n")
    assert main(["serve", "--port", "0", "--scenarios", str(path)]) == 2
    assert f"{path}:4: unknown key 'mach' (did you mean 'match'?)" in capsys.readouterr().err


def test_validate_command(tmp_path, capsys):
    good = write(tmp_path, "scenarios:\n  - name: a\n    reply: {content: hi}\n", "good.yaml")
    bad = write(tmp_path, "scenarios:\n  - name: b\n    error: nope\n", "bad.yaml")
    assert main(["validate", str(good)]) == 0
    assert capsys.readouterr().out == f"{good}: OK (1 scenario)\n"
    assert main(["validate", str(tmp_path)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith(f"{bad}:3: unknown value 'nope'")
    assert out[1] == f"{good}: OK (1 scenario)"


def test_validate_missing_path(tmp_path, capsys):
    assert main(["validate", str(tmp_path / "nowhere")]) == 1
    assert "no such file or folder" in capsys.readouterr().err


def test_loaded_files_answer(tmp_path):
    write(tmp_path, """
        scenarios:
          - name: greeting
            match: {last_user: hello}
            reply: {content: "Hello from a file, {{model}}!"}
        """)
    with Emulator(scenario_paths=(tmp_path,)) as emu:
        client = openai.OpenAI(base_url=emu.base_url, api_key=API_KEY, max_retries=0)
        completion = client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "hello"}])
        assert completion.choices[0].message.content == "Hello from a file, gpt-4o-mini!"
        emu.reset()  # file scenarios survive a reset
        assert emu.scenarios.names() == ["greeting"]
        assert emu.scenarios.describe()[0]["source"] == str(tmp_path / "s.yaml")


def test_the_schema_ships_and_checks_the_examples():
    from jsonschema import Draft202012Validator

    schema = json.loads(SCHEMA_PATH.read_text())
    Draft202012Validator.check_schema(schema)
    assert schema["required"] == ["scenarios"]
