"""apply --parallel: specs side by side, each placed exactly once, reported in the plans' order."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import httpx
import pytest
import yaml

from orderspec.engine import InstantClock
from orderspec.orders import Runtime, SandboxPool, apply_all, load_orders, open_ledger, plan_all
from orderspec.orders._render import ParallelProgress

from .conftest import EXAMPLES

COUNT = 12


def _specs(folder: Path) -> list[Path]:
    shutil.copytree(EXAMPLES / "models", folder / "models")
    source = yaml.safe_load((EXAMPLES / "ctq-bracket.yaml").read_text(encoding="utf-8"))
    paths = []
    for index in range(COUNT):
        path = folder / f"part-{index:02d}.yaml"
        path.write_text(yaml.safe_dump(dict(source, metadata={"name": f"part-{index:02d}"}), sort_keys=False), encoding="utf-8")
        paths.append(path)
    return paths


@pytest.mark.parametrize("parallel", [1, 4])
def test_every_spec_is_placed_once_and_reported_in_order(tmp_path: Path, parallel: int) -> None:
    paths = _specs(tmp_path)
    stream = io.StringIO()
    with SandboxPool() as pool:
        runtime = Runtime(clock=InstantClock(), events=ParallelProgress(stream))
        plans = plan_all(load_orders(paths), Runtime(clock=InstantClock()), sandboxes=pool)
        seen: list[str] = []
        placed = apply_all(plans, runtime, parallel=parallel, on_placed=lambda order: seen.append(order.name))
        [running] = pool.apps()
        orders = httpx.get(f"{running.base_url}/_sandbox/orders", timeout=10).json()
    assert [order.name for order in placed] == [f"part-{index:02d}" for index in range(COUNT)]
    assert sorted(seen) == sorted(order.name for order in placed)
    assert len(orders) == COUNT and len({order.order_number for order in placed}) == COUNT
    lines = stream.getvalue().splitlines()
    assert all(line.split(": ", 1)[0].startswith("part-") for line in lines)  # every line names its spec
    assert sum(line.endswith("-> 200 (0 ms)") or "place order" in line for line in lines) >= COUNT


def test_with_state_each_spec_is_placed_once_and_a_second_run_places_nothing(tmp_path: Path) -> None:
    paths = _specs(tmp_path)
    with SandboxPool() as pool, open_ledger(f"sqlite:{tmp_path / 'state.db'}", root=tmp_path) as ledger:
        runtime = Runtime(clock=InstantClock(), state=ledger)
        apply_all(plan_all(load_orders(paths), runtime, sandboxes=pool), runtime, parallel=4)
        again = plan_all(load_orders(paths), runtime, sandboxes=pool)
        [running] = pool.apps()
        orders = httpx.get(f"{running.base_url}/_sandbox/orders", timeout=10).json()
    assert len(orders) == COUNT
    assert {entry.action for entry in again} == {"unchanged"}
