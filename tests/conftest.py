"""Shared fixtures: one emulator server for the session, official clients pointed at it."""
from __future__ import annotations

import sys
from pathlib import Path

import httpx
import openai
import pytest

from emulator import Emulator

# The tests' helper modules (schema checks, the checker's reference server) import by name.
sys.path.insert(0, str(Path(__file__).parent))

API_KEY = "sk-test-key"


@pytest.fixture(scope="session")
def server():
    with Emulator() as emu:
        yield emu


@pytest.fixture
def emu(server):
    server.reset()
    return server


@pytest.fixture
def client(emu) -> openai.OpenAI:
    return openai.OpenAI(base_url=emu.base_url, api_key=API_KEY, max_retries=0)


@pytest.fixture
async def async_client(emu):
    async with openai.AsyncOpenAI(base_url=emu.base_url, api_key=API_KEY, max_retries=0) as client:
        yield client


@pytest.fixture
def http(emu):
    with httpx.Client(base_url=emu.base_url, headers={"Authorization": f"Bearer {API_KEY}"}) as c:
        yield c
