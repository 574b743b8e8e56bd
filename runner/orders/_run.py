"""Running one prepared spec's flow: the budget gate, the runtime's transport, clock and
journal, errors that name the spec and the step, and discarding a draft that must not stay."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from orderspec.errors import OrderspecError
from orderspec.orders._budget import BudgetExceeded, budget_of, check_budget, quote_of
from orderspec.orders._client import make_client
from orderspec.orders._contract import names
from orderspec.orders._drafts import Discarded, can_discard, discard
from orderspec.orders._prepare import OrderError, Prepared
from orderspec.orders._runtime import Journal, Runtime


@dataclass(frozen=True)
class Outcome:
    """What one flow run left for ``plan`` and ``apply``."""

    outputs: Mapping[str, Any]
    vars: Mapping[str, Any] = field(repr=False)
    steps: tuple[Any, ...]
    """The engine's ``StepResult`` of every step, in order."""
    elapsed: float
    discarded: Discarded | None = None
    stopped_after: str | None = None
    """The step ``run(stop_after=...)`` stopped after, when it did."""


def run(
    prepared: Prepared,
    runtime: Runtime,
    *,
    stop_before: str | None = None,
    discard_draft: bool = False,
    done: Collection[str] = (),
    variables: Mapping[str, Any] | None = None,
    unknown: Collection[str] = (),
    journal: Journal | None = None,
    keep_draft: bool = False,
    stop_after: str | None = None,
    read_methods: Collection[str] | None = None,
) -> Outcome:
    """Run the flow; ``discard_draft`` deletes the draft afterwards (``plan --quote``).

    ``done`` and ``variables`` carry on from an earlier run (a plan's reads, or a state
    checkpoint); ``unknown`` names create or place steps to read back before sending (see
    ``orderspec.engine.run_flow``). ``journal`` follows this run besides the runtime's.
    A failure before the order is placed also discards the draft it created, unless
    ``keep_draft`` (the state remembers it, so the next apply resumes with it), and is
    raised as ``OrderError`` naming the spec, the step and what became of the draft.
    ``stop_after`` ends the run (returning what ran) once that step has completed, or
    right before its own create or place request would be sent: a step in ``unknown`` is
    then read back only, never sent. ``read_methods`` narrows ``stop_before`` to read steps
    sending those methods (``orderspec.engine.run_flow``).
    """
    from orderspec.engine import FlowFailed, run_flow

    budget = budget_of(prepared.order.data)
    contract = names(prepared.flow)

    def gate(pending: Any) -> None:
        if budget is not None:
            check_budget(budget, quote_of(pending.vars, contract.quote_total, contract.quote_currency), spec=prepared.label, step=pending.path)

    journals = [item for item in (runtime.journal, journal) if item is not None]
    extra: dict[str, Any] = {}
    if journals or stop_after is not None:
        extra["journal"] = _Bound(journals, prepared, stop_after)
    events = runtime.events
    on_event = None if events is None else (lambda event: events(prepared, event))
    with runtime.transport(prepared) as transport, make_client(prepared.profile, prepared.secrets, transport) as client:
        try:
            result = run_flow(
                prepared.flow,
                prepared.context(variables),
                client=client,
                clock=runtime.clock,
                on_event=on_event,
                gate=gate,
                stop_before=stop_before,  # type: ignore[arg-type]
                done=done,
                unknown=unknown,
                read_methods=read_methods,
                redact=prepared.secrets.values(),  # applied by the HTTP layer, never in templates; masked if a server echoes them
                **extra,
            )
        except OrderspecError as exc:
            partial = getattr(exc, "result", None)
            if isinstance(exc, FlowFailed) and isinstance(exc.cause, _Stopped) and partial is not None:
                return Outcome(outputs={}, vars=dict(partial.vars), steps=tuple(partial.steps), elapsed=partial.elapsed, stopped_after=stop_after)
            gathered = dict(partial.vars) if partial is not None else dict(variables or {})
            # after a place step was sent the outcome is the target's: never discard then
            keep = keep_draft or (_sent_place(partial) and not isinstance(exc, BudgetExceeded))
            note = None if keep else discard(prepared.flow, prepared.context(gathered), client)
            raise _order_error(prepared, exc, note, partial) from None
        note = discard(prepared.flow, prepared.context(result.vars), client) if discard_draft else None
    return Outcome(outputs=dict(result.outputs), vars=dict(result.vars), steps=tuple(result.steps), elapsed=result.elapsed, discarded=note)


def discard_draft(prepared: Prepared, runtime: Runtime, variables: Mapping[str, Any]) -> Discarded | None:
    """Delete the draft an earlier run left (named in ``variables``); None when there is none to delete."""
    if not can_discard(prepared.flow):
        return None
    with runtime.transport(prepared) as transport, make_client(prepared.profile, prepared.secrets, transport) as client:
        return discard(prepared.flow, prepared.context(variables), client)


class _Stopped(OrderspecError):
    """Raised after the ``stop_after`` step: the run has gone as far as asked."""


class _Bound:
    """The journals of a run, told which spec each step belongs to."""

    def __init__(self, journals: list[Journal], prepared: Prepared, stop_after: str | None) -> None:
        self._journals = journals
        self._prepared = prepared
        self._stop_after = stop_after

    def before_send(self, pending: Any) -> None:
        if pending.path == self._stop_after and pending.effect in ("create", "place"):
            raise _Stopped(f"stopped before sending {pending.path}")
        for journal in self._journals:
            journal.before_send(self._prepared, pending)

    def after_step(self, result: Any, variables: Mapping[str, Any]) -> None:
        for journal in self._journals:
            journal.after_step(self._prepared, result, variables)
        if result.path == self._stop_after:
            raise _Stopped(f"stopped after {result.path}")


def _sent_place(partial: Any) -> bool:
    """Whether the run sent a ``place`` step (answered or not): from then on the order may exist."""
    if partial is None:
        return False
    return any(step.effect == "place" and step.method for step in partial.steps)


def _order_error(prepared: Prepared, exc: OrderspecError, note: Discarded | None, partial: Any) -> OrderError:
    text = exc.message
    message = text if text.startswith(prepared.label) else f"{prepared.label}: {text}"
    if note is not None:
        message += f"; {note}"
    hint = exc.hint
    if hint is None and _unreachable_default(prepared, exc):
        port = prepared.profile.base_url.rsplit(":", 1)[-1]
        hint = f"add --sandbox, or start the sandbox with: orderspec sandbox serve {prepared.system} --port {port}"
    return OrderError(message, step=getattr(exc, "step", None), hint=hint, result=partial, exit_code=exc.exit_code, cause=exc)


def _unreachable_default(prepared: Prepared, exc: OrderspecError) -> bool:
    """The embedded default profile points at a sandbox that is not running."""
    from orderspec.engine import ConnectionFailed

    return isinstance(exc, ConnectionFailed) and prepared.profile.source == "embedded default"
