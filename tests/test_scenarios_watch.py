"""`--watch`: an edited scenario file is reloaded; a broken edit keeps the last good set and logs why."""
from __future__ import annotations

import logging
import os

import openai

from emulator import Emulator
from conftest import API_KEY
from waiting import eventually

GOOD = "scenarios:\n  - name: greeting\n    reply: {{content: {answer}}}\n"


def edit(path, text: str) -> None:
    before = path.stat().st_mtime_ns
    path.write_text(text, encoding="utf-8")
    os.utime(path, ns=(before + 10**9, before + 10**9))  # a visibly newer mtime, even on coarse filesystems


def test_watch_reloads_edits_and_keeps_the_last_good_set(tmp_path, caplog):
    path = tmp_path / "greeting.yaml"
    path.write_text(GOOD.format(answer="first"), encoding="utf-8")
    with Emulator(scenario_paths=(tmp_path,), watch=True) as emu:
        client = openai.OpenAI(base_url=emu.base_url, api_key=API_KEY, max_retries=0)

        def answer() -> str:
            completion = client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "hi"}])
            return completion.choices[0].message.content

        assert answer() == "first"
        edit(path, GOOD.format(answer="second"))
        assert eventually(lambda: answer() == "second")

        caplog.set_level(logging.WARNING, logger="emulator.scenarios")
        edit(path, GOOD.format(answer="third") + "    mach: {}\n")
        assert eventually(lambda: "keeping the last good set" in caplog.text)
        assert f"{path}:4: unknown key 'mach'" in caplog.text
        assert answer() == "second"

        (tmp_path / "more.yaml").write_text(
            "scenarios:\n  - name: farewell\n    match: {last_user: bye}\n    reply: {content: ciao}\n")
        edit(path, GOOD.format(answer="fourth"))
        assert eventually(lambda: answer() == "fourth")
        assert sorted(emu.scenarios.names()) == ["farewell", "greeting"]
