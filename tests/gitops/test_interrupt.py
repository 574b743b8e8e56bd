"""Ctrl-C (SIGINT) during ``orderspec apply``: the draft is deleted or kept, a sent order is never lost track of."""

from __future__ import annotations

import json
import signal
import time
from pathlib import Path

import httpx

from orderspec.state import StateStore, open_store

from .conftest import NAMES, SPECS, Repo, Served, make_repo


def _interrupt_when(repo: Repo, system: str, store: StateStore, reached) -> tuple[int, str]:
    """Start apply, press Ctrl-C as soon as ``reached(record)`` holds; its exit code and stderr."""
    process = repo.process("apply", "--yes", f"specs/{SPECS[system]}")
    deadline = time.monotonic() + 60
    while process.poll() is None and time.monotonic() < deadline:
        record = store.get(NAMES[system], system)
        if record is not None and reached(record):
            process.send_signal(signal.SIGINT)
            break
        time.sleep(0.003)
    _, err = process.communicate(timeout=60)
    return process.returncode, err


def _repo(system: str, app: str, served: Served, tmp_path: Path) -> tuple[Repo, StateStore]:
    config = {"faults": {"latency_ms": 150}, "analysis_polls": 0} if app == "3yourmind" else {"faults": {"latency_ms": 150}}
    url = f"sqlite://{tmp_path}/state.db"
    repo = make_repo(tmp_path / "repo", url, {system: served(app, config)})
    return repo, open_store(url, root=repo.folder)


def test_ctrl_c_before_placing_deletes_the_draft_and_the_next_apply_starts_over(served: Served, tmp_path: Path) -> None:
    repo, store = _repo("ctq", "ctq", served, tmp_path)
    try:
        code, err = _interrupt_when(repo, "ctq", store, lambda record: "upload models[0]/upload" in record.done)
        assert code == 130, err
        draft = store.get("ctq-bracket", "ctq")
    finally:
        store.close()
    assert draft is not None and (draft.phase.value, draft.done, draft.intent) == ("pending", (), None)
    match = err.split("the draft order ", 1)[1]
    order_id = match.split(" ", 1)[0]
    assert "error: specs/ctq-bracket.yaml: interrupted before placing; the draft order " in err
    assert "was deleted; the next apply starts it over" in err
    assert httpx.get(f"{repo.base_urls['ctq']}/orders/{order_id}", headers={"x-api-key": "sandbox-org", "language": "en"}).status_code == 404
    shown = json.loads(repo.orderspec("state", "show", "ctq-bracket", "--format", "json").stdout)
    assert shown["history"][-1]["action"] == "interrupted"
    applied = repo.orderspec("apply", "--yes", "specs")
    assert applied.code == 0 and len(repo.orders("ctq")) == 1


def test_ctrl_c_while_the_order_is_sent_is_read_back_by_the_next_apply(served: Served, tmp_path: Path) -> None:
    repo, store = _repo("tophoto", "tophoto", served, tmp_path)
    try:
        code, err = _interrupt_when(repo, "tophoto", store, lambda record: record.intent == "finalize")
        assert code == 130, err
        record = store.get("tophoto-mug", "tophoto")
    finally:
        store.close()
    assert record is not None and record.intent == "finalize"
    assert (
        "interrupted while step 'finalize' (place) was being sent: the order may exist; "
        "the next apply reads it back from the target before sending anything again"
    ) in err
    applied = repo.orderspec("apply", "--yes", "specs")
    assert applied.code == 0, applied.output
    placed = [order for order in repo.orders("tophoto") if order["status"] not in ("Temporary", "Canceled")]
    assert len(placed) == 1


def test_ctrl_c_while_an_order_the_flow_cannot_read_back_is_sent_leaves_it_uncertain(served: Served, tmp_path: Path) -> None:
    system = "3yourmind-service-panel"
    repo, store = _repo(system, "3yourmind", served, tmp_path)
    try:
        code, err = _interrupt_when(repo, system, store, lambda record: record.intent == "place order")
        record = store.get(NAMES[system], system)
    finally:
        store.close()
    assert code == 130, err
    assert record is not None and record.phase.value == "uncertain"
    assert "3yd-service-panel-bracket is uncertain: step 'place order' was sent and nobody can tell whether it took effect" in err
    assert "orderspec resolve 3yd-service-panel-bracket --profile 3yourmind-service-panel --placed ORDER_ID" in err
    assert repo.orderspec("apply", "--yes", "specs").code == 3


def test_a_spec_edited_after_ctrl_c_during_its_order_is_read_back_then_started_over(served: Served, tmp_path: Path) -> None:
    repo, store = _repo("tophoto", "tophoto", served, tmp_path)
    try:
        code, err = _interrupt_when(repo, "tophoto", store, lambda record: record.intent == "finalize")
    finally:
        store.close()
    assert code == 130, err

    def more_prints(data: dict) -> None:
        data["items"][1]["quantity"] = 3

    repo.edit("tophoto", more_prints)
    plan = repo.orderspec("plan", "specs")
    assert "  first:     read back 'finalize': its outcome is unknown; it is sent again only if it did not take effect" in plan.stdout
    applied = repo.orderspec("apply", "--yes", "specs")
    assert applied.code == 0, applied.output
    orders = repo.orders("tophoto")
    placed = [order for order in orders if order["status"] not in ("Temporary", "Canceled")]
    assert [[p["count"] for p in order["projects"]] for order in placed] == [[1, 3]]  # the edited spec, once
    assert [order["status"] for order in orders if order not in placed] == ["Canceled"]  # the first draft, discarded
    history = json.loads(repo.orderspec("state", "show", "tophoto-mug", "--format", "json").stdout)["history"]
    assert [entry["action"] for entry in history][-3:] == ["apply-started", "apply-started", "placed"]
