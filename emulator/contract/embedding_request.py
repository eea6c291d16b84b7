"""`CreateEmbeddingRequest` as the live API checks it, and `EmbeddingRequest`, the validated request.

The order of checks (one error per answer): the body's shape (unknown keys, `model` and `input`
present, each field's type; any `input` it cannot take is the one `'$.input' is invalid` sentence),
then the model (404 unknown, 403 not an embeddings model), `dimensions` for that model, token ids
in the model's vocabulary, each input's tokens against the model's limit, and the request's total.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from mypy_extensions import mypyc_attr

from .. import tokens
from . import errors
from .models import Catalogue, ModelInfo
from .shapes import Integer, Object, Shape, String

MAX_INPUTS = 2048
ANY_MODEL_DIMENSIONS = 1536  # an id taken under --accept-any-model embeds as text-embedding-3-small would
# Tokens summed over a request's inputs (the openai-python SDK's docstring for `input`).
MAX_TOKENS_PER_REQUEST = 300_000

Input = str | list[int]  # one text, or one text as token ids


def _is_token_array(value: Any) -> bool:
    return type(value) is list and len(value) > 0 and all(type(t) is int and t >= 0 for t in value)


class InputShape(Shape):
    """A string, an array of strings, an array of token ids, or an array of token arrays: none empty,
    at most 2048 items. The live API words every refusal the same way, with no param."""

    expected = "a string or an array"

    def accepts_type(self, value: Any) -> bool:
        return type(value) in (str, list)

    def check(self, value: Any, path: str) -> None:
        if not self.is_valid(value):
            raise errors.invalid_embedding_input()

    def is_valid(self, value: Any) -> bool:
        if type(value) is str:
            return value != ""
        if type(value) is not list or not 0 < len(value) <= MAX_INPUTS:
            return False
        first = type(value[0])
        if first is str:
            return all(type(item) is str and item != "" for item in value)
        if first is int:
            return _is_token_array(value)
        return all(_is_token_array(item) for item in value)


EMBEDDING_FIELDS: dict[str, Shape] = {
    "input": InputShape(),
    "model": String(),
    "encoding_format": String(enum=("float", "base64")),
    "dimensions": Integer(1, nullable=True),
    "user": String(),
}

EMBEDDING_REQUEST = Object(EMBEDDING_FIELDS, required=("model", "input"), missing={"model": errors.missing_model})


def inputs_of(value: Any) -> list[Input]:
    """The request's inputs one by one (a lone string or token array is one input)."""
    if type(value) is str or type(value[0]) is int:
        return [value]
    return list(value)


@mypyc_attr(native_class=False)  # compiled, still a Python class: copied through its __dict__
@dataclass
class EmbeddingRequest:
    body: dict[str, Any]
    model: ModelInfo
    inputs: list[Input]
    token_counts: list[int]
    headers: dict[str, str] = field(default_factory=dict)
    api_key: str = ""
    api: str = "embeddings"  # scenarios match it with `api: embeddings`

    def again(self, headers: dict[str, str], api_key: str) -> EmbeddingRequest:
        """The same validated body sent once more (by `api_key`, with `headers`). Built by `__init__`: an
        instance whose attributes live in its own `__dict__` (as a copied one's do) is slower to read."""
        return EmbeddingRequest(self.body, self.model, self.inputs, self.token_counts, headers, api_key, self.api)

    @property
    def dimensions(self) -> int:
        """The vector length asked for: `dimensions`, else the model's own."""
        return int(self.body.get("dimensions") or self.model.dimensions)

    @property
    def encoding_format(self) -> str:
        return self.body.get("encoding_format") or "float"

    @property
    def prompt_tokens(self) -> int:
        return sum(self.token_counts)

    def text(self, index: int) -> str:
        """Input `index` as text (a token array decoded in the model's encoding, when it has one)."""
        item = self.inputs[index]
        if isinstance(item, str):
            return item
        decoded = tokens.decode(item, self.model.tokenizer)
        return decoded if decoded is not None else " ".join(map(str, item))


@dataclass
class EmbeddingInput:
    """One input of a request, as scenarios see it: the request's facts plus this input's text."""

    request: EmbeddingRequest
    index: int
    api: str = "embeddings"

    @property
    def body(self) -> dict[str, Any]:
        return self.request.body

    @property
    def model(self) -> ModelInfo:
        return self.request.model

    @property
    def headers(self) -> dict[str, str]:
        return self.request.headers

    @property
    def api_key(self) -> str:
        return self.request.api_key

    @property
    def text(self) -> str:
        return self.request.text(self.index)

    @property
    def prompt_tokens(self) -> int:
        return self.request.token_counts[self.index]


def validate_embedding_request(body: dict[str, Any], catalogue: Catalogue, *, headers: dict[str, str] | None = None,
                               api_key: str = "") -> EmbeddingRequest:
    if not EMBEDDING_REQUEST.value_ok(body):
        EMBEDDING_REQUEST.check_value(body, "")  # words the first error in the live grammar
    model = catalogue.resolve(body["model"])
    if not model.dimensions and catalogue.get(body["model"]) is None:  # any id accepted (--accept-any-model)
        model = replace(model, dimensions=ANY_MODEL_DIMENSIONS, shortenable=True, chat=False)
    if not model.dimensions:
        raise errors.not_an_embeddings_model()
    _check_dimensions(body, model)
    inputs = inputs_of(body["input"])
    counts = [_count(item, model) for item in inputs]
    for count in counts:
        if count > model.context_window:
            raise errors.embedding_input_too_long(model.context_window, count)
    total = sum(counts)
    if total > MAX_TOKENS_PER_REQUEST:
        raise errors.too_many_tokens_per_request(total, MAX_TOKENS_PER_REQUEST)
    return EmbeddingRequest(body, model, inputs, counts, headers or {}, api_key)


def _check_dimensions(body: dict[str, Any], model: ModelInfo) -> None:
    if "dimensions" not in body:
        return
    if not model.shortenable:  # even `dimensions: null` (observed on text-embedding-ada-002)
        raise errors.dimensions_not_supported()
    value = body["dimensions"]
    if value is not None and value > model.dimensions:  # wording inferred from the other range errors
        raise errors.out_of_range("dimensions", "integer", True, model.dimensions, value)


def _count(item: Input, model: ModelInfo) -> int:
    if isinstance(item, str):
        return tokens.count_tokens(item, model.tokenizer)
    if max(item) > model.max_token_id:  # not a token of the model's encoding (inferred: the input error)
        raise errors.invalid_embedding_input()
    return len(item)
