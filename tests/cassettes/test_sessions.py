"""``Sessions``: every run of a spec in one command records into, and replays from, one cassette."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from orderspec.cassettes import Sessions, cassette_path, scrub_options
from orderspec.engine import FlowResult, InstantClock, load_flow, run_flow
from orderspec.errors import OrderspecError

from . import _app
from .conftest import Api
from .test_transports import ORDER_FLOW

ORDER = {"material": "PA12 White", "quantity": 2, "note": ""}


@contextmanager
def network() -> Iterator[httpx.BaseTransport]:
    with httpx.HTTPTransport() as transport:
        yield transport


def plan_then_apply(sessions: Sessions, flow: Path, base_url: str, path: Path, **changes: Any) -> FlowResult:
    """Two runs of one spec, each opening its transport, as ``orderspec apply`` does: the reads, then the rest."""
    context: dict[str, Any] = {"order": {**ORDER, **changes}, "target": {"base_url": base_url}, "secrets": {"token": _app.API_TOKEN}}
    scrub = scrub_options({"secret": _app.API_TOKEN})
    with sessions.open(path, inner=network, **scrub) as transport:
        planned = run_flow(load_flow(flow), context, transport=transport, clock=InstantClock(), stop_before="write")
    with sessions.open(path, inner=network, **scrub) as transport:
        return run_flow(
            load_flow(flow), {**context, "vars": planned.vars}, transport=transport, clock=InstantClock(), done={step.path for step in planned.steps}
        )


def test_the_runs_of_one_spec_share_one_cassette_in_record_and_replay(api: Api, write_flow: Callable[..., Path], tmp_path: Path) -> None:
    flow = write_flow(ORDER_FLOW)
    path = cassette_path(tmp_path, "order-1")
    with Sessions("record") as sessions:
        live = plan_then_apply(sessions, flow, api.base_url, path)
        assert not path.exists()  # written when the command ends
    interactions = yaml.safe_load(path.read_text(encoding="utf-8"))["interactions"]
    assert [item["request"]["method"] for item in interactions] == ["GET", "POST"]
    api.stop()

    with Sessions("replay", strict=True) as sessions:
        replayed = plan_then_apply(sessions, flow, api.base_url, path)
    assert replayed.outputs == live.outputs == {"order_id": 1}


def test_a_spec_whose_run_failed_writes_no_cassette_and_the_others_are_written(api: Api, write_flow: Callable[..., Path], tmp_path: Path) -> None:
    flow = write_flow(ORDER_FLOW)
    failing = write_flow(ORDER_FLOW.replace("expect: [201]", "expect: [202]"), name="failing.yaml")
    good, bad = cassette_path(tmp_path, "good"), cassette_path(tmp_path, "bad")
    with Sessions("record") as sessions:
        plan_then_apply(sessions, flow, api.base_url, good)
        with pytest.raises(OrderspecError):
            plan_then_apply(sessions, failing, api.base_url, bad)
    assert good.exists() and not bad.exists()

    with pytest.raises(RuntimeError), Sessions("record") as sessions:
        plan_then_apply(sessions, flow, api.base_url, cassette_path(tmp_path, "interrupted"))
        raise RuntimeError("the command stopped")
    assert not cassette_path(tmp_path, "interrupted").exists()


def test_strict_replay_reports_recorded_requests_that_were_not_sent(api: Api, write_flow: Callable[..., Path], tmp_path: Path) -> None:
    flow = write_flow(ORDER_FLOW)
    path = cassette_path(tmp_path, "order-1")
    with Sessions("record") as sessions:
        plan_then_apply(sessions, flow, api.base_url, path)
    context = {"order": ORDER, "target": {"base_url": api.base_url}, "secrets": {"token": "x"}}
    sessions = Sessions("replay", strict=True)
    with sessions.open(path) as transport:
        run_flow(load_flow(flow), context, transport=transport, clock=InstantClock(), stop_before="write")
    with pytest.raises(OrderspecError, match=r"1 recorded request was not sent in replay: POST /orders"):
        sessions.close()
