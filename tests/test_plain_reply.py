"""The built-in model's plain answer (`builtin._plain_reply`, one text choice built in one pass) and the
text-completion frame (`json_body.text_completion_tail`) are shortcuts: each must give exactly what
the general path gives (`_distinct_choices`, `completion_dict` + a JSON encoder) for every request it
takes. Clients see the result through `tests/test_wire_bytes.py`; here the two paths meet directly,
over texts and options that reach each branch (quotes, blanks, long and non-ASCII text, token budgets,
reasoning models, approximate tokenizers)."""
from __future__ import annotations

import json

import pytest

from emulator.contract.models import ModelCatalogue
from emulator.contract.validate import validate_chat_request
from emulator.json_text import dumps
from emulator.model import builtin
from emulator.reply import Reply, Usage
from emulator.wire.json_body import HEAD_CREATED, HEAD_ID, completion_dict, text_completion_tail
from emulator.wire.stamped import json_body

CATALOGUE = ModelCatalogue.builtin()
TEXTS = ["Hello! How are you today? 1234", "", "   ", "Grüße, 東京 😀 \"quoted\" \\ tab\there\nnew", "a" * 400,
         "word " * 60, "What?!", "100% sure", "ends in space ", "é"]
OPTIONS = [{}, {"seed": 7}, {"max_completion_tokens": 5}, {"max_completion_tokens": 1}, {"service_tier": "flex"},
           {"response_format": {"type": "text"}}, {"n": 1, "user": "u-1"}, {"metadata": {"k": "v"}, "store": True}]
MODELS = ["gpt-4o-mini", "gpt-4", "o3-mini", "claude-3-haiku"]


def request_for(text: str, model: str, options: dict) -> object:
    body = {"model": model, "messages": [{"role": "system", "content": "Be brief."},
                                         {"role": "user", "content": text}], **options}
    return validate_chat_request(body, CATALOGUE)


def general_reply(request) -> Reply:
    """What `respond` builds when it does not take the plain path."""
    seed = builtin.request_seed(request)
    reasoning = builtin.REASONING_TOKENS[request.body.get("reasoning_effort") or "medium"] \
        if request.model.is_reasoning else 0
    choices = builtin._distinct_choices(request, seed, reasoning)
    completion = reasoning + builtin.choice_tokens(choices[0], request.model.tokenizer)
    return Reply(choices, Usage(request.prompt_tokens, completion, reasoning_tokens=reasoning), request.model.snapshot,
                 request.service_tier, builtin._fingerprint(request.model.snapshot), request.body.get("metadata"),
                 tokenizer=request.model.tokenizer)


@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize("options", OPTIONS, ids=json.dumps)
def test_the_plain_answer_is_the_general_one(model, options):
    for text in TEXTS:
        request = request_for(text, model, options)
        assert builtin._answers_plainly(request)
        plain, general = builtin.respond(request), general_reply(request)
        assert plain == general, text
        assert plain.choices[0].tokens == general.choices[0].tokens


@pytest.mark.parametrize("options", [{"stop": ["you"]}, {"n": 2}, {"logprobs": True},
                                     {"response_format": {"type": "json_object"}}])
def test_options_that_shape_the_answer_take_the_general_path(options):
    messages = [{"role": "user", "content": "Answer in JSON, how are you?"}]
    request = validate_chat_request({"model": "gpt-4o-mini", "messages": messages, **options}, CATALOGUE)
    assert not builtin._answers_plainly(request)


@pytest.mark.parametrize("model", MODELS)
def test_a_text_completion_from_its_frame_is_the_general_json(model):
    for text in TEXTS:
        for options in OPTIONS:
            reply = builtin.respond(request_for(text, model, options))
            expected = dumps(completion_dict(reply, "chatcmpl-abc", 1700000000)).encode("utf-8")
            tail = text_completion_tail(reply)
            if options.get("metadata"):
                assert tail is None  # metadata goes the general way
            else:
                assert HEAD_ID + b"chatcmpl-abc" + HEAD_CREATED + b"1700000000" + tail == expected
            assert json_body(reply, "chatcmpl-abc", 1700000000) == expected
