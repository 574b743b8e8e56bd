"""``apply``: carry out one spec's plan and report the placed order.

The plan's reads are not sent again: the flow carries on from the variables and steps
the plan recorded, unless the plan is older than ``Runtime.plan_max_age`` (then every
step runs, reads included). Once a ``place`` step was sent, the order is the target's:
it is never discarded, and a later failure (a read-back answering 500, a capture) is
reported as a warning on the placed order, with whatever number the answer gave.

With a state (``Runtime.state``) apply places each spec exactly once, however often it
runs and wherever it was stopped; see ``_stateful``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from orderspec.orders._budget import Quote, quote_of
from orderspec.orders._contract import names, order_number
from orderspec.orders._plan import Plan
from orderspec.orders._prepare import OrderError, Prepared
from orderspec.orders._run import Outcome, run
from orderspec.orders._runtime import Runtime


@dataclass(frozen=True)
class PlacedOrder:
    """One spec's placed order: placed now, or by an earlier apply (``action``)."""

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
    action: str = "placed"
    """``placed`` (by this apply), ``unchanged`` (placed before; nothing was sent) or
    ``drift`` (placed before from an earlier version of the spec; not ordered again)."""
    note: str = ""
    """How it came about, when that is worth saying (read back after a lost answer, resumed)."""


def apply(plan: Plan, runtime: Runtime) -> PlacedOrder:
    """Place the order ``plan`` describes; ``OrderError`` when it was not placed (or may have been).

    With ``runtime.state`` the spec's lock is held throughout and its record decides: see
    ``orderspec.orders._stateful``.
    """
    if runtime.state is not None:
        from orderspec.orders._stateful import apply_with_state

        return apply_with_state(plan, runtime, runtime.state)
    check_plan_budget(plan)
    prepared = plan.prepared
    done, reads = fresh_reads(plan, runtime)
    return placed_from(prepared, *carry_out(prepared, runtime, done=done, variables=reads))


def check_plan_budget(plan: Plan) -> None:
    """Refuse, before anything is sent, a plan whose quote is already over the spec's budget."""
    from orderspec.orders._budget import BudgetExceeded

    if plan.over_budget is not None and plan.budget is not None and plan.quote is not None:
        raise BudgetExceeded(
            f"{plan.spec}: the quoted total {plan.quote.total:.2f} {plan.budget.currency} exceeds the budget of "
            f"{plan.budget.max_total:.2f} {plan.budget.currency} by {plan.over_budget:.2f} {plan.budget.currency}; nothing was sent",
            hint="raise budget.max_total in the spec, or change what it orders",
        )


def fresh_reads(plan: Plan, runtime: Runtime) -> tuple[tuple[str, ...], Mapping[str, Any] | None]:
    """The plan's read steps and their variables, when they are recent enough to reuse."""
    fresh = runtime.clock.monotonic() - plan.planned_at <= runtime.plan_max_age
    return (plan.done, plan.reads) if fresh and plan.done else ((), None)


def carry_out(prepared: Prepared, runtime: Runtime, **options: Any) -> tuple[Outcome, tuple[str, ...]]:
    """Run the flow to its end; a failure after the order was placed is a warning, not an error."""
    try:
        return run(prepared, runtime, **options), ()
    except OrderError as exc:
        placed = placed_before(exc)
        if placed is None:
            raise
        return placed, (exc.message,)


def placed_from(prepared: Prepared, outcome: Outcome, warnings: tuple[str, ...] = (), *, note: str = "") -> PlacedOrder:
    """The placed order a finished run describes; ``OrderError`` when it has no order number."""
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
        note=note,
    )


def placed_before(exc: OrderError) -> Outcome | None:
    """The run up to a failure that came after a ``place`` step succeeded; None when nothing was placed."""
    partial = exc.result
    if partial is None or not any(step.effect == "place" and step.outcome == "ok" for step in partial.steps):
        return None
    return Outcome(outputs=dict(partial.outputs), vars=dict(partial.vars), steps=tuple(partial.steps), elapsed=partial.elapsed)
