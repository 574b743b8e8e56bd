"""``apply``: carry out one spec's plan and report the placed order.

The plan's reads are not sent again: the flow carries on from the variables and steps
the plan recorded, unless the plan is older than ``Runtime.plan_max_age`` (then every
step runs, reads included). Once a ``place`` step was sent, the order is the target's:
it is never discarded, and a later failure (a read-back answering 500, a capture) is
reported as a warning on the placed order, with whatever number the answer gave.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from orderspec.orders._budget import Quote, quote_of
from orderspec.orders._contract import names, order_number
from orderspec.orders._plan import Plan
from orderspec.orders._prepare import OrderError
from orderspec.orders._run import Outcome, run
from orderspec.orders._runtime import Runtime


@dataclass(frozen=True)
class PlacedOrder:
    """One spec's placed order."""

    spec: str
    name: str
    system: str
    profile: str
    base_url: str
    sandbox: bool
    order_number: str
    outputs: Mapping[str, Any]
    quote: Quote | None
    elapsed: float
    warnings: tuple[str, ...] = ()
    """What went wrong after the order was placed (it stays placed)."""


def apply(plan: Plan, runtime: Runtime) -> PlacedOrder:
    """Place the order ``plan`` describes; ``OrderError`` when it was not placed (or may have been)."""
    prepared = plan.prepared
    fresh = runtime.clock.monotonic() - plan.planned_at <= runtime.plan_max_age
    done, reads = (plan.done, plan.reads) if fresh and plan.done else ((), None)
    warnings: tuple[str, ...] = ()
    try:
        outcome = run(prepared, runtime, done=done, variables=reads)
    except OrderError as exc:
        placed = _placed_before(exc)
        if placed is None:
            raise
        outcome, warnings = placed, (exc.message,)
    number = order_number(prepared.flow, outcome.outputs, outcome.vars)
    if number is None:
        raise OrderError(
            f"{prepared.label}: the flow finished without an order number (outputs: {', '.join(outcome.outputs) or 'none'})",
            hint="every step succeeded, so the target may hold the order: check there before running again",
        )
    contract = names(prepared.flow)
    return PlacedOrder(
        **prepared.destination,
        order_number=number,
        outputs=dict(outcome.outputs),
        quote=quote_of(outcome.vars, contract.quote_total, contract.quote_currency),
        elapsed=outcome.elapsed,
        warnings=warnings,
    )


def _placed_before(exc: OrderError) -> Outcome | None:
    """The run up to a failure that came after a ``place`` step succeeded; None when nothing was placed."""
    partial = exc.result
    if partial is None or not any(step.effect == "place" and step.outcome == "ok" for step in partial.steps):
        return None
    return Outcome(outputs=dict(partial.outputs), vars=dict(partial.vars), steps=tuple(partial.steps), elapsed=partial.elapsed)
