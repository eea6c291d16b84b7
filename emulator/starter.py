"""`chat-emulator init`: copy the example scenarios and a starter test into a project."""
from __future__ import annotations

import shutil
from importlib import resources
from pathlib import Path

STARTER_TEST = "test_with_chat_emulator.py"


def init_project(target: Path) -> list[Path]:
    """Write `scenarios/` and `tests/test_with_chat_emulator.py` under `target`; never overwrite a file.
    Returns what was written; raises FileExistsError naming what is already there."""
    examples = resources.files("emulator.examples")
    sources = sorted((entry for entry in examples.joinpath("scenarios").iterdir() if entry.name.endswith(".yaml")),
                     key=lambda entry: entry.name)
    plan = [(source, target / "scenarios" / source.name) for source in sources]
    plan.append((examples.joinpath(STARTER_TEST), target / "tests" / STARTER_TEST))
    existing = [dest for _, dest in plan if dest.exists()]
    if existing:
        raise FileExistsError(", ".join(str(path) for path in existing))
    for source, dest in plan:
        dest.parent.mkdir(parents=True, exist_ok=True)
        with resources.as_file(source) as path:
            shutil.copyfile(path, dest)
    return [dest for _, dest in plan]
