"""The strict SSE parser decodes like the SDK and reports every framing departure from the live API."""

from __future__ import annotations

from emulator.conformance.sse import has_whitespace_outside_strings, parse


def test_live_framing_has_no_problems() -> None:
    result = parse('data: {"a":1}\n\ndata: {"b":"x y"}\n\ndata: [DONE]\n\n', strict=True)
    assert result.events == ['{"a":1}', '{"b":"x y"}', "[DONE]"]
    assert result.problems == []


def test_comments_are_ignored_in_both_modes() -> None:
    for strict in (True, False):
        result = parse(': ping\n\ndata: {"a":1}\n\n', strict=strict)
        assert result.events == ['{"a":1}'] and result.problems == []


def test_lenient_mode_decodes_like_the_sdk() -> None:
    result = parse('event: x\r\ndata:{"a": 1}\r\ndata: 2\r\n\r\n\n', strict=False)
    assert result.events == ['{"a": 1}\n2']
    assert result.problems == []


def test_strict_mode_names_each_departure() -> None:
    problems = parse('event: x\r\ndata:{"a": 1}\r\ndata: 2\r\n\r\n', strict=True).problems
    assert any("CR or CRLF" in p for p in problems)
    assert any("unexpected field 'event'" in p for p in problems)
    assert any("one space after the colon" in p for p in problems)
    assert any("2 data lines" in p for p in problems)
    assert any("not compact" in p for p in problems)


def test_event_without_data_is_reported_in_both_modes() -> None:
    for strict in (True, False):
        result = parse('event: ping\n\ndata: {"a":1}\n\n', strict=strict)
        assert result.events == ['{"a":1}']
        assert any("an event without data" in p for p in result.problems)


def test_unterminated_last_event_is_dropped_and_reported() -> None:
    for strict in (True, False):
        result = parse('data: {"a":1}\n\ndata: [DONE]\n', strict=strict)
        assert result.events == ['{"a":1}']
        assert any("does not end with a blank line" in p for p in result.problems)


def test_compactness_ignores_spaces_inside_strings() -> None:
    assert not has_whitespace_outside_strings('{"a":"b c","d":"\\" e"}')
    assert has_whitespace_outside_strings('{"a": 1}')
    assert has_whitespace_outside_strings('{"a":"x\\"",\n"b":1}')
