"""Running flows against a real HTTP server on loopback."""

from __future__ import annotations

import uuid

import httpx
import pytest

from orderspec.engine import (
    CaptureError,
    ConnectionFailed,
    FlowError,
    InstantClock,
    OutcomeUnknown,
    PickError,
    PollFailed,
    PollTimeout,
    RequestFailed,
    TemplateError,
    run_flow,
)
from orderspec.engine import _events as ev

from .conftest import context


def _key() -> str:
    return uuid.uuid4().hex


# -- answers and captures ---------------------------------------------------------------------


def test_unexpected_status_names_step_method_url_status_and_body(server, flow_of):
    flow = flow_of("steps:\n  - name: who\n    request: {method: GET, url: /users, params: {search: x}}\n")
    with pytest.raises(RequestFailed) as info:
        run_flow(flow, context(server, secrets={}))
    text = str(info.value)
    assert "step 'who' failed" in text
    assert f"GET {server.base_url}/users?search=x" in text
    assert "401 Unauthorized" in text and "Invalid token." in text
    assert info.value.status == 401 and info.value.step == "who"
    assert info.value.location.line == 6  # the step's name in the flow file


def test_flow_errors_message_replaces_the_body(server, flow_of):
    flow = flow_of("steps:\n  - name: who\n    request: {method: GET, url: /users}\n    errors: {401: 'the token is wrong; create one in Django admin'}\n")
    with pytest.raises(RequestFailed) as info:
        run_flow(flow, context(server, secrets={}))
    assert "the token is wrong; create one in Django admin" in str(info.value)
    assert "Invalid token" not in str(info.value)


def test_expect_lists_accepted_codes(server, flow_of):
    flow = flow_of("steps:\n  - name: t\n    request: {method: GET, url: '/text?status=404'}\n    expect: [200, 404]\n")
    assert run_flow(flow, context(server)).steps[0].status == 404
    flow = flow_of("steps:\n  - name: b\n    request: {method: POST, url: /baskets}\n    expect: 200\n")
    with pytest.raises(RequestFailed, match=r"expected 200"):
        run_flow(flow, context(server))


def test_capture_that_finds_nothing_names_expression_and_response(server, flow_of):
    flow = flow_of("steps:\n  - name: basket\n    request: {method: POST, url: /baskets}\n    capture: {basket: response.body.basket.id}\n")
    with pytest.raises(CaptureError) as info:
        run_flow(flow, context(server))
    text = str(info.value)
    assert "step 'basket'" in text and "`response.body.basket.id`" in text
    assert "the answer was 201" in text and '"id"' in text
    assert info.value.location.line == 8


def test_capture_that_fails_after_a_place_step_says_the_order_may_exist(server, flow_of):
    flow = flow_of(
        "steps:\n  - name: place\n    effect: place\n    request: {method: POST, url: /orders, json: {basketId: '{{ vars.key }}'}}\n"
        "    capture: {number: response.body.order_number}\n"
        "outputs:\n  number: vars.number\ncontract:\n  order_number: number\n"
    )
    with pytest.raises(CaptureError) as info:
        run_flow(flow, context(server, vars={"key": _key()}))
    assert info.value.hint == "the target accepted the place step (201); check there before running again"
    assert "check there before running again" in str(info.value)


def test_text_bodies_and_headers_can_be_captured(server, flow_of):
    flow = flow_of(
        "steps:\n  - name: t\n    request: {method: GET, url: /text}\n"
        "    capture: {body: response.body, type: \"response.headers['content-type']\", status: response.status}\n"
    )
    result = run_flow(flow, context(server))
    assert result.vars["body"] == "plain words" and result.vars["status"] == 200
    assert result.vars["type"].startswith("text/plain")


def test_undefined_variable_in_a_url_names_the_step(server, flow_of):
    flow = flow_of("steps:\n  - name: lines\n    request: {method: POST, url: '/baskets/{{ vars.basket_id }}/lines'}\n")
    with pytest.raises(TemplateError) as info:
        run_flow(flow, context(server))
    assert "step 'lines'" in str(info.value) and "vars.basket_id is undefined" in str(info.value)


def test_pick_failure_stops_before_the_next_request(server, flow_of):
    flow = flow_of(
        "steps:\n  - name: catalogue\n    request: {method: GET, url: /catalogue}\n"
        "    capture: {material: \"(response.body.materials | pick(order.material)).id\"}\n"
        "  - name: basket\n    effect: create\n    request: {method: POST, url: /baskets}\n"
    )
    events: list[ev.Event] = []
    with pytest.raises(PickError) as info:
        run_flow(flow, context(server, order={"material": "PA12 Whit"}), on_event=events.append)
    assert "closest match: 'PA12 White'" in str(info.value) and "step 'catalogue'" in str(info.value)
    assert not any(isinstance(e, ev.StepStarted) and e.step == "basket" for e in events)
    assert info.value.result.steps[-1].outcome == "failed"


def test_outputs_and_initial_vars(server, flow_of):
    flow = flow_of(
        "vars:\n  prefix: '/baskets'\n  given: default\n"
        "steps:\n  - name: b\n    request: {method: POST, url: '{{ vars.prefix }}'}\n    capture: {basket_id: response.body.id}\n"
        "outputs:\n  basket: vars.basket_id\n  given: vars.given\n"
    )
    result = run_flow(flow, context(server, vars={"given": "from caller"}))
    assert isinstance(result.outputs["basket"], int) and result.outputs["given"] == "from caller"


# -- when and for_each ----------------------------------------------------------------------------


def test_when_skips_and_for_each_loops(server, flow_of):
    flow = flow_of(
        "steps:\n"
        "  - name: never\n    when: order.express\n    request: {method: POST, url: /baskets}\n"
        "  - name: lines\n    for_each: order.items\n    as: line\n    steps:\n"
        "      - name: echo\n        request:\n          method: POST\n          url: /echo\n"
        "          json: {n: '{{ loop.index }}', last: '{{ loop.last }}', sku: '{{ line.sku }}'}\n"
        "        capture: {'seen[]': response.body.body}\n"
        "  - name: nothing\n    for_each: order.none\n    steps:\n      - name: x\n        request: {method: GET, url: /x}\n"
    )
    result = run_flow(flow, context(server, order={"express": False, "items": [{"sku": "a"}, {"sku": "b"}], "none": []}))
    assert [(s.path, s.outcome) for s in result.steps] == [
        ("never", "skipped"),
        ("lines[0]/echo", "ok"),
        ("lines[1]/echo", "ok"),
        ("nothing", "skipped"),
    ]
    assert result.vars["seen"] == ['{"n":1,"last":false,"sku":"a"}', '{"n":2,"last":true,"sku":"b"}']


def test_for_each_over_a_non_list_fails(server, flow_of):
    flow = flow_of("steps:\n  - name: lines\n    for_each: order.items\n    steps:\n      - name: x\n        request: {method: GET, url: /x}\n")
    with pytest.raises(TemplateError, match="expected a list"):
        run_flow(flow, context(server, order={"items": {"a": 1}}))


# -- polling ----------------------------------------------------------------------------------------


def test_poll_until_done(server, flow_of):
    line = _key()
    flow = flow_of(
        f"steps:\n  - name: wait\n    request: {{method: GET, url: '/lines/{line}/status?ready_after=3'}}\n"
        "    poll: {until: \"response.body.status == 'finished'\", every: 2, timeout: 60}\n"
        "    capture: {status: response.body.status}\n"
    )
    clock = InstantClock()
    events: list[ev.Event] = []
    result = run_flow(flow, context(server), clock=clock, on_event=events.append)
    assert result.vars["status"] == "finished"
    assert clock.slept == [2, 2, 2]
    assert [e.attempt for e in events if isinstance(e, ev.StepPolled)] == [1, 2, 3]
    assert result.steps[0].polls == 3 and server.state.hits[f"status:{line}"] == 4


def test_poll_fail_if_stops_at_once(server, flow_of):
    line = _key()
    flow = flow_of(
        f"steps:\n  - name: wait\n    request: {{method: GET, url: '/lines/{line}/status?fail=1'}}\n"
        "    poll:\n      until: \"response.body.status == 'finished'\"\n"
        "      fail_if: \"response.body.status not in ['analysing', 'finished']\"\n      timeout: 300\n"
    )
    clock = InstantClock()
    with pytest.raises(PollFailed) as info:
        run_flow(flow, context(server), clock=clock)
    assert "not manifold" in str(info.value) and clock.slept == []
    assert server.state.hits[f"status:{line}"] == 1


def test_poll_timeout_on_virtual_time(server, flow_of):
    line = _key()
    flow = flow_of(
        f"steps:\n  - name: wait\n    request: {{method: GET, url: '/lines/{line}/status?ready_after=1000'}}\n"
        "    poll: {until: \"response.body.status == 'finished'\", every: 1, timeout: 5}\n"
    )
    clock = InstantClock()
    with pytest.raises(PollTimeout) as info:
        run_flow(flow, context(server), clock=clock)
    assert "did not hold within 5 s" in str(info.value) and "analysing" in str(info.value)
    assert clock.now <= 5 and server.state.hits[f"status:{line}"] == 6


# -- retries ------------------------------------------------------------------------------------------


def test_retry_on_503_with_backoff(server, flow_of):
    key = _key()
    flow = flow_of(f"steps:\n  - name: r\n    request: {{method: GET, url: '/flaky?key={key}&fail=2'}}\n    retry: {{attempts: 3, backoff: 0.5}}\n")
    clock = InstantClock()
    events: list[ev.Event] = []
    result = run_flow(flow, context(server), clock=clock, on_event=events.append)
    assert result.steps[0].attempts == 3 and clock.slept == [0.5, 1.0]
    assert [e.reason for e in events if isinstance(e, ev.StepRetried)] == ["503 Service Unavailable"] * 2


def test_retry_honours_retry_after(server, flow_of):
    key = _key()
    flow = flow_of(f"steps:\n  - name: r\n    request: {{method: GET, url: '/flaky?key={key}&fail=1&status=429&after=7'}}\n    retry: {{attempts: 2, backoff: 0.1}}\n")
    clock = InstantClock()
    run_flow(flow, context(server), clock=clock)
    assert clock.slept == [7.0]


def test_retry_wait_is_capped(server, flow_of):
    key = _key()
    flow = flow_of(f"steps:\n  - name: r\n    request: {{method: GET, url: '/flaky?key={key}&fail=1&status=503&after=3600'}}\n    retry: {{attempts: 2, max_wait: 5}}\n")
    clock = InstantClock()
    run_flow(flow, context(server), clock=clock)
    assert clock.slept == [5.0]


def test_retries_run_out(server, flow_of):
    key = _key()
    flow = flow_of(f"steps:\n  - name: r\n    request: {{method: GET, url: '/flaky?key={key}&fail=5&status=502'}}\n    retry: {{attempts: 2}}\n")
    with pytest.raises(RequestFailed, match="502 Bad Gateway"):
        run_flow(flow, context(server), clock=InstantClock())
    assert server.state.hits[f"flaky:{key}"] == 2


def test_no_retry_without_a_retry_block(server, flow_of):
    key = _key()
    flow = flow_of(f"steps:\n  - name: r\n    request: {{method: GET, url: '/flaky?key={key}&fail=1'}}\n")
    with pytest.raises(RequestFailed):
        run_flow(flow, context(server), clock=InstantClock())
    assert server.state.hits[f"flaky:{key}"] == 1


def test_connection_refused_is_retried_then_reported(flow_of, unused_port):
    flow = flow_of("steps:\n  - name: r\n    request: {method: GET, url: /x}\n    retry: {attempts: 3, backoff: 1}\n")
    clock = InstantClock()
    with pytest.raises(ConnectionFailed) as info:
        run_flow(flow, {"target": {"base_url": f"http://127.0.0.1:{unused_port}"}}, clock=clock)
    assert "could not connect" in str(info.value) and clock.slept == [1, 2]


# -- exactly once ---------------------------------------------------------------------------------------


def test_lost_answer_on_a_create_step_is_outcome_unknown(hangup_server, flow_of):
    flow = flow_of("steps:\n  - name: basket\n    effect: create\n    request: {method: POST, url: /baskets, json: {a: 1}}\n")
    with pytest.raises(OutcomeUnknown) as info:
        run_flow(flow, {"target": {"base_url": hangup_server.url}}, clock=InstantClock())
    assert "the outcome is unknown" in str(info.value) and "never repeated blindly" in str(info.value)
    assert len(hangup_server.seen) == 1


def test_lost_answer_on_a_read_step_is_retried(hangup_server, flow_of):
    flow = flow_of("steps:\n  - name: look\n    request: {method: GET, url: /x}\n    retry: {attempts: 3}\n")
    with pytest.raises(ConnectionFailed, match="closed before an answer"):
        run_flow(flow, {"target": {"base_url": hangup_server.url}}, clock=InstantClock())
    assert len(hangup_server.seen) == 3


def test_timeout_on_place_is_outcome_unknown(server, flow_of):
    flow = flow_of(
        "steps:\n  - name: place\n    effect: place\n    timeout: 0.2\n    request: {method: POST, url: '/slow?delay=1'}\n"
        "outputs:\n  number: vars.number\ncontract:\n  order_number: number\n"
    )
    with pytest.raises(OutcomeUnknown, match="no answer within 0.2 s"):
        run_flow(flow, context(server))


def test_timeout_on_read_is_a_connection_failure(server, flow_of):
    flow = flow_of("steps:\n  - name: look\n    timeout: 0.2\n    request: {method: GET, url: '/slow?delay=1'}\n")
    with pytest.raises(ConnectionFailed, match="no answer within 0.2 s"):
        run_flow(flow, context(server))


# -- gate, stop_before, done ---------------------------------------------------------------------------------

PLACE_FLOW = """steps:
  - name: catalogue
    request: {method: GET, url: /catalogue}
    capture: {material: "(response.body.materials | pick('PA12 Black')).id"}
  - name: basket
    effect: create
    request: {method: POST, url: /baskets}
    capture: {basket_id: response.body.id}
  - name: place
    effect: place
    request: {method: POST, url: /orders, json: {basketId: "{{ vars.basket_id }}"}}
    capture: {order_id: response.body.id}
outputs:
  order_id: vars.order_id
contract:
  order_number: order_id
"""


def test_gate_sees_the_place_step_and_can_stop_it(server, flow_of):
    flow = flow_of(PLACE_FLOW)
    seen = []

    class OverBudget(FlowError):
        pass

    def gate(pending):
        seen.append(pending)
        raise OverBudget("over budget")

    before = len(server.state.orders)
    with pytest.raises(OverBudget) as info:
        run_flow(flow, context(server), gate=gate)
    assert len(server.state.orders) == before
    assert seen[0].path == "place" and seen[0].method == "POST" and seen[0].url.endswith("/orders")
    assert seen[0].vars["material"] == "m2" and "basket_id" in seen[0].vars
    assert [s.outcome for s in info.value.result.steps] == ["ok", "ok", "failed"]


def test_gate_that_returns_lets_the_order_through(server, flow_of):
    result = run_flow(flow_of(PLACE_FLOW), context(server), gate=lambda pending: None)
    assert result.vars["order_id"] in [o["id"] for o in server.state.orders]


def test_stop_before_create_runs_only_reads(server, flow_of):
    result = run_flow(flow_of(PLACE_FLOW), context(server), stop_before="create")
    assert result.ok and result.stopped_before == "basket"
    assert [s.path for s in result.steps] == ["catalogue"] and result.vars["material"] == "m2"


def test_done_steps_are_skipped_on_resume(server, flow_of):
    before = len(server.state.orders)
    result = run_flow(flow_of(PLACE_FLOW), context(server, vars={"basket_id": 99}), done={"catalogue", "basket"})
    assert [s.outcome for s in result.steps] == ["skipped", "skipped", "ok"]
    assert server.state.orders[before]["basketId"] == 99


# -- events, secrets, transports ---------------------------------------------------------------------------------


def test_events_in_order(server, flow_of):
    events: list[ev.Event] = []
    run_flow(flow_of(PLACE_FLOW), context(server), on_event=events.append)
    kinds = [(e.kind, e.step) for e in events]
    assert kinds == [
        ("step_started", "catalogue"),
        ("step_finished", "catalogue"),
        ("step_started", "basket"),
        ("step_finished", "basket"),
        ("step_started", "place"),
        ("step_finished", "place"),
        ("flow_finished", ""),
    ]
    finished = events[3]
    assert isinstance(finished, ev.StepFinished) and finished.status == 201 and finished.captures["basket_id"]
    assert ev.event_to_dict(finished)["kind"] == "step_finished"


def test_secrets_are_masked_in_errors_urls_and_events(server, flow_of):
    flow = flow_of(
        "headers:\n  Authorization: 'Token {{ secrets.token }}'\n"
        "steps:\n  - name: ok\n    request: {method: GET, url: '/echo', params: {key: '{{ secrets.token }}'}}\n"
        "  - name: fail\n    request: {method: GET, url: '/text?status=500&key={{ secrets.token }}'}\n"
    )
    events: list[ev.Event] = []
    with pytest.raises(RequestFailed) as info:
        run_flow(flow, context(server), on_event=events.append)
    assert "s3cr3t-token" not in str(info.value) and "key=***" in str(info.value)
    assert all("s3cr3t-token" not in repr(e) for e in events if not isinstance(e, ev.StepFinished) or not e.captures)
    assert "key=***" in info.value.result.steps[0].url
    assert "s3cr3t-token" not in (info.value.result.error or "")


def test_transport_and_client_are_injectable(flow_of):
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(201, json={"id": 5})

    flow = flow_of("steps:\n  - name: b\n    request: {method: POST, url: /baskets}\n    capture: {id: response.body.id}\n")
    result = run_flow(flow, {"target": {"base_url": "http://example.invalid"}}, transport=httpx.MockTransport(handler))
    assert result.vars["id"] == 5 and str(seen[0].url) == "http://example.invalid/baskets"
    with httpx.Client(transport=httpx.MockTransport(handler), headers={"X-Client": "mine"}) as client:
        run_flow(flow, {"target": {"base_url": "http://example.invalid"}}, client=client)
    assert seen[1].headers["x-client"] == "mine"


def test_values_that_cannot_be_sent_are_clear_errors(server, flow_of):
    flow = flow_of("steps:\n  - name: h\n    request: {method: GET, url: /echo, headers: {X-Name: '{{ order.name }}'}}\n")
    with pytest.raises(TemplateError, match="not ASCII"):
        run_flow(flow, context(server, order={"name": "Zoë ✓"}))


def test_params_are_added_to_the_query_the_url_already_has(server, flow_of):
    flow = flow_of("steps:\n  - name: e\n    request: {method: GET, url: '/echo?a=1&b=old', params: {b: new, c: 3, d: null}}\n    capture: {query: response.body.query}\n")
    assert run_flow(flow, context(server)).vars["query"] == {"a": "1", "b": "new", "c": "3"}
