"""The fault catalogue (faults.py) is the one list of fault names: the scenario file schema offers
exactly its names and keys, and each shorthand builds its fault."""
from __future__ import annotations

import json
from importlib import resources

import pytest

from emulator import faults

SCHEMA = json.loads(resources.files("emulator.scenarios").joinpath("schema.json").read_text("utf-8"))


def test_the_schema_offers_the_catalogue_shorthands():
    assert set(SCHEMA["$defs"]["fault_name"]["enum"]) == set(faults.SHORTHANDS)


def test_the_schema_fault_object_has_the_catalogue_keys():
    keys = {*faults.COMMON_KEYS, *faults.CATALOGUE}
    for kind in faults.CATALOGUE.values():
        keys.update(kind.options)
    assert set(SCHEMA["$defs"]["fault"]["properties"]) == keys


@pytest.mark.parametrize("name", list(faults.SHORTHANDS))
def test_each_shorthand_builds_its_own_fault(name):
    spec = dict(faults.SHORTHANDS[name])
    if name == "error_event":
        spec["error_event"] = {"error": {"message": "boom", "type": "server_error", "param": None, "code": None}}
    fault = faults.build(spec)
    assert type(fault) is type(faults.CATALOGUE[name].build(spec, 0.0))
    assert not isinstance(fault, faults.Delay)
