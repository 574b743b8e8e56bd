"""Errors are built with their context; a failed run raises a new instance that holds the partial result."""

from __future__ import annotations

import pytest

from orderspec.engine import FlowError, FlowFailed, RequestFailed, run_flow
from orderspec.errors import Location, OrderspecError

from .conftest import context


def test_with_result_is_a_new_error_of_the_same_class_with_everything_it_held() -> None:
    original = RequestFailed("step 'a' failed", status=503, step="a", location=Location("f.yaml", 3, 5), hint="try later")
    partial = object()
    copy = original.with_result(partial)  # type: ignore[arg-type]
    assert type(copy) is RequestFailed and copy is not original
    assert (copy.message, copy.status, copy.step, copy.location, copy.hint, copy.result) == (
        "step 'a' failed", 503, "a", Location("f.yaml", 3, 5), "try later", partial,
    )  # fmt: skip
    assert original.result is None and str(copy) == str(original)


def test_a_callers_own_error_class_survives_with_its_fields() -> None:
    class OverBudget(FlowError):
        def __init__(self, total: float) -> None:
            super().__init__(f"quote {total} is over budget")
            self.total = total

    error = OverBudget(12.5).at_step("place")
    assert isinstance(error, OverBudget) and (error.total, error.step, error.message) == (12.5, "place", "quote 12.5 is over budget")


def test_a_failed_run_raises_the_same_class_with_result_and_step(server, flow_of) -> None:
    flow = flow_of("steps:\n  - name: ok\n    request: {method: GET, url: /catalogue}\n  - name: broken\n    request: {method: GET, url: '/text?status=500'}\n")
    with pytest.raises(RequestFailed) as info:
        run_flow(flow, context(server))
    error = info.value
    assert error.status == 500 and error.step == "broken" and error.location.line == 8
    assert [(s.path, s.outcome) for s in error.result.steps] == [("ok", "ok"), ("broken", "failed")]
    assert error.result.error == str(error)


def test_an_error_of_a_hook_comes_back_as_flow_failed_holding_it(server, flow_of) -> None:
    class Refused(OrderspecError):
        exit_code = 4

    def gate(pending) -> None:
        raise Refused("the budget is 10 EUR", hint="raise spec.budget")

    flow = flow_of(
        "steps:\n  - name: place\n    effect: place\n    request: {method: POST, url: /orders, json: {basketId: x}}\n"
        "outputs:\n  n: vars.n\ncontract:\n  order_number: n\n"
    )
    with pytest.raises(FlowFailed) as info:
        run_flow(flow, context(server), gate=gate)
    error = info.value
    assert isinstance(error.cause, Refused) and error.exit_code == 4
    assert (error.message, error.hint, error.step) == ("the budget is 10 EUR", "raise spec.budget", "place")
    assert error.result.steps[-1].outcome == "failed" and error.result.steps[-1].method == ""


def test_a_flow_error_of_a_hook_keeps_its_class_and_gets_the_step(server, flow_of) -> None:
    def gate(pending) -> None:
        raise FlowError("stopped by the caller")

    flow = flow_of(
        "steps:\n  - name: place\n    effect: place\n    request: {method: POST, url: /orders}\n"
        "outputs:\n  n: vars.n\ncontract:\n  order_number: n\n"
    )
    with pytest.raises(FlowError) as info:
        run_flow(flow, context(server), gate=gate)
    assert type(info.value) is FlowError and info.value.step == "place" and info.value.result is not None
