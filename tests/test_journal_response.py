"""The journal keeps a JSON answer as its bytes and parses it when read (journal.set_response_json):
what a reader gets must be what the client got."""
from __future__ import annotations

import pickle

import httpx


def test_the_journaled_response_is_the_body_the_client_received(emu, http):
    sent = http.post("/chat/completions", json={"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]})
    entry = emu.last_request
    assert entry.response == sent.json()
    assert entry.usage == sent.json()["usage"]
    assert pickle.loads(pickle.dumps(entry)).response == sent.json()  # as --workers share entries


def test_the_admin_journal_serves_the_parsed_response(emu, http):
    sent = http.post("/chat/completions", json={"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "yo"}]})
    entry = httpx.get(f"{emu.url}/_emulator/requests/{emu.last_request.id}").json()
    assert entry["response"] == sent.json()
