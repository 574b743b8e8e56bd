"""A flow's ``discard`` request: how a caller deletes a draft the flow left."""

from __future__ import annotations

import pytest

from orderspec.engine import FlowSourceError, discard_flow, draft_of, load_flow, run_flow

from .conftest import HEAD, context

FLOW = """headers:
  X-Flow: "yes"
plan_note: materials are checked per line
steps:
  - name: make
    effect: create
    request: {method: POST, url: /baskets}
    capture: {basket_id: response.body.id}
discard:
  what: basket
  id: vars.basket_id
  request: {method: DELETE, url: "/echo?basket={{ vars.basket_id }}"}
"""


def test_discard_deletes_the_draft_a_run_left(server, flow_of) -> None:
    flow = flow_of(FLOW)
    assert (flow.discard.what, flow.plan_note) == ("basket", "materials are checked per line")
    made = run_flow(flow, context(server))
    leftover = context(server, vars=made.vars)
    assert draft_of(flow, leftover) == made.vars["basket_id"]
    deleted = run_flow(discard_flow(flow), leftover)
    [step] = deleted.steps
    assert (step.path, step.method, step.status) == ("discard", "DELETE", 200)
    assert step.url.endswith(f"/echo?basket={made.vars['basket_id']}")


def test_no_draft_while_the_id_is_undefined_or_null(server, flow_of) -> None:
    flow = flow_of(FLOW)
    assert draft_of(flow, context(server)) is None
    assert draft_of(flow, context(server, vars={"basket_id": None})) is None
    assert draft_of(flow_of("steps:\n  - name: a\n    set: {a: '1'}\n"), context(server, vars={"basket_id": 3})) is None


def test_discard_needs_an_id_and_a_request(write_flow) -> None:
    with pytest.raises(FlowSourceError) as info:
        load_flow(write_flow(HEAD + "steps:\n  - name: a\n    set: {a: '1'}\ndiscard:\n  request: {method: DELETE, url: /a}\n"))
    assert "discard: 'id' is required" in info.value.message
