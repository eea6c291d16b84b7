"""Offline mode: the golden transcripts pass, and altered copies fail naming the alteration."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable

import pytest

from emulator.conformance.cli import main
from emulator.conformance.strictness import COMPATIBLE, OPENAI
from emulator.conformance.transcript import check_file

GOLDEN = Path(__file__).parent.parent / "fixtures" / "transcripts"
NAMES = sorted(p.name for p in GOLDEN.glob("*.json"))


def test_there_are_json_and_sse_goldens() -> None:
    kinds = {"sse" if "sse" in json.loads((GOLDEN / n).read_text())["response"] else "json" for n in NAMES}
    assert kinds == {"json", "sse"} and len(NAMES) >= 10


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("profile", [OPENAI, COMPATIBLE], ids=["openai", "compatible"])
def test_golden_transcript_passes(name: str, profile: Any) -> None:
    failed = [(r.name, r.detail) for r in check_file(GOLDEN / name, profile) if r.outcome != "pass"]
    assert failed == []


def test_cli_passes_the_golden_directory(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--transcript", str(GOLDEN)]) == 0
    assert "0 failed" in capsys.readouterr().out


def chunks_of(sse: str) -> list[Any]:
    return [json.loads(e[6:]) for e in sse.split("\n\n") if e.startswith("data: {")]


def sse_of(chunks: list[Any]) -> str:
    return "".join(f"data: {json.dumps(c, separators=(',', ':'))}\n\n" for c in chunks) + "data: [DONE]\n\n"


def edit_chunks(change: Callable[[list[Any]], None]) -> Callable[[dict[str, Any]], None]:
    def edit(doc: dict[str, Any]) -> None:
        chunks = chunks_of(doc["response"]["sse"])
        change(chunks)
        doc["response"]["sse"] = sse_of(chunks)
    return edit


def set_in(*path: Any, value: Any) -> Callable[[dict[str, Any]], None]:
    def edit(doc: dict[str, Any]) -> None:
        target = doc
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
    return edit


def delete_in(*path: Any) -> Callable[[dict[str, Any]], None]:
    def edit(doc: dict[str, Any]) -> None:
        target = doc
        for key in path[:-1]:
            target = target[key]
        del target[path[-1]]
    return edit


def replace_sse(old: str, new: str) -> Callable[[dict[str, Any]], None]:
    def edit(doc: dict[str, Any]) -> None:
        assert old in doc["response"]["sse"]
        doc["response"]["sse"] = doc["response"]["sse"].replace(old, new)
    return edit


# (golden file, alteration, the rule that must fail, words its detail must contain)
ALTERATIONS: list[tuple[str, str, Callable[[dict[str, Any]], None], str, str]] = [
    ("text", "created_as_string", set_in("response", "body", "created", value="1769078400"), "body_schema",
     "$.created: '1769078400' is not of type 'integer'"),
    ("text", "refusal_missing", delete_in("response", "body", "choices", 0, "message", "refusal"), "body_schema",
     "'refusal' is a required property"),
    ("text", "error_status_for_success", set_in("response", "status", value=500), "status", "got 500"),
    ("error_invalid_type", "envelope_without_code", delete_in("response", "body", "error", "code"), "body_schema",
     "$.error: 'code' is a required property"),
    ("error_invalid_type", "flat_envelope", set_in("response", "body", value={"message": "bad", "type": "x"}), "status",
     "expected 200"),
    ("logprobs", "logprobs_dropped", set_in("response", "body", "choices", 0, "logprobs", value=None), "choices",
     "expected token logprobs"),
    ("text_stream", "done_missing", replace_sse("data: [DONE]\n\n", ""), "done", "missing [DONE]"),
    ("text_stream", "done_twice", replace_sse("data: [DONE]\n\n", "data: [DONE]\n\ndata: [DONE]\n\n"), "done", "expected once"),
    ("text_stream", "crlf_lines", replace_sse("\n", "\r\n"), "framing", "CR or CRLF"),
    ("text_stream", "spaced_json", replace_sse('"object":"chat.completion.chunk"', '"object": "chat.completion.chunk"'),
     "framing", "not compact"),
    ("text_stream", "event_field", replace_sse("data: [DONE]", "event: done\ndata: [DONE]"), "framing", "unexpected field 'event'"),
    ("text_stream", "unterminated", replace_sse("data: [DONE]\n\n", "data: [DONE]\n"), "framing", "does not end with a blank line"),
    ("text_stream", "id_changed", edit_chunks(lambda c: c[3].update(id="chatcmpl-other")), "same_id",
     "chunk 3: $.id: expected \"chatcmpl-CQ3vW2mZq8rTn5bXk1yHd7uLs4eGp\""),
    ("text_stream", "created_changed", edit_chunks(lambda c: c[2].update(created=1)), "same_id", "chunk 2: $.created"),
    ("text_stream", "role_repeated", edit_chunks(lambda c: c[2]["choices"][0]["delta"].update(role="assistant")),
     "role_first", "expected the role only once"),
    ("text_stream", "role_missing", edit_chunks(lambda c: c[0]["choices"][0]["delta"].pop("role")), "role_first",
     "expected \"assistant\" on the choice's first delta"),
    ("text_stream", "final_delta_not_empty", edit_chunks(lambda c: c[-1]["choices"][0]["delta"].update(content="x")),
     "final_chunk", "expected {} on the final chunk"),
    ("text_stream", "no_finish_reason", edit_chunks(lambda c: c.pop()), "final_chunk", "got none"),
    ("text_stream", "content_wrong_type", edit_chunks(lambda c: c[1]["choices"][0]["delta"].update(content=5)),
     "chunk_schema", "chunk 1: $.choices[0].delta.content"),
    ("text_stream", "not_json", replace_sse('data: {"id"', 'data: {id'), "chunk_json", "data is not JSON"),
    ("text_stream", "mid_stream_error", edit_chunks(lambda c: c.insert(2, {"error": {"message": "boom"}})), "chunk_json",
     "error mid-stream"),
    ("include_usage_stream", "usage_key_missing", edit_chunks(lambda c: c[1].pop("usage")), "usage",
     "chunk 1: $.usage: expected null"),
    ("include_usage_stream", "usage_chunk_missing", edit_chunks(lambda c: c.pop()), "usage", "expected usage on the last chunk"),
    ("include_usage_stream", "usage_chunk_with_choices",
     edit_chunks(lambda c: c[-1].update(choices=[{"index": 0, "delta": {}, "finish_reason": None}])), "usage",
     "expected [] on the usage chunk"),
    ("include_usage_stream", "usage_not_last", edit_chunks(lambda c: c.insert(len(c) - 2, c.pop())), "usage",
     "expected usage on the last chunk only"),
    ("include_usage_stream", "usage_total_wrong", edit_chunks(lambda c: c[-1]["usage"].update(total_tokens=99)), "usage",
     "total_tokens"),
    ("n3_stream", "two_choices_in_a_chunk",
     edit_chunks(lambda c: c[3]["choices"].append({**c[4]["choices"][0]})), "choice_indices", "expected one choice per chunk"),
    ("n3_stream", "choice_missing", edit_chunks(lambda c: c[:] and [c.remove(x) for x in list(c) if x["choices"] and x["choices"][0]["index"] == 2]),
     "choice_indices", "expected [0, 1, 2]"),
    ("tool_call_stream", "name_repeated",
     edit_chunks(lambda c: c[2]["choices"][0]["delta"]["tool_calls"][0]["function"].update(name="get_weather")), "tool_calls",
     "function.name: expected only index and arguments after the first delta, got function.name repeated"),
    ("tool_call_stream", "id_repeated", edit_chunks(lambda c: c[2]["choices"][0]["delta"]["tool_calls"][0].update(id="call_x")),
     "tool_calls", "got id repeated"),
    ("tool_call_stream", "first_arguments_not_empty",
     edit_chunks(lambda c: c[0]["choices"][0]["delta"]["tool_calls"][0]["function"].update(arguments="{")), "tool_calls",
     "expected \"\" on the call's first delta"),
    ("tool_call_stream", "function_missing", edit_chunks(lambda c: c[2]["choices"][0]["delta"]["tool_calls"][0].pop("function")),
     "tool_calls", "expected an object on every tool-call delta"),
    ("tool_call_stream", "arguments_not_json",
     edit_chunks(lambda c: c[3]["choices"][0]["delta"]["tool_calls"][0]["function"].update(arguments="}}")), "tool_arguments",
     "expected JSON once concatenated"),
    ("parallel_tool_calls_stream", "index_skips",
     edit_chunks(lambda c: [t.update(index=2) for x in c[6:] for t in x["choices"][0]["delta"].get("tool_calls", [])]),
     "tool_calls", "expected 1 (indices contiguous from 0), got 2"),
    ("parallel_tool_calls_stream", "calls_interleaved", edit_chunks(lambda c: c.insert(8, c.pop(3))), "tool_calls",
     "call 0 was finished"),
    ("logprobs_stream", "logprobs_missing", edit_chunks(lambda c: c[1]["choices"][0].update(logprobs=None)), "logprobs",
     "expected token logprobs"),
    ("logprobs_stream", "tokens_do_not_spell_content",
     edit_chunks(lambda c: c[1]["choices"][0]["logprobs"]["content"][0].update(token="Bar")), "logprobs",
     "expected them to spell the content"),
    ("models", "model_object_wrong", set_in("response", "body", "data", 1, "object", value="engine"), "body_schema",
     "$.data[1].object"),
    ("text", "not_a_transcript", delete_in("request"), "format", "'request' is a required property"),
]


@pytest.mark.parametrize(("golden", "alteration", "edit", "rule", "words"), ALTERATIONS, ids=[a[1] for a in ALTERATIONS])
def test_altered_copy_fails_naming_the_alteration(golden: str, alteration: str, edit: Callable[[dict[str, Any]], None],
                                                  rule: str, words: str, tmp_path: Path) -> None:
    doc = json.loads((GOLDEN / f"{golden}.json").read_text())
    edit(doc)
    path = tmp_path / f"{golden}.json"
    path.write_text(json.dumps(doc))
    results = {r.name: r for r in check_file(path, OPENAI)}
    failed = {name.split(":", 1)[1]: r.detail for name, r in results.items() if r.outcome == "fail"}
    assert rule in failed, f"expected rule {rule} to fail; failed: {failed}"
    assert words in failed[rule]


def test_cli_fails_an_altered_copy(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc = json.loads((GOLDEN / "text_stream.json").read_text())
    doc["response"]["sse"] = doc["response"]["sse"].replace("data: [DONE]\n\n", "")
    (tmp_path / "broken.json").write_text(json.dumps(doc))
    assert main(["--transcript", str(tmp_path / "broken.json")]) == 1
    assert "transcript/broken:done" in capsys.readouterr().out


def test_compatible_profile_tolerates_framing_variants(tmp_path: Path) -> None:
    doc = json.loads((GOLDEN / "text_stream.json").read_text())
    doc["response"]["sse"] = ": keep-alive\n\n" + doc["response"]["sse"].replace("\n", "\r\n").replace('":"', '": "')
    path = tmp_path / "variant.json"
    path.write_text(json.dumps(doc))
    assert [r.detail for r in check_file(path, COMPATIBLE) if r.outcome == "fail"] == []
    assert any(r.outcome == "fail" for r in check_file(path, OPENAI))
