"""``apply``: run each spec's flow to the end and report the order numbers.

Specs run one after the other; a failing spec does not stop the others, and the
failures are raised together at the end (each naming its spec and step). Each spec's
order is placed once per invocation; remembering what was placed across invocations
is the state store's job, not this module's.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from orderspec.errors import OrderspecError
from orderspec.orders._budget import Quote, quote_of
from orderspec.orders._run import run
from orderspec.orders._sandboxes import SandboxPool, pool_for
from orderspec.orders._specs import load_orders
from orderspec.orders._target import OrderError, Prepared, prepare

_NUMBER_KEYS = ("order_number", "order_id")


@dataclass(frozen=True)
class PlacedOrder:
    """One spec's placed order."""

    spec: str
    name: str
    system: str
    profile: str
    base_url: str
    sandbox: bool
    order_number: Any
    outputs: Mapping[str, Any]
    quote: Quote | None
    elapsed: float


@dataclass(frozen=True)
class FailedOrder:
    spec: str
    name: str
    message: str
    step: str | None


class ApplyFailed(OrderspecError):
    """At least one spec could not be placed; ``placed`` holds those that were."""

    def __init__(self, failures: list[FailedOrder], placed: list[PlacedOrder], exit_code: int = 1) -> None:
        if len(failures) == 1:
            message = failures[0].message
        else:
            message = f"{len(failures)} specs failed:\n" + "\n".join(f"  {failure.message}" for failure in failures)
        super().__init__(message)
        self.failures = failures
        self.placed = placed
        self.exit_code = exit_code


def apply(
    paths: Iterable[str | os.PathLike[str]],
    *,
    sandbox: bool = False,
    profile: str | None = None,
    profiles_file: Path | None = None,
    sandboxes: SandboxPool | None = None,
    on_event: Callable[[Prepared, Any], None] | None = None,
    on_placed: Callable[[PlacedOrder], None] | None = None,
) -> list[PlacedOrder]:
    """Place the order of every spec under ``paths``; raise ``ApplyFailed`` if any failed."""
    orders = load_orders(paths)
    placed: list[PlacedOrder] = []
    failures: list[FailedOrder] = []
    exit_code = 1
    with pool_for(sandbox, sandboxes) as pool:
        for label, order in orders:
            try:
                result = _apply_one(label, order, profile, profiles_file, pool, on_event)
            except OrderspecError as exc:
                failures.append(FailedOrder(label, order.name, _named(label, exc), getattr(exc, "step", None)))
                exit_code = max(exit_code, exc.exit_code)
                continue
            placed.append(result)
            if on_placed is not None:
                on_placed(result)
    if failures:
        raise ApplyFailed(failures, placed, exit_code)
    return placed


def _apply_one(
    label: str,
    order: Any,
    profile: str | None,
    profiles_file: Path | None,
    pool: SandboxPool | None,
    on_event: Callable[[Prepared, Any], None] | None,
) -> PlacedOrder:
    prepared = prepare(order, label=label, profile_name=profile, profiles_file=profiles_file, sandboxes=pool)
    listener = None if on_event is None else (lambda event: on_event(prepared, event))
    outcome = run(prepared, on_event=listener)
    outputs = dict(outcome.outputs)
    number = next((outputs[key] for key in _NUMBER_KEYS if outputs.get(key) is not None), None)
    if number is None:
        raise OrderError(
            f"{label}: the flow finished without an order number (outputs: {', '.join(outputs) or 'none'})",
            hint="every step succeeded, so the target may hold the order: check there before running again",
        )
    return PlacedOrder(
        **prepared.destination,
        order_number=number,
        outputs=outputs,
        quote=quote_of(outcome.vars),
        elapsed=outcome.elapsed,
    )


def _named(label: str, exc: OrderspecError) -> str:
    text = str(exc)
    return text if text.startswith(label) else f"{label}: {text}"
