"""The recording and replaying transports with small flows against a loopback API."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from orderspec.cassettes import CassetteError, CassetteMismatch, CassetteNotFound, CassetteUnreadable, record, replay
from orderspec.cassettes._scrub import secret_forms
from orderspec.engine import FlowResult, InstantClock, load_flow, run_flow
from orderspec.errors import OrderspecError

from . import _app
from .conftest import Api

POLL_FLOW = """
apiVersion: orderspec/v1
kind: Flow
name: poll
base_url: "{{ target.base_url }}"
steps:
  - name: wait
    request: {method: GET, url: /status/model-1}
    poll: {until: "response.body.status == UNTIL", every: 1, timeout: 300}
    capture: {status: response.body.status}
outputs:
  status: vars.status
"""

ORDER_FLOW = """
apiVersion: orderspec/v1
kind: Flow
name: order
base_url: "{{ target.base_url }}"
headers:
  Authorization: "Token {{ secrets.token }}"
steps:
  - name: find
    request: {method: GET, url: /items, params: {search: "{{ order.material }}", api_key: "{{ secrets.token }}"}}
    capture: {material_id: "response.body.results[0].id"}
  - name: place
    request:
      method: POST
      url: /orders
      json: {material: "{{ vars.material_id }}", quantity: "{{ order.quantity }}", note: "{{ order.note }}"}
    expect: [201]
    capture: {order_id: response.body.id}
outputs:
  order_id: vars.order_id
"""


def run(flow_path: Path, transport: httpx.BaseTransport, base_url: str, **order: Any) -> FlowResult:
    context = {"order": order, "target": {"base_url": base_url}, "secrets": {"token": _app.API_TOKEN}}
    return run_flow(load_flow(flow_path), context, transport=transport, clock=InstantClock())


def mismatch(failure: pytest.ExceptionInfo[OrderspecError]) -> CassetteMismatch:
    error = getattr(failure.value, "cause", failure.value)
    assert isinstance(error, CassetteMismatch), repr(failure.value)
    return error


def test_polls_replay_in_recorded_order_and_one_more_fails_clearly(api: Api, write_flow: Callable[..., Path], tmp_path: Path) -> None:
    flow = write_flow(POLL_FLOW.replace("UNTIL", "'finished'"))
    cassette = tmp_path / "poll.yaml"
    with record(cassette, httpx.HTTPTransport()) as transport:
        live = run(flow, transport, api.base_url)
    assert live.outputs == {"status": "finished"} and live.steps[0].polls == 2
    api.stop()

    statuses: list[str] = []
    with replay(cassette, strict=True) as transport:
        plain = transport.handle_request

        def watch(request: httpx.Request) -> httpx.Response:
            response = plain(request)
            statuses.append(response.read().decode())
            return response

        transport.handle_request = watch  # type: ignore[method-assign]
        replayed = run(flow, transport, api.base_url)
    assert replayed.outputs == live.outputs and replayed.steps[0].polls == 2
    assert ['"analysing"' in statuses[0], '"analysing"' in statuses[1], '"finished"' in statuses[2]] == [True, True, True]

    patient = write_flow(POLL_FLOW.replace("UNTIL", "'shipped'"), name="patient.yaml")
    with replay(cassette) as transport, pytest.raises(OrderspecError) as failure:
        run(patient, transport, api.base_url)
    error = mismatch(failure)
    assert "GET /status/model-1 was recorded 3 times and is sent once more (poll 4 of 3 recorded)" in error.message


def test_a_failed_recording_writes_nothing_and_keeps_the_earlier_cassette(api: Api, write_flow: Callable[..., Path], tmp_path: Path) -> None:
    flow = write_flow(ORDER_FLOW.replace("expect: [201]", "expect: [202]"))
    fresh = tmp_path / "new" / "order.yaml"
    with pytest.raises(OrderspecError), record(fresh, httpx.HTTPTransport(), secrets=[_app.API_TOKEN]) as transport:
        run(flow, transport, api.base_url, material="PA12 White", quantity=1, note="")
    assert not fresh.exists() and not fresh.parent.exists()

    earlier = tmp_path / "cassettes" / "earlier.yaml"
    earlier.parent.mkdir()
    earlier.write_text("# the cassette of yesterday\n", encoding="utf-8")
    with pytest.raises(OrderspecError), record(earlier, httpx.HTTPTransport(), secrets=[_app.API_TOKEN]) as transport:
        run(flow, transport, api.base_url, material="PA12 White", quantity=1, note="")
    assert earlier.read_text(encoding="utf-8") == "# the cassette of yesterday\n"
    assert [path.name for path in earlier.parent.iterdir()] == ["earlier.yaml"]  # no temporary file left


def test_a_recording_creates_its_folders_and_replays_without_credentials(api: Api, write_flow: Callable[..., Path], tmp_path: Path) -> None:
    flow = write_flow(ORDER_FLOW)
    cassette = tmp_path / "cassettes" / "team" / "order.yaml"
    with record(cassette, httpx.HTTPTransport(), secrets=[_app.API_TOKEN]) as transport:
        live = run(flow, transport, api.base_url, material="PA12 White", quantity=2, note="leave at the door")
    assert transport.interactions == 2
    text = cassette.read_text(encoding="utf-8")
    assert not [form for form in secret_forms(_app.API_TOKEN) if form in text]
    assert "api_key=<scrubbed>" in text and "authorization: Token <scrubbed>" in text
    api.stop()

    context = {
        "order": {"material": "PA12 White", "quantity": 2, "note": "leave at the door"},
        "target": {"base_url": api.base_url},
        "secrets": {"token": "not-the-real-one"},
    }
    with replay(cassette, strict=True) as transport:
        replayed = run_flow(load_flow(flow), context, transport=transport, clock=InstantClock())
    assert replayed.outputs == live.outputs == {"order_id": 1}


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"quantity": 3}, "body field quantity: recorded 2, this request 3"),
        ({"note": "ring twice"}, 'body field note: recorded "leave at the door", this request "ring twice"'),
        ({"material": "PA12 Black"}, 'query parameter search: recorded "PA12 White", this request "PA12 Black"'),
    ],
)
def test_a_changed_request_names_the_field_and_both_values(
    api: Api, write_flow: Callable[..., Path], tmp_path: Path, change: dict[str, Any], expected: str
) -> None:
    flow = write_flow(ORDER_FLOW)
    cassette = tmp_path / "order.yaml"
    order = {"material": "PA12 White", "quantity": 2, "note": "leave at the door"}
    with record(cassette, httpx.HTTPTransport(), secrets=[_app.API_TOKEN]) as transport:
        run(flow, transport, api.base_url, **order)
    api.stop()
    with replay(cassette) as transport, pytest.raises(OrderspecError) as failure:
        run(flow, transport, api.base_url, **{**order, **change})
    error = mismatch(failure)
    assert expected in error.message
    assert expected in error.differences
    assert "the nearest is interaction" in error.message
    assert error.hint and "--record" in error.hint


def test_a_changed_method_is_named(api: Api, write_flow: Callable[..., Path], tmp_path: Path) -> None:
    flow = write_flow(ORDER_FLOW)
    cassette = tmp_path / "order.yaml"
    with record(cassette, httpx.HTTPTransport(), secrets=[_app.API_TOKEN]) as transport:
        run(flow, transport, api.base_url, material="PA12 White", quantity=2, note="")
    with replay(cassette) as transport, pytest.raises(CassetteMismatch) as failure:
        httpx.Client(transport=transport).put(api.base_url + "/orders", json={"material": 1, "note": "", "quantity": 2})
    assert "method: recorded POST, this request PUT" in failure.value.message
    assert "the nearest is interaction 2, POST /orders" in failure.value.message


def test_tokens_handed_out_in_answers_are_scrubbed_wherever_they_appear(api: Api, write_flow: Callable[..., Path], tmp_path: Path) -> None:
    flow = write_flow(
        """
apiVersion: orderspec/v1
kind: Flow
name: login
base_url: "{{ target.base_url }}"
steps:
  - name: login
    request: {method: POST, url: /login, json: {username: "{{ secrets.username }}", password: "{{ secrets.password }}"}}
    capture: {token: response.body.access_token}
  - name: find
    request:
      method: GET
      url: /items
      headers: {Authorization: "Bearer {{ vars.token }}"}
      params: {session: "{{ vars.token }}", search: PA12}
    capture: {found: "response.body.results[0].name"}
outputs:
  found: vars.found
"""
    )
    context = {"target": {"base_url": api.base_url}, "secrets": {"username": _app.USERNAME, "password": _app.PASSWORD}}
    cassette = tmp_path / "login.yaml"
    with record(cassette, httpx.HTTPTransport(), secrets=[_app.PASSWORD]) as transport:
        live = run_flow(load_flow(flow), context, transport=transport, clock=InstantClock())
    text = cassette.read_text(encoding="utf-8")
    token = api.state.session
    assert token.startswith("sess-")
    assert not [form for form in secret_forms(token) | secret_forms(_app.PASSWORD) if form in text]
    assert '"access_token": "<scrubbed>"' in text and '"password": "<scrubbed>"' in text
    assert "session=<scrubbed>" in text and "authorization: Bearer <scrubbed>" in text
    api.stop()

    with replay(cassette, strict=True) as transport:
        replayed = run_flow(
            load_flow(flow), {**context, "secrets": {"username": _app.USERNAME, "password": "not-the-real-one"}}, transport=transport, clock=InstantClock()
        )
    assert replayed.outputs == live.outputs == {"found": "PA12 White"}


def test_a_missing_cassette_names_the_path_and_how_to_record_one(tmp_path: Path) -> None:
    with pytest.raises(CassetteNotFound) as failure, replay(tmp_path / "cassettes" / "nothing.yaml"):
        pass
    assert str(tmp_path / "cassettes" / "nothing.yaml") in failure.value.message
    assert failure.value.hint is not None and "--record" in failure.value.hint
    assert failure.value.exit_code == 1


def test_a_file_that_is_no_cassette_is_refused_with_its_path(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("interactions: [unclosed\n", encoding="utf-8")
    with pytest.raises(CassetteUnreadable) as failure, replay(broken):
        pass
    assert str(broken) in failure.value.message
    other = tmp_path / "other.yaml"
    other.write_text("apiVersion: orderspec/v1\nkind: Order\n", encoding="utf-8")
    with pytest.raises(CassetteUnreadable, match="interactions"), replay(other):
        pass


def test_a_cassette_that_cannot_be_written_is_an_error_that_names_it(api: Api, write_flow: Callable[..., Path], tmp_path: Path) -> None:
    blocker = tmp_path / "cassettes"
    blocker.write_text("a file where the folder should be", encoding="utf-8")
    flow = write_flow(ORDER_FLOW)
    with pytest.raises(CassetteError) as failure, record(blocker / "order.yaml", httpx.HTTPTransport(), secrets=[_app.API_TOKEN]) as transport:
        run(flow, transport, api.base_url, material="PA12 White", quantity=1, note="")
    assert f"cannot write the cassette {blocker / 'order.yaml'}" in failure.value.message
