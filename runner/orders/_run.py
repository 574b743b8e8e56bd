"""Running one prepared spec's flow with the engine: the budget gate, errors that name
the spec and the step, and discarding a draft that must not stay behind."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from orderspec.errors import OrderspecError
from orderspec.orders._budget import BudgetExceeded, budget_of, check_budget, quote_of
from orderspec.orders._client import make_client
from orderspec.orders._drafts import Discarded, discard
from orderspec.orders._target import OrderError, Prepared


@dataclass(frozen=True)
class Outcome:
    """What one flow run left for ``plan`` and ``apply``: outputs, the quote in its vars, the draft's fate."""

    outputs: Mapping[str, Any]
    vars: Mapping[str, Any] = field(repr=False)
    elapsed: float
    discarded: Discarded | None = None


def run(
    prepared: Prepared,
    *,
    stop_before: str | None = None,
    on_event: Callable[[Any], None] | None = None,
    discard_draft: bool = False,
) -> Outcome:
    """Run the flow; ``discard_draft`` deletes the draft afterwards (``plan --quote``).

    A failure before the order is placed also discards the draft it created, and is
    raised as ``OrderError`` naming the spec, the step and what became of the draft.
    """
    from orderspec.engine import run_flow

    budget = budget_of(prepared.order.data)

    def gate(pending: Any) -> None:
        if budget is not None:
            check_budget(budget, quote_of(pending.vars), spec=prepared.label, step=pending.path)

    with make_client(prepared.profile, prepared.secrets) as client:
        try:
            result = run_flow(
                prepared.flow,
                _context(prepared),
                client=client,
                on_event=on_event,
                gate=gate,
                stop_before=stop_before,
            )
        except OrderspecError as exc:
            partial = getattr(exc, "result", None)
            variables = dict(partial.vars) if partial is not None else {}
            # the budget gate stops before a send, also before a place step is sent again
            failed_place = _failed_at_place(partial) and not isinstance(exc, BudgetExceeded)
            note = None if failed_place else _discard(prepared, variables, client)
            raise _order_error(prepared, exc, note, partial) from None
        note = _discard(prepared, result.vars, client) if discard_draft else None
    return Outcome(outputs=dict(result.outputs), vars=dict(result.vars), elapsed=result.elapsed, discarded=note)


def _failed_at_place(partial: Any) -> bool:
    """Whether the run stopped in its ``place`` step after sending it: the outcome is the target's then."""
    if partial is None or not partial.steps:
        return False
    last = partial.steps[-1]
    return last.effect == "place" and last.outcome == "failed" and bool(last.method)


def _context(prepared: Prepared, variables: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """What the flow's templates see; the draft's discard request also sees the vars captured so far."""
    context = {"order": prepared.order.data, "target": prepared.target, "secrets": prepared.secrets, "folder": prepared.order.path.parent}
    if variables is not None:
        context["vars"] = dict(variables)
    return context


def _discard(prepared: Prepared, variables: Mapping[str, Any], client: Any) -> Discarded | None:
    return discard(prepared.flow, _context(prepared, variables), client)


def _order_error(prepared: Prepared, exc: OrderspecError, note: Discarded | None, partial: Any) -> OrderError:
    text = exc.message
    message = text if text.startswith(prepared.label) else f"{prepared.label}: {text}"
    if note is not None:
        message += f"; {note}"
    step = getattr(exc, "step", None)
    hint = exc.hint
    if hint is None and _unreachable_default(prepared, exc):
        port = prepared.profile.base_url.rsplit(":", 1)[-1]
        hint = f"add --sandbox, or start the sandbox with: orderspec sandbox serve {prepared.system} --port {port}"
    error = OrderError(message, step=step, hint=hint, result=partial)
    error.exit_code = exc.exit_code
    return error


def _unreachable_default(prepared: Prepared, exc: OrderspecError) -> bool:
    """The embedded default profile points at a sandbox that is not running."""
    from orderspec.engine import ConnectionFailed

    return isinstance(exc, ConnectionFailed) and prepared.profile.source == "embedded default"
