"""``recover``: a create or place step whose outcome a run lost is read back, never sent blindly."""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from orderspec.engine import (
    READ_BACK,
    FlowSourceError,
    InstantClock,
    OutcomeUnknown,
    PendingStep,
    StepResult,
    can_recover,
    find_step,
    load_flow,
    run_flow,
)
from orderspec.sandbox import FaultConfig, FaultMiddleware
from orderspec.sandbox._server import serve_in_thread

HEAD = """apiVersion: orderspec/v1
kind: Flow
name: shop
base_url: "{{ target.base_url }}"
"""

FLOW = HEAD + """steps:
  - name: basket
    effect: create
    request: {method: POST, url: /baskets}
    capture: {basket_id: response.body.id}
    recover:
      request: {method: GET, url: /baskets, params: {title: "{{ order.title }}"}}
      created_if: response.body | length > 0
      capture:
        basket_id: response.body[0].id
  - name: lines
    for_each: order.items
    steps:
      - name: line
        effect: create
        request: {method: POST, url: "/baskets/{{ vars.basket_id }}/lines", json: {sku: "{{ item }}"}}
        capture: {"line_ids[]": response.body.id}
  - name: place
    effect: place
    request: {method: POST, url: /orders, json: {basket: "{{ vars.basket_id }}"}}
    capture: {order_number: response.body.number}
    recover:
      request: {method: GET, url: "/baskets/{{ vars.basket_id }}/order"}
      expect: [200, 404]
      placed_if: response.status == 200
      capture: {order_number: response.body.number}
outputs:
  order_number: vars.order_number
contract:
  order_number: order_number
"""
ORDER = {"title": "bracket", "items": ["a", "b"]}


class Shop:
    """Baskets, lines and orders in memory; every request is counted by method and path."""

    def __init__(self) -> None:
        self.ids = itertools.count(1)
        self.baskets: dict[int, dict[str, Any]] = {}
        self.orders: dict[int, dict[str, Any]] = {}
        self.sent: list[str] = []

    def app(self) -> Starlette:
        async def baskets(request: Request) -> Response:
            self.sent.append(f"{request.method} {request.url.path}")
            if request.method == "POST":
                basket = {"id": next(self.ids), "title": "bracket", "lines": []}
                self.baskets[basket["id"]] = basket
                return JSONResponse(basket, status_code=201)
            title = request.query_params.get("title")
            return JSONResponse([b for b in self.baskets.values() if b["title"] == title])

        async def lines(request: Request) -> Response:
            self.sent.append(f"{request.method} {request.url.path}")
            line = {"id": next(self.ids), **(await request.json())}
            self.baskets[int(request.path_params["basket"])]["lines"].append(line)
            return JSONResponse(line, status_code=201)

        async def orders(request: Request) -> Response:
            self.sent.append(f"{request.method} {request.url.path}")
            basket = int((await request.json())["basket"])
            if basket in self.orders:
                return JSONResponse({"detail": "already ordered"}, status_code=409)
            self.orders[basket] = {"number": f"N-{basket}", "basket": basket}
            return JSONResponse(self.orders[basket], status_code=201)

        async def order_of(request: Request) -> Response:
            self.sent.append(f"{request.method} {request.url.path}")
            found = self.orders.get(int(request.path_params["basket"]))
            return JSONResponse(found or {"detail": "Not found."}, status_code=200 if found else 404)

        return Starlette(
            routes=[
                Route("/baskets", baskets, methods=["GET", "POST"]),
                Route("/baskets/{basket}/lines", lines, methods=["POST"]),
                Route("/baskets/{basket}/order", order_of, methods=["GET"]),
                Route("/orders", orders, methods=["POST"]),
            ]
        )


@pytest.fixture
def shop() -> Iterator[tuple[Shop, str]]:
    state = Shop()
    running = serve_in_thread(state.app())
    try:
        yield state, running.base_url
    finally:
        running.stop()


def _lossy(paths: tuple[str, ...]) -> Iterator[tuple[Shop, str]]:
    state = Shop()
    running = serve_in_thread(FaultMiddleware(state.app(), FaultConfig(lost_response_rate=1.0, paths=paths)))
    try:
        yield state, running.base_url
    finally:
        running.stop()


class Checkpoints:
    """A journal keeping what a state store would: completed paths, the variables, the open intent."""

    def __init__(self) -> None:
        self.done: list[str] = []
        self.vars: dict[str, Any] = {}
        self.intent: str | None = None

    def before_send(self, pending: PendingStep) -> None:
        if pending.effect in ("create", "place"):
            self.intent = pending.path

    def after_step(self, result: StepResult, vars: Mapping[str, Any]) -> None:
        self.done.append(result.path)
        self.vars = dict(vars)
        self.intent = None


def _context(base_url: str, **extra: Any) -> dict[str, Any]:
    return {"target": {"base_url": base_url}, "order": ORDER, **extra}


@pytest.fixture
def flow(tmp_path: Path) -> Any:
    path = tmp_path / "shop.yaml"
    path.write_text(FLOW, encoding="utf-8")
    return load_flow(path)


def test_a_lost_place_answer_is_read_back_and_the_order_is_not_placed_again(flow: Any, tmp_path: Path) -> None:
    for state, base_url in _lossy(("/orders",)):
        journal = Checkpoints()
        with pytest.raises(OutcomeUnknown) as info:
            run_flow(flow, _context(base_url), journal=journal, clock=InstantClock())
        assert info.value.step == "place" and journal.intent == "place"
        assert len(state.orders) == 1  # the target placed it; only the answer was lost
        result = run_flow(flow, _context(base_url, vars=journal.vars), done=journal.done, unknown={journal.intent}, journal=journal)
        assert result.outputs == {"order_number": "N-1"}
        place = result.steps[-1]
        assert (place.path, place.effect, place.outcome, place.method, place.status) == ("place", "place", "ok", "GET", 200)
        assert place.message == READ_BACK and place.captures == {"order_number": "N-1"}
        assert state.sent.count("POST /orders") == 1 and len(state.orders) == 1
        assert journal.intent is None and journal.done[-1] == "place"


def test_a_place_that_did_not_take_effect_is_sent_once(flow: Any, shop: tuple[Shop, str]) -> None:
    state, base_url = shop
    journal = Checkpoints()
    stopped = run_flow(flow, _context(base_url), journal=journal, stop_before="place")
    assert stopped.stopped_before == "place" and not state.orders
    result = run_flow(flow, _context(base_url, vars=journal.vars), done=journal.done, unknown={"place"})
    assert result.outputs == {"order_number": "N-1"}
    assert state.sent[-2:] == ["GET /baskets/1/order", "POST /orders"]
    assert result.steps[-1].method == "POST" and result.steps[-1].message == ""


def test_a_create_that_took_effect_is_found_by_what_was_sent(flow: Any, shop: tuple[Shop, str]) -> None:
    state, base_url = shop
    run_flow(flow, _context(base_url), stop_before="create")
    first = run_flow(flow, _context(base_url), stop_before="place")  # the basket exists; say its answer was lost
    assert first.vars["basket_id"] == 1 and state.sent.count("POST /baskets") == 1
    result = run_flow(flow, _context(base_url), unknown={"basket"})
    assert state.sent.count("POST /baskets") == 1  # found by its title, not created again
    basket = result.steps[0]
    assert (basket.path, basket.outcome, basket.method, basket.message) == ("basket", "ok", "GET", READ_BACK)
    assert result.vars["basket_id"] == 1 and result.outputs == {"order_number": "N-1"}
    assert len(state.baskets[1]["lines"]) == 4  # two from the first run, two from this one: lines have no recover


def test_a_step_without_recover_is_never_sent_again(flow: Any, shop: tuple[Shop, str]) -> None:
    state, base_url = shop
    journal = Checkpoints()
    run_flow(flow, _context(base_url), journal=journal, stop_before="place")
    sent = len(state.sent)
    done = [path for path in journal.done if path != "lines[1]/line"]
    with pytest.raises(OutcomeUnknown) as info:
        run_flow(flow, _context(base_url, vars=journal.vars), done=done, unknown={"lines[1]/line"})
    assert len(state.sent) == sent  # nothing left
    error = info.value
    assert error.step == "lines[1]/line"
    assert "was sent by an earlier run that did not learn its outcome, and the flow has no recover block" in error.message
    assert error.hint == "check on the target whether the create took effect; a create step is never repeated blindly"


def test_steps_are_found_by_their_run_paths(flow: Any) -> None:
    assert find_step(flow, "lines[1]/line") is not None and find_step(flow, "lines[1]/line").name == "line"
    assert find_step(flow, "nowhere") is None
    assert can_recover(flow, "place") and can_recover(flow, "basket")
    assert not can_recover(flow, "lines[0]/line") and not can_recover(flow, "nowhere")


@pytest.mark.parametrize(
    ("step", "message"),
    [
        (
            "  - name: look\n    request: {method: GET, url: /x}\n    recover: {request: {method: GET, url: /x}, created_if: 'true'}\n",
            "step 'look' (effect read) has no outcome to recover",
        ),
        (
            "  - name: make\n    effect: create\n    request: {method: POST, url: /x}\n    recover: {request: {method: GET, url: /x}, placed_if: 'true'}\n",
            "a create step's recover says created_if, not placed_if",
        ),
        (
            "  - name: buy\n    effect: place\n    request: {method: POST, url: /x}\n    recover: {request: {method: GET, url: /x}}\n",
            "the recover block of a place step needs placed_if",
        ),
        (
            "  - name: buy\n    effect: place\n    request: {method: POST, url: /x}\n    recover: {request: {method: POST, url: /x}, placed_if: 'true'}\n",
            "recover reads the target; POST is not a read",
        ),
        (
            "  - name: calc\n    set: {a: '1'}\n    recover: {request: {method: GET, url: /x}, placed_if: 'true'}\n",
            "a set step sends nothing, so it has no 'recover'",
        ),
    ],
)
def test_a_misplaced_recover_block_is_refused_where_it_is_written(tmp_path: Path, step: str, message: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(HEAD + "steps:\n" + step, encoding="utf-8")
    with pytest.raises(FlowSourceError) as info:
        load_flow(path)
    assert message in info.value.message
    assert info.value.location is not None and info.value.location.line >= 6
