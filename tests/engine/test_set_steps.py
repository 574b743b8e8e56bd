"""Steps that compute variables without a request: ``set``."""

from __future__ import annotations

import pytest

from orderspec.engine import FlowSourceError, PickError, TemplateError, load_flow, run_flow
from orderspec.engine import _events as ev

from .conftest import HEAD, context

ORDER = {"items": [{"name": "a", "files": ["x.jpg", "y.png"]}, {"name": "b", "files": []}, {"name": "c", "files": ["z.JPEG"]}]}

NESTED = """steps:
  - name: items
    for_each: order.items
    steps:
      - name: project
        set:
          project: '"item" ~ loop.index'
          refs: "[]"
      - name: files
        for_each: item.files
        as: file
        steps:
          - name: file
            set:
              "refs[]": '{"name": vars.project ~ "-" ~ loop.index ~ "-" ~ file, "type": file | mimetype}'
              "all[]": vars.refs[-1].name
      - name: bunch
        set:
          "bunches[]": '{"project": vars.project, "files": vars.refs}'
  - name: count
    when: vars.all | length > 1
    set:
      total: vars.all | length
outputs:
  bunches: vars.bunches
  total: vars.total
"""


def test_set_builds_nested_lists_without_sending_anything(server, flow_of) -> None:
    before = len(server.state.requests), sum(server.state.hits.values())
    result = run_flow(flow_of(NESTED), context(server, order=ORDER))
    assert result.outputs["bunches"] == [
        {"project": "item1", "files": [{"name": "item1-1-x.jpg", "type": "image/jpeg"}, {"name": "item1-2-y.png", "type": "image/png"}]},
        {"project": "item2", "files": []},
        {"project": "item3", "files": [{"name": "item3-1-z.JPEG", "type": "image/jpeg"}]},
    ]
    assert result.outputs["total"] == 3
    assert (len(server.state.requests), sum(server.state.hits.values())) == before
    paths = [(step.path, step.outcome) for step in result.steps]
    assert ("items[1]/files", "skipped") in paths and ("count", "ok") in paths
    assert all(step.method == "" and step.status is None for step in result.steps)


def test_set_steps_emit_started_and_finished(server, flow_of) -> None:
    events: list[ev.Event] = []
    flow = flow_of("steps:\n  - name: one\n    set: {a: '1', 'b[]': vars.a + 1}\n  - name: two\n    when: vars.a > 5\n    set: {c: '3'}\n")
    result = run_flow(flow, context(server), on_event=events.append)
    assert result.vars == {"a": 1, "b": [2]}
    finished = [e for e in events if isinstance(e, ev.StepFinished)]
    assert [(e.step, e.method, e.status, e.captures) for e in finished] == [("one", "", None, {"a": 1, "b": [2]})]
    assert [type(e).__name__ for e in events if e.step in ("one", "two")] == ["StepStarted", "StepFinished", "StepSkipped"]


def test_an_appended_list_leaves_a_copy_read_before_unchanged(server, flow_of) -> None:
    flow = flow_of("steps:\n  - name: one\n    set: {'xs[]': '1', ys: vars.xs}\n  - name: two\n    set: {'xs[]': '2'}\n")
    result = run_flow(flow, context(server))
    assert result.vars["xs"] == [1, 2] and result.vars["ys"] == [1]


def test_an_undefined_value_names_the_step_and_the_variable(server, flow_of) -> None:
    flow = flow_of("steps:\n  - name: items\n    for_each: order.items\n    steps:\n      - name: price\n        set: {price: item.price * 2}\n")
    with pytest.raises(TemplateError) as info:
        run_flow(flow, context(server, order=ORDER))
    message = str(info.value)
    assert "step 'items[0]/price': set price: `item.price * 2`" in message and "price" in message
    assert info.value.location.line == 10
    assert info.value.result.steps[-1].outcome == "failed"


def test_pick_in_a_set_step_lists_the_valid_names(server, flow_of) -> None:
    flow = flow_of(
        "vars:\n  skus: [{sku: '100'}, {sku: '200'}]\nsteps:\n  - name: sku\n    set:\n      sku: vars.skus | pick(order.sku, by='sku', what='SKU')\n"
    )
    with pytest.raises(PickError) as info:
        run_flow(flow, context(server, order={"sku": "201"}))
    assert "step 'sku': unknown SKU '201'; valid names: '100', '200'; closest match: '200'" in str(info.value)


def test_stop_before_create_still_runs_set_steps(server, flow_of) -> None:
    flow = flow_of(
        "steps:\n  - name: price\n    set: {total: '7'}\n  - name: make\n    effect: create\n    request: {method: POST, url: /baskets}\n"
        "  - name: after\n    set: {late: '1'}\n"
    )
    result = run_flow(flow, context(server), stop_before="create")
    assert result.stopped_before == "make" and result.vars == {"total": 7}


@pytest.mark.parametrize(
    ("step", "message"),
    [
        ("    set: {a: '1'}\n    request: {method: GET, url: /a}\n", "has both request and set"),
        ("    set: {a: '1'}\n    for_each: order.items\n    steps: [{name: b, set: {b: '1'}}]\n", "has both set and for_each"),
        ("    set: {a: '1'}\n    capture: {b: response.body}\n", "a set step sends nothing, so it has no 'capture'"),
        ("    set: {a: '1'}\n    retry: {attempts: 2}\n", "has no 'retry'"),
        ("    set: {a: '1'}\n    as: x\n", "'as' belongs to a for_each step"),
        ("    set: {'a b': '1'}\n", "set"),
        ("    set: {}\n", "set"),
        ("    set: {a: '{{ vars.x }}'}\n", "without {{ }}"),
    ],
)
def test_set_step_mistakes_are_load_errors(write_flow, step: str, message: str) -> None:
    with pytest.raises(FlowSourceError) as info:
        load_flow(write_flow(HEAD + "steps:\n  - name: s\n" + step))
    assert message in info.value.message
    assert info.value.location is not None and info.value.location.line >= 6
