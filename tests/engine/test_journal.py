"""Journal hooks: told before every request leaves and after every step; a run resumes from a checkpoint."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator, Mapping
from typing import Any

import pytest

from orderspec.engine import FlowFailed, InstantClock, PendingStep, StepResult, run_flow
from orderspec.errors import OrderspecError
from orderspec.sandbox._server import serve_in_thread

from ._app import State, create_app
from .conftest import context


class Interrupted(OrderspecError):
    exit_code = 3


class Recorder:
    """A journal that keeps what it is told and can stop the run at a chosen call."""

    def __init__(self, *, stop_after: int | None = None, stop_before: int | None = None) -> None:
        self.sent: list[PendingStep] = []
        self.ended: list[tuple[StepResult, dict[str, Any]]] = []
        self.stop_after = stop_after
        self.stop_before = stop_before

    def before_send(self, pending: PendingStep) -> None:
        if self.stop_before is not None and len(self.sent) == self.stop_before:
            raise Interrupted(f"stopped before sending {pending.path}")
        self.sent.append(pending)

    def after_step(self, result: StepResult, vars: Mapping[str, Any]) -> None:
        self.ended.append((result, dict(vars)))
        if self.stop_after is not None and len(self.ended) == self.stop_after + 1:
            raise Interrupted(f"stopped after {result.path}")

    def checkpoint(self) -> tuple[set[str], dict[str, Any]]:
        """What a state store keeps: the completed step paths and the variables, as JSON."""
        done = {result.path for result, _ in self.ended}
        variables = self.ended[-1][1] if self.ended else {}
        return done, json.loads(json.dumps(variables))


def test_before_send_sees_every_attempt_with_effect_method_and_masked_url(server, flow_of) -> None:
    key = uuid.uuid4().hex
    flow = flow_of(
        f"steps:\n  - name: look\n    request: {{method: GET, url: '/flaky?key={key}&fail=1', params: {{token: '{{{{ secrets.token }}}}'}}}}\n"
        "    retry: {attempts: 2, backoff: 0}\n"
        "    capture: {hits: response.body.hits}\n"
        "  - name: basket\n    effect: create\n    request: {method: POST, url: /baskets}\n"
    )
    journal = Recorder()
    run_flow(flow, context(server), journal=journal, clock=InstantClock())
    assert [(p.path, p.effect, p.method, p.attempt) for p in journal.sent] == [
        ("look", "read", "GET", 1),
        ("look", "read", "GET", 2),
        ("basket", "create", "POST", 1),
    ]
    assert "token=***" in journal.sent[0].url and "s3cr3t-token" not in journal.sent[0].url
    assert journal.sent[2].url == f"{server.base_url}/baskets"
    assert journal.sent[2].vars["hits"] == 2
    with pytest.raises(TypeError):
        journal.sent[2].vars["hits"] = 3  # type: ignore[index]


def test_before_send_that_raises_stops_the_request_from_leaving(server, flow_of) -> None:
    server.state.reset()
    flow = flow_of("steps:\n  - name: look\n    request: {method: GET, url: /catalogue}\n  - name: basket\n    effect: create\n    request: {method: POST, url: /baskets}\n")
    with pytest.raises(FlowFailed) as info:
        run_flow(flow, context(server), journal=Recorder(stop_before=1))
    assert [entry["path"] for entry in server.state.requests] == ["/catalogue"]
    error = info.value
    assert isinstance(error.cause, Interrupted) and error.exit_code == 3
    assert error.message == "stopped before sending basket" and error.step == "basket"
    last = error.result.steps[-1]
    assert (last.path, last.outcome, last.method) == ("basket", "failed", "")  # failed, and nothing was sent


def test_after_step_gets_ok_and_skipped_steps_with_the_variables_then(server, flow_of) -> None:
    flow = flow_of(
        "steps:\n  - name: basket\n    request: {method: POST, url: /baskets}\n    capture: {basket_id: response.body.id}\n"
        "  - name: never\n    when: 'false'\n    request: {method: GET, url: /x}\n"
        "  - name: compute\n    set: {double: vars.basket_id * 2}\n"
    )
    journal = Recorder()
    result = run_flow(flow, context(server, vars={"given": 1}), journal=journal)
    assert [(r.path, r.outcome) for r, _ in journal.ended] == [("basket", "ok"), ("never", "skipped"), ("compute", "ok")]
    basket = result.vars["basket_id"]
    assert [sorted(v) for _, v in journal.ended] == [["basket_id", "given"], ["basket_id", "given"], ["basket_id", "double", "given"]]
    assert journal.ended[2][1]["double"] == basket * 2


def test_the_gate_decides_before_the_journal_records_the_intent(server, flow_of) -> None:
    calls: list[str] = []

    class Journal:
        def before_send(self, pending: PendingStep) -> None:
            calls.append(f"intent {pending.path}")

        def after_step(self, result: StepResult, vars: Mapping[str, Any]) -> None:
            calls.append(f"checkpoint {result.path}")

    flow = flow_of(
        "steps:\n  - name: place\n    effect: place\n    request: {method: POST, url: /orders, json: {basketId: '{{ vars.key }}'}}\n"
        "    capture: {order_number: response.body.id}\n"
        "outputs:\n  order_number: vars.order_number\ncontract:\n  order_number: order_number\n"
    )
    run_flow(flow, context(server, vars={"key": uuid.uuid4().hex}), journal=Journal(), gate=lambda pending: calls.append(f"gate {pending.path}"))
    assert calls == ["gate place", "intent place", "checkpoint place"]


# -- resuming from a checkpoint -----------------------------------------------------------------------

RESUMABLE = """vars:
  prefix: /baskets
steps:
  - name: catalogue
    request: {method: GET, url: /catalogue}
    capture: {material: "(response.body.materials | pick(order.material)).id"}
  - name: basket
    effect: create
    request: {method: POST, url: "{{ vars.prefix }}"}
    capture: {basket_id: response.body.id}
  - name: lines
    for_each: order.items
    steps:
      - name: line
        effect: create
        request: {method: POST, url: "/baskets/{{ vars.basket_id }}/lines"}
        capture: {line_id: response.body.id, "line_ids[]": response.body.id}
      - name: wait
        request: {method: GET, url: "/lines/{{ vars.line_id }}/status?ready_after=1"}
        poll: {until: "response.body.status == 'finished'", every: 1, timeout: 10}
      - name: note
        set: {"notes[]": 'item.sku ~ "@" ~ vars.line_id'}
  - name: express
    when: order.express
    request: {method: POST, url: /echo, json: {express: true}}
  - name: place
    effect: place
    request:
      method: POST
      url: /orders
      json: {basketId: "{{ vars.basket_id }}", material: "{{ vars.material }}", lines: "{{ vars.line_ids }}", notes: "{{ vars.notes }}"}
    capture: {order_number: response.body.id}
outputs:
  order_number: vars.order_number
  lines: vars.line_ids
  notes: vars.notes
contract:
  order_number: order_number
"""
ORDER = {"material": "PA12 Black", "express": False, "items": [{"sku": "a"}, {"sku": "b"}]}
STEPS = ["catalogue", "basket", "lines[0]/line", "lines[0]/wait", "lines[0]/note", "lines[1]/line", "lines[1]/wait", "lines[1]/note", "express", "place"]
FIRST_SENDS = [0, 1, 2, 3, 5, 6, 8]  # before_send calls that are a step's first request (a poll sends twice)


class Fresh:
    def __init__(self, base_url: str, state: State) -> None:
        self.base_url = base_url
        self.state = state


@pytest.fixture(scope="module")
def fresh() -> Iterator[Fresh]:
    """A server of our own whose ids start from 1 again after ``state.reset()``."""
    app, state = create_app()
    running = serve_in_thread(app)
    try:
        yield Fresh(running.base_url, state)
    finally:
        running.stop()


def _uninterrupted(fresh: Fresh, flow: Any) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    fresh.state.reset()
    result = run_flow(flow, context(fresh, order=ORDER), clock=InstantClock())
    return result.outputs, list(fresh.state.requests)


def _resumed(fresh: Fresh, flow: Any, journal: Recorder) -> tuple[dict[str, Any], list[dict[str, Any]], FlowFailed]:
    fresh.state.reset()
    with pytest.raises(FlowFailed) as info:
        run_flow(flow, context(fresh, order=ORDER), clock=InstantClock(), journal=journal)
    done, variables = journal.checkpoint()
    result = run_flow(flow, context(fresh, order=ORDER, vars=variables), clock=InstantClock(), done=done)
    assert [s.outcome for s in result.steps if s.path in done] == ["skipped"] * len(done)
    return result.outputs, list(fresh.state.requests), info.value


@pytest.mark.parametrize("k", range(len(STEPS)))
def test_a_run_stopped_after_any_step_resumes_to_the_same_end(fresh, flow_of, k: int) -> None:
    flow = flow_of(RESUMABLE)
    outputs, requests = _uninterrupted(fresh, flow)
    assert outputs["order_number"] == 1000 and len(requests) == 9
    resumed_outputs, resumed_requests, error = _resumed(fresh, flow, Recorder(stop_after=k))
    assert error.step == STEPS[k]
    assert resumed_outputs == outputs
    assert resumed_requests == requests  # nothing sent twice, nothing left out
    assert len(fresh.state.orders) == 1


@pytest.mark.parametrize("n", FIRST_SENDS)
def test_a_run_stopped_before_a_request_leaves_resumes_to_the_same_end(fresh, flow_of, n: int) -> None:
    flow = flow_of(RESUMABLE)
    outputs, requests = _uninterrupted(fresh, flow)
    resumed_outputs, resumed_requests, error = _resumed(fresh, flow, Recorder(stop_before=n))
    assert resumed_outputs == outputs and resumed_requests == requests
    assert error.result is not None and error.result.steps[-1].method == ""
