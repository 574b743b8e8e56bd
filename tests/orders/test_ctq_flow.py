"""The CTQ flow against its sandbox: "Info has been changed" and units per item."""

from __future__ import annotations

import httpx
import pytest

from orderspec.orders import Runtime, apply_specs
from orderspec.sandbox import SandboxConfig

from .conftest import placed_orders, profile_for, write_profiles


def _requests(base_url: str) -> dict[str, int]:
    return httpx.get(f"{base_url}/_sandbox/requests", timeout=10).json()


@pytest.mark.parametrize("operation", ["patch", "place-order"])
def test_info_has_been_changed_is_retried_after_reading_again(operation, specs, sandbox, sandbox_env) -> None:
    running = sandbox("ctq", SandboxConfig(options={"info_changed_once": operation}))
    spec = specs("ctq")
    write_profiles(spec.parent, {"ctq": profile_for("ctq", running.base_url)})
    events: list[object] = []
    [placed] = apply_specs([spec], runtime=Runtime(events=lambda prepared, event: events.append(event)))
    [order] = placed_orders(running.base_url)
    assert placed.order_number == order["order_number"] == "10001"
    counts = _requests(running.base_url)
    # two PATCHes (slice, configure) and one place-order, plus the one that changed nothing
    assert counts["PATCH /orders/{order_id}"] == 2 + (operation == "patch")
    assert counts["POST /orders/{order_id}/place-order"] == 1 + (operation == "place-order")
    # /info and the order were read again before the second try
    assert counts["GET /info"] == 2
    assert counts["GET /orders/{order_id}"] == 2
    retried = [e for e in events if type(e).__name__ == "StepRetried"]
    assert len(retried) == 1 and "Info has been changed" in retried[0].reason


def test_each_item_is_sliced_in_its_own_unit(specs, sandbox, sandbox_env) -> None:
    def inch_spacer(data: dict) -> None:
        data["items"][1].update(file="models/spacer-inch.stl", unit="inch")

    running = sandbox("ctq")
    spec = specs("ctq", inch_spacer)
    write_profiles(spec.parent, {"ctq": profile_for("ctq", running.base_url)})
    apply_specs([spec])
    [order] = placed_orders(running.base_url)
    assert [(item["model"]["filename"], item["model"]["units"]) for item in order["items"]] == [("bracket.stl", "mm"), ("spacer-inch.stl", "in")]
