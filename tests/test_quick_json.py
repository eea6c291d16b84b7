"""`json_text.quick_json_bytes` writes exactly what `json_bytes` writes (it takes orjson's text only where
that is the same): floats over every magnitude, strings that look like numbers, and what orjson refuses."""
from __future__ import annotations

import math
import random
import struct

from emulator.json_text import json_bytes, quick_json_bytes


def test_floats_of_every_magnitude_are_written_as_json_writes_them():
    draw = random.Random(18)
    values = [0.0, -0.0, 1.0, 0.5, 1e-4, 9.999e-5, 1e-05, -1e-07, 1e-9, 1e-10, 1e15, 1e16, 1e22, 5e-324, 1.5e300]
    values += [m * 10.0 ** e for e in range(-30, 30) for m in (1, -1.5, 2.25, 9.999, 3.14159)]
    while len(values) < 50_000:  # random bit patterns: every exponent equally likely
        value = struct.unpack("<d", draw.getrandbits(64).to_bytes(8, "little"))[0]
        if math.isfinite(value):
            values.append(value)
    for value in values:
        assert quick_json_bytes({"x": [value]}) == json_bytes({"x": [value]}), value


def test_text_and_what_orjson_refuses_are_written_as_json_writes_them():
    payloads = [{"text": "e-mail 0.00001 \u2028 \x00 \x7f \"quoted\" \\ é 😀", "n": [1, -2, True, None]},
                {"lone": "\ud800"}, {"big": 2 ** 70}, {"nested": [{"a": {}}, [], ""]}, "e-", 12]
    for payload in payloads:
        assert quick_json_bytes(payload) == json_bytes(payload)
