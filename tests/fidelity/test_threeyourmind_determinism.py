"""The 3YOURMIND sandbox answers the same requests with the same bytes: ids and timestamps come from counters.

Recorded sessions of the examples must re-record byte-identically, so two fresh sandboxes
given the same flow run must answer alike, including the uploads' file ids, the created
objects' timestamps, the quotes and the orders.
"""

from __future__ import annotations

from typing import Any

import pytest
from _threeyourmind_fidelity import run_example


@pytest.mark.parametrize("system", ["3yourmind-service-panel", "3yourmind-user-panel"])
def test_two_fresh_sandboxes_answer_a_run_with_the_same_bytes(sandbox: Any, system: str) -> None:
    first: list[bytes] = []
    second: list[bytes] = []
    run_example(system, sandbox("3yourmind"), seen=first)
    run_example(system, sandbox("3yourmind"), seen=second)
    assert len(first) > 10
    assert first == second
    assert any(b'"createdAt":"2024-01-01T09:00:0' in answer for answer in first)  # the sandbox's own clock
