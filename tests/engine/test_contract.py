"""The contract block: which outputs and variables ``plan`` and ``apply`` read, checked at load time."""

from __future__ import annotations

from dataclasses import FrozenInstanceError
from pathlib import Path

import pytest

from orderspec.engine import Contract, FlowSourceError, load_flow

from .conftest import HEAD

PLACE = """steps:
  - name: quote
    request: {method: GET, url: /quote}
    capture: {total: response.body.total}
  - name: place order
    effect: place
    request: {method: POST, url: /orders}
    capture: {number: response.body.number}
  - name: after
    set: {late: vars.number}
outputs:
  number: vars.number
  picked: '{"total": vars.total}'
"""


def _error(write_flow, body: str) -> FlowSourceError:
    with pytest.raises(FlowSourceError) as info:
        load_flow(write_flow(HEAD + body))
    return info.value


def test_a_declared_contract_is_a_frozen_value(write_flow) -> None:
    flow = load_flow(write_flow(HEAD + PLACE + "contract:\n  order_number: number\n  resolved: picked\n  quote_total: total\n"))
    assert flow.contract == Contract(order_number="number", quote_total="total", quote_currency=None, resolved="picked")
    with pytest.raises(FrozenInstanceError):
        flow.contract.order_number = "other"  # type: ignore[misc]


def test_a_flow_without_place_step_needs_no_contract(write_flow) -> None:
    flow = load_flow(write_flow(HEAD + "steps:\n  - name: a\n    effect: create\n    request: {method: POST, url: /a}\n"))
    assert flow.contract is None


def test_a_place_step_without_an_order_number_is_refused_at_the_step(write_flow) -> None:
    error = _error(write_flow, PLACE)
    assert error.message == "a flow that places an order must say which output holds the order number: add contract.order_number"
    assert (error.location.line, error.location.column) == (10, 13)  # the step's `effect: place`
    assert "outputs now: number, picked" in (error.hint or "")
    error = _error(write_flow, PLACE + "contract:\n  resolved: picked\n")
    assert "add contract.order_number" in error.message and error.location.line == 10


def test_a_place_step_inside_for_each_counts(write_flow) -> None:
    body = (
        "steps:\n  - name: each\n    for_each: order.items\n    steps:\n"
        "      - name: buy\n        effect: place\n        request: {method: POST, url: /orders}\n"
    )
    error = _error(write_flow, body)
    assert "add contract.order_number" in error.message and (error.location.line, error.location.column) == (10, 17)


def test_the_order_number_must_name_an_output(write_flow) -> None:
    error = _error(write_flow, PLACE + "contract:\n  order_number: numbr\n")
    assert error.message == "contract.order_number names no output 'numbr'; did you mean 'number'?"
    assert error.hint == "outputs: number, picked"
    assert (error.location.line, error.location.column) == (19, 17)


def test_resolved_must_name_an_output(write_flow) -> None:
    error = _error(write_flow, PLACE + "contract:\n  order_number: number\n  resolved: total\n")
    assert "contract.resolved names no output 'total'" in error.message and error.location.line == 20


def test_the_quote_must_be_set_before_the_place_step(write_flow) -> None:
    error = _error(write_flow, PLACE + "contract:\n  order_number: number\n  quote_total: late\n")
    assert error.message == "contract.quote_total names vars.late, which no step sets or captures before the place step 'place order'"
    assert "budget" in (error.hint or "") and error.location.line == 20
    error = _error(write_flow, PLACE + "contract:\n  order_number: number\n  quote_currency: currncy\n")
    assert "vars.currncy" in error.message


def test_a_quote_variable_may_come_from_the_flow_vars(write_flow) -> None:
    flow = load_flow(write_flow(HEAD + "vars:\n  currency: EUR\n" + PLACE + "contract:\n  order_number: number\n  quote_currency: currency\n"))
    assert flow.contract is not None and flow.contract.quote_currency == "currency"


def test_unknown_contract_keys_are_refused_by_the_schema(write_flow) -> None:
    error = _error(write_flow, PLACE + "contract:\n  order_number: number\n  total: total\n")
    assert error.message.startswith("unknown key 'total'") and "quote_total" in error.message


def test_every_built_in_flow_declares_its_contract() -> None:
    flows = sorted((Path(__file__).resolve().parents[2] / "runner" / "flows").glob("*.yaml"))
    assert flows
    for path in flows:
        flow = load_flow(path)
        assert flow.contract is not None, path.name
        outputs = {name for name, _ in flow.outputs}
        assert flow.contract.order_number in outputs and flow.contract.resolved in outputs, path.name
        assert (flow.contract.quote_total, flow.contract.quote_currency) == ("quote_total", "quote_currency"), path.name
