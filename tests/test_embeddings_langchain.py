"""LangChain's `OpenAIEmbeddings` against the emulator, feeding an in-memory vector store: the retrieval
step of a RAG pipeline, run offline (`check_embedding_ctx_length=False`: no tiktoken download)."""
from __future__ import annotations

import pytest

langchain_openai = pytest.importorskip("langchain_openai")
vectorstores = pytest.importorskip("langchain_core.vectorstores")
documents = pytest.importorskip("langchain_core.documents")

FACTS = {
    "paris": "Paris is the capital of France; the Eiffel Tower stands on the Champ de Mars.",
    "berlin": "Berlin is the capital of Germany, and the Brandenburg Gate is its landmark.",
    "cells": "Mitochondria are the powerhouse of the cell, making its energy.",
    "python": "Python is a programming language known for readable code.",
}


def embeddings(emu, **options):
    return langchain_openai.OpenAIEmbeddings(model=options.pop("model", "text-embedding-3-small"),
                                             base_url=emu.base_url, api_key="sk-langchain",
                                             check_embedding_ctx_length=False, max_retries=0, **options)


def store_of(embedder):
    store = vectorstores.InMemoryVectorStore(embedder)
    store.add_documents([documents.Document(page_content=text, metadata={"topic": topic})
                         for topic, text in FACTS.items()])
    return store


@pytest.mark.parametrize(("question", "topic"), [
    ("What is the capital of France?", "paris"), ("Where is the Brandenburg Gate?", "berlin"),
    ("What gives a cell its energy?", "cells"), ("Which programming language is readable?", "python"),
])
def test_the_vector_store_retrieves_the_right_document(emu, question, topic):
    found = store_of(embeddings(emu)).similarity_search(question, k=1)
    assert found[0].metadata["topic"] == topic
    batch = emu.requests_to("/v1/embeddings")[0]
    assert batch.body["input"] == list(FACTS.values()) and batch.status == 200  # one request for the documents


def test_shortened_vectors_and_ada_002_through_langchain(emu):
    short = embeddings(emu, model="text-embedding-3-large", dimensions=256)
    assert len(short.embed_query("hello")) == 256
    assert emu.requests[-1].body["dimensions"] == 256
    found = store_of(embeddings(emu, model="text-embedding-ada-002")).similarity_search("capital of Germany", k=1)
    assert found[0].metadata["topic"] == "berlin"


async def test_async_embedding_gives_the_same_vectors(emu):
    embedder = embeddings(emu)
    assert await embedder.aembed_documents(["Paris", "Berlin"]) == embedder.embed_documents(["Paris", "Berlin"])


def test_a_pinned_scenario_vector_steers_retrieval(emu):
    # A test that needs the "wrong" document retrieved pins the question's vector next to it.
    emu.add_scenario({"name": "misleading", "match": {"api": "embeddings", "input": "France"},
                      "reply": {"seed": FACTS["python"]}})
    found = store_of(embeddings(emu)).similarity_search("What is the capital of France?", k=1)
    assert found[0].metadata["topic"] == "python"
