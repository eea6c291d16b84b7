"""Ids stay unique across a fork: a process manager that forks workers after importing the package
(gunicorn's preload, multiprocessing's fork start method) must not hand out its parent's ids."""
from __future__ import annotations

import os

from emulator import ids


def test_a_forked_child_draws_other_ids_than_its_parent():
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: its next ids, to the parent
        os.write(write, " ".join([ids.completion_id(), ids.request_id(), ids.random_hex(16)]).encode())
        os._exit(0)
    os.close(write)
    os.waitpid(pid, 0)
    child = os.read(read, 4096).decode().split()
    os.close(read)
    parent = [ids.completion_id(), ids.request_id(), ids.random_hex(16)]
    assert len(child) == 3 and all(c != p for c, p in zip(child, parent, strict=True))
