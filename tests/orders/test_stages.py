"""Orders pass through stages as values: a plan is carried out as it is, on the runtime given."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import httpx

from orderspec.engine import InstantClock
from orderspec.orders import Runtime, SandboxPool, apply, load_orders, plan, prepare

from .conftest import EXAMPLES, SPECS


def _requests(base_url: str) -> dict[str, int]:
    """How often the sandbox answered each ``METHOD path``."""
    counts: dict[str, int] = httpx.get(f"{base_url}/_sandbox/requests", timeout=10).json()
    return counts


def _planned(system: str, pool: SandboxPool, runtime: Runtime) -> Any:
    [(label, order)] = load_orders([EXAMPLES / SPECS[system]])
    return plan(prepare(order, label=label, sandboxes=pool), runtime)


def test_apply_carries_out_the_plan_without_reading_again() -> None:
    runtime = Runtime(clock=InstantClock())
    with SandboxPool() as pool:
        planned = _planned("3yourmind-service-panel", pool, runtime)
        reads = _requests(planned.base_url)
        assert reads and all(line.startswith("GET ") for line in reads)  # plan sends reads only
        placed = apply(planned, runtime)
        after = _requests(planned.base_url)
    assert placed.order_number
    assert {line: after[line] for line in reads} == reads  # none of the plan's reads was sent again
    assert any(line.startswith("POST ") for line in after)


def test_a_stale_plan_reads_the_target_again() -> None:
    clock = InstantClock()
    runtime = Runtime(clock=clock, plan_max_age=60)
    with SandboxPool() as pool:
        planned = _planned("3yourmind-service-panel", pool, runtime)
        reads = _requests(planned.base_url)
        clock.sleep(61)
        apply(planned, runtime)
        after = _requests(planned.base_url)
    assert {line: after[line] for line in reads} == {line: 2 * count for line, count in reads.items()}


def test_polls_run_on_the_runtime_clock() -> None:
    clock = InstantClock()
    runtime = Runtime(clock=clock)
    with SandboxPool() as pool:
        planned = _planned("3yourmind-user-panel", pool, runtime)
        started = time.perf_counter()
        apply(planned, runtime)
        took = time.perf_counter() - started
    # the sandbox answers "analysing" twice per model before "finished": each wait is on the instant clock
    assert clock.monotonic() >= 2.0
    assert took < 2.0


def test_the_transport_comes_from_the_runtime(tmp_path: Path) -> None:
    opened: list[str] = []

    from contextlib import contextmanager

    from orderspec.orders import live

    @contextmanager
    def counting(prepared: Any) -> Any:
        opened.append(prepared.order.name)
        with live(prepared) as transport:
            yield transport

    runtime = Runtime(transport=counting, clock=InstantClock())
    with SandboxPool() as pool:
        planned = _planned("ctq", pool, runtime)
        apply(planned, runtime)
    assert opened == ["ctq-bracket", "ctq-bracket"]  # one for the plan's reads, one for apply
