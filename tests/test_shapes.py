"""The fast validity check and the worded check always agree."""
from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from emulator.contract.errors import ApiError
from emulator.contract.request_shape import CHAT_REQUEST
from emulator.conformance.strategies import invalid_requests, valid_requests

JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5),
                    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
                    max_leaves=10)


def worded_check_passes(body) -> bool:
    try:
        CHAT_REQUEST.check_value(body, "")
    except ApiError:
        return False
    return True


@settings(max_examples=300, deadline=None, database=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(st.one_of(valid_requests("gpt-4o"), invalid_requests("gpt-4o").map(lambda t: t[0]),
                 st.fixed_dictionaries({"model": JSON, "messages": st.lists(
                     st.fixed_dictionaries({"role": st.sampled_from(["user", "tool", "assistant", 3]),
                                            "content": JSON}), max_size=2)})))
def test_fast_and_worded_checks_agree(body):
    assert CHAT_REQUEST.value_ok(body) == worded_check_passes(body)
