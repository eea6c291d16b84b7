"""Values for `type: number` and `integer`: a number the user mentioned (each used once), the
schema's `examples`/`default`, a plausible number for the property's name, then numbers inside
the bounds."""

from __future__ import annotations

from typing import AbstractSet, Any

from emulator.model.schema_values.merge import canonical
from emulator.model.schema_values.number_candidates import numbers_within
from emulator.model.schema_values.plausible import plausible_number
from emulator.model.schema_values.walk_state import Candidates, Unsatisfiable, WalkState


class NumberValues(WalkState):
    def number_value(self, schema: dict[str, Any], path: str, name: str, integer: bool,
                     exclude: AbstractSet[str]) -> Any:
        for candidate, mention in self._number_candidates(schema, name, integer):
            if candidate is None or isinstance(candidate, bool) or not isinstance(candidate, (int, float)):
                continue
            if integer and not float(candidate).is_integer():
                continue
            value = int(candidate) if float(candidate).is_integer() and abs(candidate) < 2**53 else candidate
            if canonical(value) not in exclude and self.fits(schema, value):
                if mention is not None:
                    self.used.add(mention)
                return value
        raise Unsatisfiable(path, "no number satisfies the constraints")

    def _number_candidates(self, schema: dict[str, Any], name: str, integer: bool) -> Candidates:
        if self.mentions is not None:
            for index, number in enumerate(self.mentions.numbers):
                if ("number", index) not in self.used:
                    yield number, ("number", index)
        for sample in (*schema.get("examples", ()), schema.get("default")):
            yield sample, None
        if self.mentions is not None:
            yield plausible_number(name, self.rng), None
        for value in numbers_within(schema, integer, self.rng):
            yield value, None
