"""Lost answers: read back where the flow can, ``uncertain`` (exit 3) where it cannot, settled by ``orderspec resolve``; locks."""

from __future__ import annotations

import json
import random
import threading
import time
from pathlib import Path

from orderspec.sandbox import FaultConfig, SandboxConfig
from orderspec.state import open_store


def _lost_once() -> int:
    """A fault seed whose first affected request loses its answer and the second is answered."""
    for seed in range(1000):
        draws = random.Random(seed)
        first, _, second, _ = (draws.random() for _ in range(4))
        if first < 0.5 <= second:
            return seed
    raise AssertionError("no seed found")


def _lost(paths: tuple[str, ...], rate: float = 1.0) -> SandboxConfig:
    return SandboxConfig(faults=FaultConfig(seed=_lost_once(), lost_response_rate=rate, paths=paths), analysis_polls=0)


def test_a_lost_place_answer_is_read_back_in_the_same_run(repo_with) -> None:
    repo = repo_with("ctq", configs={"ctq": _lost(("/orders/*/place-order",))})
    applied = repo.orderspec("apply", "--yes", "specs")
    assert applied.code == 0, applied.output
    [order] = repo.orders("ctq")
    assert repo.requests("ctq")["POST /orders/{order_id}/place-order"] == 1
    # GET /orders/{id} documents no order number: the order is reported by its id
    assert f"placed ctq-bracket: order {order['order_id']} " in applied.stdout
    assert "('place order' was read back: it had taken effect)" in applied.stdout
    shown = json.loads(repo.orderspec("state", "show", "ctq-bracket", "--format", "json").stdout)
    assert (shown["phase"], shown["intent"]) == ("placed", None)
    assert repo.orderspec("plan", "--detailed-exitcode", "specs").code == 0


def test_a_lost_create_answer_is_uncertain_until_resolved(repo_with) -> None:
    repo = repo_with("ctq", configs={"ctq": _lost(("/get-signed-urls",), rate=0.5)})
    applied = repo.orderspec("apply", "--yes", "specs")
    assert applied.code == 3, applied.output
    assert (
        "error: specs/ctq-bracket.yaml: ctq-bracket is uncertain: step 'create order' was sent and nobody can tell whether it took effect"
    ) in applied.stderr
    assert "'orderspec resolve ctq-bracket --profile ctq --placed ORDER_ID' or '... --not-placed'" in applied.stderr
    assert "0 orders placed, 1 not placed." in applied.stdout
    shown = json.loads(repo.orderspec("state", "show", "ctq-bracket", "--format", "json").stdout)
    assert (shown["phase"], shown["intent"]) == ("uncertain", "create order")
    assert [entry["action"] for entry in shown["history"]] == ["apply-started", "uncertain"]

    plan = repo.orderspec("plan", "--detailed-exitcode", "specs")
    assert plan.code == 2 and "ctq-bracket (specs/ctq-bracket.yaml): uncertain: " in plan.stdout
    sent = repo.requests("ctq")
    again = repo.orderspec("apply", "--yes", "specs")
    assert again.code == 3 and repo.requests("ctq") == sent  # nothing is sent for it until someone looks

    assert repo.orders("ctq") == []  # the draft exists at the target, but no order was placed
    settled = repo.orderspec("resolve", "ctq-bracket", "--not-placed")
    assert settled.code == 0, settled.output
    placed = repo.orderspec("apply", "--yes", "specs")
    assert placed.code == 0, placed.output
    assert "placed ctq-bracket: order 10001 " in placed.stdout
    assert len(repo.orders("ctq")) == 1 and repo.requests("ctq")["POST /get-signed-urls"] == 2


def test_a_lost_answer_where_the_flow_cannot_read_back_is_settled_as_placed(repo_with) -> None:
    placing = ("/api/v2.0/service-panel/services/1/internal-ordering/orders/",)
    repo = repo_with("3yourmind-service-panel", configs={"3yourmind-service-panel": _lost(placing)})
    applied = repo.orderspec("apply", "--yes", "specs")
    assert applied.code == 3, applied.output
    assert "3yd-service-panel-bracket is uncertain: step 'place order' was sent" in applied.stderr
    [order] = repo.orders("3yourmind-service-panel")  # it did take effect; only the answer was lost
    number = str(order["number"])
    assert repo.orderspec("resolve", "3yd-service-panel-bracket", "--placed", number).code == 0
    plan = repo.orderspec("plan", "--detailed-exitcode", "specs")
    assert plan.code == 0 and f"unchanged, placed as order {number}" in plan.stdout
    assert repo.orderspec("apply", "--yes", "specs").code == 0
    assert len(repo.orders("3yourmind-service-panel")) == 1


def test_a_spec_another_apply_holds_is_skipped_or_waited_for(repo_with, state_url: str, tmp_path: Path) -> None:
    repo = repo_with("ctq", "tophoto")
    store = open_store(state_url, root=tmp_path)
    try:
        held = store.lock("ctq-bracket", "ctq", owner="another orderspec apply")
        held.__enter__()
        skipped = repo.orderspec("apply", "--yes", "specs")
        assert skipped.code == 1
        assert "error: specs/ctq-bracket.yaml: skipped: ctq-bracket (profile ctq) is being worked on by another orderspec apply (pid" in skipped.stderr
        assert "apply --wait SECONDS waits for it" in skipped.stderr
        assert "placed tophoto-mug" in skipped.stdout and repo.orders("ctq") == []

        release = threading.Timer(1.0, held.__exit__, (None, None, None))
        release.start()
        started = time.monotonic()
        waited = repo.orderspec("apply", "--yes", "--wait", "30", "specs")
        release.join()
        assert waited.code == 0, waited.output
        assert time.monotonic() - started >= 0.9
        assert "placed ctq-bracket: order 10001" in waited.stdout and "unchanged tophoto-mug" in waited.stdout
    finally:
        store.close()
    assert len(repo.orders("ctq")) == 1 and len(repo.orders("tophoto")) == 1
