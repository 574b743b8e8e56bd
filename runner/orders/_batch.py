"""Many specs at once: load them all, plan them all, then apply the plans.

Loading is the first stage and its own: every spec is validated before anything is
sent, and every invalid one is reported together. Planning resolves every spec's names
before anything is placed, and a failing spec does not stop the others: the failures
are raised together at the end, each naming its spec and step.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from orderspec.errors import OrderspecError, UsageError
from orderspec.orders._apply import PlacedOrder, apply
from orderspec.orders._plan import Plan, plan
from orderspec.orders._prepare import prepare
from orderspec.orders._runtime import Runtime
from orderspec.orders._sandboxes import SandboxPool, pool_for


@dataclass(frozen=True)
class FailedOrder:
    spec: str
    name: str
    message: str
    step: str | None
    exit_code: int = 1
    """3 for a spec left uncertain, 130 for one interrupted; 1 otherwise."""


class OrdersFailed(OrderspecError):
    """At least one spec failed; ``failures`` says which and why, ``done`` holds the others' results."""

    def __init__(self, failures: Sequence[FailedOrder], done: Sequence[Any], exit_code: int = 1, *, message: str | None = None) -> None:
        """``message`` replaces the one made of ``failures`` (a run that stopped without one, as after Ctrl-C)."""
        if message is None and len(failures) == 1:
            message = failures[0].message
        elif message is None:
            message = f"{len(failures)} specs failed:\n" + "\n".join(f"  {failure.message}" for failure in failures)
        super().__init__(message)
        self.failures = list(failures)
        self.done = list(done)
        self.exit_code = exit_code


class PlanFailed(OrdersFailed):
    """Some specs could not be planned; ``planned`` holds the plans of the others."""

    @property
    def planned(self) -> list[Plan]:
        return list(self.done)


class ApplyFailed(OrdersFailed):
    """Some specs were not placed; ``placed`` holds those that were."""

    @property
    def placed(self) -> list[PlacedOrder]:
        return list(self.done)


def load_orders(
    paths: Iterable[str | os.PathLike[str]], *, profiles_file: Path | None = None, profile: str | None = None
) -> list[tuple[str, Any]]:
    """``(label, Order)`` for every spec under ``paths``; every problem of every spec (its profile,
    its custom flow) is reported at once, before anything is sent."""
    from orderspec.spec import SpecError
    from orderspec.validation import validate

    given = list(paths)
    report = validate(given, profiles_file=profiles_file, profile=profile)
    if not report.ok:
        raise SpecError(report.problems)
    found = [(result.file, result.order) for result in report.results if result.order is not None]
    if not found:
        raise UsageError(f"no order specs found in {', '.join(map(str, given))}", hint="a spec is a YAML file with kind: Order")
    return found


def plan_all(
    orders: Iterable[tuple[str, Any]],
    runtime: Runtime,
    *,
    quote: bool = False,
    profile: str | None = None,
    profiles_file: Path | None = None,
    sandboxes: SandboxPool | None = None,
) -> list[Plan]:
    """A plan for every loaded spec; ``PlanFailed`` names every spec that could not be planned."""
    plans: list[Plan] = []
    failures: list[FailedOrder] = []
    exit_code = 1
    for label, order in orders:
        try:
            prepared = prepare(order, label=label, profile=profile, profiles_file=profiles_file, sandboxes=sandboxes, offline=runtime.offline)
            plans.append(plan(prepared, runtime, quote=quote))
        except OrderspecError as exc:
            failures.append(_failure(label, order, exc))
            exit_code = max(exit_code, exc.exit_code)
    if failures:
        raise PlanFailed(failures, plans, exit_code)
    return plans


def apply_all(
    plans: Iterable[Plan], runtime: Runtime, *, on_placed: Callable[[PlacedOrder], None] | None = None, parallel: int = 1
) -> list[PlacedOrder]:
    """Carry out every plan; ``ApplyFailed`` names every spec that was not placed.

    The result lists every spec's order: placed now, or (with a state) ``unchanged`` or
    ``drift``, placed before. Each spec is one call of ``apply`` sharing nothing with the
    others but the runtime's values and the state store, where each holds its own lock.
    A spec another apply is working on is skipped (``Locked``, exit 1); an uncertain spec
    exits 3; Ctrl-C stops at the spec it interrupted (exit 130).

    ``parallel`` applies that many specs at a time (threads: the work is waiting on
    targets); results keep the plans' order and ``on_placed`` is called as each is placed.
    Ctrl-C then starts no further spec and lets the running ones finish their step.
    """
    from orderspec.orders._stateful import Interrupted

    entries = list(plans)
    done: dict[int, PlacedOrder] = {}
    failures: list[FailedOrder] = []
    exit_code = 1
    for index, outcome in _applied(entries, runtime, parallel):
        entry = entries[index]
        if isinstance(outcome, Interrupted):
            if outcome.placed is None:
                failures.append(_failure(entry.spec, entry.prepared.order, outcome))
            else:  # Ctrl-C after the place step: the order counts as placed, the run stops all the same
                done[index] = outcome.placed
                if on_placed is not None:
                    on_placed(outcome.placed)
            raise ApplyFailed(failures, [done[key] for key in sorted(done)], outcome.exit_code, message=outcome.message) from None
        if isinstance(outcome, OrderspecError):
            failures.append(_failure(entry.spec, entry.prepared.order, outcome))
            exit_code = max(exit_code, outcome.exit_code)
            continue
        done[index] = outcome
        if on_placed is not None:
            on_placed(outcome)
    placed = [done[key] for key in sorted(done)]
    if failures:
        raise ApplyFailed(failures, placed, exit_code)
    return placed


def _applied(entries: list[Plan], runtime: Runtime, parallel: int) -> Iterator[tuple[int, PlacedOrder | OrderspecError]]:
    """Each plan's index and what applying it gave, as each finishes."""
    if parallel <= 1 or len(entries) <= 1:
        for index, entry in enumerate(entries):
            try:
                yield index, apply(entry, runtime)
            except OrderspecError as exc:
                yield index, exc
        return
    with ThreadPoolExecutor(max_workers=parallel, thread_name_prefix="orderspec-apply") as pool:
        futures = {pool.submit(apply, entry, runtime): index for index, entry in enumerate(entries)}
        try:
            for future in as_completed(futures):
                try:
                    yield futures[future], future.result()
                except OrderspecError as exc:
                    yield futures[future], exc
        except BaseException:  # Ctrl-C, or the caller stopped: start nothing more
            for future in futures:
                future.cancel()
            raise


def plan_specs(
    paths: Iterable[str | os.PathLike[str]],
    *,
    runtime: Runtime | None = None,
    sandbox: bool = False,
    quote: bool = False,
    profile: str | None = None,
    profiles_file: Path | None = None,
    sandboxes: SandboxPool | None = None,
) -> list[Plan]:
    """Load and plan every spec under ``paths`` (the ``orderspec plan`` command as a function)."""
    orders = load_orders(paths, profiles_file=profiles_file, profile=profile)
    runtime = runtime or Runtime()
    with pool_for(sandbox, sandboxes, offline=runtime.offline) as pool:
        return plan_all(orders, runtime, quote=quote, profile=profile, profiles_file=profiles_file, sandboxes=pool)


def apply_specs(
    paths: Iterable[str | os.PathLike[str]],
    *,
    runtime: Runtime | None = None,
    sandbox: bool = False,
    profile: str | None = None,
    profiles_file: Path | None = None,
    sandboxes: SandboxPool | None = None,
    on_placed: Callable[[PlacedOrder], None] | None = None,
) -> list[PlacedOrder]:
    """Load, plan and apply every spec under ``paths`` (``orderspec apply --yes`` as a function).

    Specs that cannot be planned are reported with those that fail to place; the others
    are placed all the same.
    """
    orders = load_orders(paths, profiles_file=profiles_file, profile=profile)
    runtime = runtime or Runtime()
    with pool_for(sandbox, sandboxes, offline=runtime.offline) as pool:
        try:
            plans = plan_all(orders, runtime, profile=profile, profiles_file=profiles_file, sandboxes=pool)
            unplanned: list[FailedOrder] = []
            code = 1
        except PlanFailed as exc:
            plans, unplanned, code = exc.planned, exc.failures, exc.exit_code
        try:
            placed = apply_all(plans, runtime, on_placed=on_placed)
        except ApplyFailed as exc:
            raise ApplyFailed([*unplanned, *exc.failures], exc.placed, max(code, exc.exit_code)) from None
        if unplanned:
            raise ApplyFailed(unplanned, placed, code)
        return placed


def _failure(label: str, order: Any, exc: OrderspecError) -> FailedOrder:
    from orderspec.state import Locked

    text = str(exc)
    if isinstance(exc, Locked):
        text = f"skipped: {text}"
    message = text if text.startswith(label) else f"{label}: {text}"
    return FailedOrder(label, order.name, message, getattr(exc, "step", None), exc.exit_code)
