"""``apply`` through the state store: every spec placed exactly once, whatever stopped the last run.

Under the spec's lock the record is read again (another apply may have finished it since
the plan) and decides what happens:

- ``unchanged`` and ``drift``: nothing is sent; the order placed before is reported.
- ``uncertain``: nothing is sent; the record says so and apply exits 3 for this spec until
  ``orderspec resolve`` settles it.
- ``create``: from the start (a plan's fresh reads are reused), after deleting the draft a
  stopped run of an earlier version of the spec left.
- ``resume``: from the checkpoint (its completed steps and variables); a create or place step
  whose outcome was lost is read back with its ``recover`` block before anything is sent.

While the flow runs, a ``StateJournal`` writes the intent before every create or place
request and a checkpoint after every step. A create or place request that gets no answer
(``OutcomeUnknown``) is read back at once when the flow can; otherwise the spec becomes
``uncertain``. A failure before placing keeps the draft and the checkpoint, so the next
apply resumes. Ctrl-C before placing deletes the draft where the flow can (and the next
apply starts over), or keeps it to resume; during a create or place request it leaves the
intent to be read back, or marks the spec uncertain; after the place step it records the
order as placed and deletes nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from orderspec.errors import OrderspecError
from orderspec.orders._apply import PlacedOrder, carry_out, check_plan_budget, fresh_reads, placed_from
from orderspec.orders._ledger import Ledger
from orderspec.orders._plan import Plan
from orderspec.orders._prepare import OrderError, Prepared
from orderspec.orders._run import Outcome, discard_draft
from orderspec.orders._runtime import Runtime
from orderspec.orders._standing import Standing, assess
from orderspec.orders._statejournal import StateJournal

if TYPE_CHECKING:
    from orderspec.state import Record

EXIT_UNCERTAIN = 3
EXIT_INTERRUPTED = 130


class Uncertain(OrderError):
    """A create or place request went out and nobody can tell whether it took effect."""


class Interrupted(OrderError):
    """Ctrl-C stopped a spec's run; the message says what became of its draft or order.

    ``placed`` is the order when Ctrl-C came after the place step: it is reported as placed.
    """

    placed: PlacedOrder | None = None


def apply_with_state(plan: Plan, runtime: Runtime, ledger: Ledger) -> PlacedOrder:
    """``apply`` of one plan, holding the spec's lock (``Locked`` when another process has it)."""
    prepared = plan.prepared
    ledger.secrets.add(prepared.secrets.values())
    name, profile = prepared.order.name, prepared.profile.name
    with ledger.store.lock(name, profile, owner=ledger.owner, wait=ledger.wait):
        record = ledger.store.get(name, profile)
        standing = assess(record, prepared.order.digest, prepared.flow)
        if standing.action in ("unchanged", "drift"):
            assert record is not None and record.order_number is not None
            return _placed_earlier(prepared, record, standing.action)
        if standing.action == "uncertain":
            raise _uncertain(prepared, StateJournal(ledger, _must(record)), standing.unknown, standing.reason)
        return _Run(plan, runtime, ledger, standing).go()


class _Run:
    """One spec's run under its lock, from its first write to its final phase."""

    def __init__(self, plan: Plan, runtime: Runtime, ledger: Ledger, standing: Standing) -> None:
        self.plan = plan
        self.prepared = plan.prepared
        self.runtime = runtime
        self.ledger = ledger
        self.standing = standing

    def go(self) -> PlacedOrder:
        from orderspec.state import Phase

        prepared, standing = self.prepared, self.standing
        record = standing.record
        changed = record is not None and record.digest != prepared.order.digest
        if standing.action == "resume" and changed and standing.unknown is not None:
            # a place request of an earlier version of the spec is read back; placed or not, that run ends there
            earlier = _must(record)
            journal = self._start(earlier, f"reading back {standing.unknown!r} of an earlier version of the spec")
            outcome = self._attempt(journal, done=earlier.done, variables=dict(earlier.vars), unknown=(standing.unknown,), stop_after=standing.unknown)
            if outcome is not None and _took_effect(outcome, standing.unknown):
                return self._placed(journal, outcome, (), note=f"{standing.unknown!r} had taken effect: placed from the earlier version of the spec")
            record = journal.record
            standing = Standing("create", record, reason="the spec changed since the run that stopped: starting over")
        if standing.action == "create":
            check_plan_budget(self.plan)
            journal = self._fresh(record)
            done, reads = fresh_reads(self.plan, self.runtime) if self.plan.action == "create" else ((), None)
            if done:
                journal.save(journal.record.evolve(done=done, vars=dict(reads or {})))
            return self._finish(journal, done=done, variables=reads)
        assert record is not None
        detail = f"resuming after {record.done[-1]!r}" if record.done else "resuming"
        if standing.unknown is not None:
            detail = f"reading back {standing.unknown!r}, then resuming"
        journal = self._start(record.evolve(phase=Phase.IN_PROGRESS), detail)
        unknown = (standing.unknown,) if standing.unknown else ()
        try:
            return self._finish(journal, done=record.done, variables=dict(record.vars), unknown=unknown)
        except (Uncertain, Interrupted):
            raise
        except OrderError:
            if not _masked(record) or journal.record.intent is not None:
                raise
        # The checkpoint lacks what is never stored (a signed upload URL, a token) and the
        # resumed run failed before placing: start over, as a run that had stored nothing.
        self.standing = Standing("create", journal.record, reason="the resumed run failed without the values the state does not keep: starting over")
        return self._finish(self._fresh(journal.record), done=(), variables=None)

    # -- starting ------------------------------------------------------------------------------

    def _start(self, record: Record, detail: str) -> StateJournal:
        journal = StateJournal(self.ledger, record)
        journal.save(record.evolve(spec=self.ledger.spec_path(self.prepared.order.path)), "apply-started", detail)
        return journal

    def _fresh(self, record: Record | None) -> StateJournal:
        """A record for a run from the start, after deleting the draft a stopped earlier run left."""
        from orderspec.state import Phase, Record

        prepared = self.prepared
        detail = self.standing.reason or "from the start"
        if record is not None and record.done and record.remote_ids:
            note = discard_draft(prepared, self.runtime, record.vars)
            if note is not None:
                detail += f"; {note}"
        fresh = Record(
            name=prepared.order.name,
            profile=prepared.profile.name,
            system=prepared.system,
            digest=prepared.order.digest,
            phase=Phase.IN_PROGRESS,
            spec=self.ledger.spec_path(prepared.order.path),
        )
        if record is not None:
            fresh = fresh.evolve(created_at=record.created_at)
        return self._start(fresh, detail)

    # -- running ---------------------------------------------------------------------------------

    def _attempt(self, journal: StateJournal, **options: Any) -> Outcome | None:
        """Run with ``stop_after``; None when the read-back found the step not carried out (the run went on)."""
        outcome, _ = self._guarded(journal, **options)
        return outcome

    def _finish(self, journal: StateJournal, **options: Any) -> PlacedOrder:
        outcome, warnings = self._guarded(journal, **options)
        note = "resumed" if options.get("done") and self.standing.action == "resume" else ""
        found = _read_back(outcome)
        if found is not None:
            note = f"{found!r} was read back: it had taken effect"
        return self._placed(journal, outcome, warnings, note=note)

    def _guarded(self, journal: StateJournal, **options: Any) -> tuple[Outcome, tuple[str, ...]]:
        """Run the flow; a lost create/place outcome is read back once; every failure is recorded."""
        prepared = self.prepared
        try:
            try:
                return carry_out(prepared, self.runtime, journal=journal, keep_draft=True, **options)
            except OrderError as exc:
                if not _outcome_lost(exc, journal.record.intent):
                    raise
                from orderspec.engine import can_recover

                intent = journal.record.intent
                assert intent is not None
                if not can_recover(prepared.flow, intent):
                    raise _uncertain(prepared, journal, intent, exc.message) from None
                # the answer was lost: read the step back now, as the next run would
                record = journal.record
                retry = {**options, "done": record.done, "variables": dict(record.vars), "unknown": (intent,)}
                return carry_out(prepared, self.runtime, journal=journal, keep_draft=True, **retry)
        except KeyboardInterrupt:
            raise self._interrupted(journal) from None
        except (Uncertain, Interrupted):
            raise
        except OrderError as exc:
            self._failed(journal, exc)
            raise

    # -- ending ----------------------------------------------------------------------------------

    def _placed(self, journal: StateJournal, outcome: Outcome, warnings: tuple[str, ...], *, note: str = "") -> PlacedOrder:
        from orderspec.state import Phase

        placed = placed_from(self.prepared, outcome, warnings, note=note)
        detail = f"order {placed.order_number}" + (f" ({note})" if note else "")
        journal.save(journal.record.evolve(phase=Phase.PLACED, order_number=placed.order_number, intent=None), "placed", detail)
        return placed

    def _failed(self, journal: StateJournal, exc: OrderError) -> None:
        """Record a failure; an intent stays unless the target's answer shows the request was not carried out."""
        from orderspec.state import Phase

        record = journal.record
        intent = None if record.intent is None or _not_carried_out(exc, record.intent, self.prepared.flow) else record.intent
        try:
            journal.save(record.evolve(phase=Phase.FAILED, intent=intent), "failed", exc.message)
        except OrderspecError:
            pass  # the failure on its way out says more; the next run reads the record as it was

    def _interrupted(self, journal: StateJournal) -> Interrupted:
        """What Ctrl-C leaves: the intent to read back (or uncertain), or the draft deleted or kept."""
        from orderspec.engine import can_recover, find_step
        from orderspec.state import Phase

        prepared, record = self.prepared, journal.record
        label = prepared.label
        if record.intent is not None:
            step = find_step(prepared.flow, record.intent)
            effect = step.effect if step is not None else "place"
            what = "the order" if effect == "place" else "what it creates"
            if can_recover(prepared.flow, record.intent):
                journal.save(record, "interrupted", f"during {record.intent!r}: its outcome is read back by the next apply")
                message = (
                    f"{label}: interrupted while step {record.intent!r} ({effect}) was being sent: {what} may exist; "
                    "the next apply reads it back from the target before sending anything again"
                )
                return Interrupted(message, step=record.intent, exit_code=EXIT_INTERRUPTED)
            uncertain = _uncertain(prepared, journal, record.intent, f"interrupted while step {record.intent!r} ({effect}) was being sent")
            return Interrupted(uncertain.message, step=record.intent, hint=uncertain.hint, exit_code=EXIT_INTERRUPTED)
        placed_by = next((path for path in record.done if getattr(find_step(prepared.flow, path), "effect", None) == "place"), None)
        if placed_by is not None:
            return self._interrupted_after_placing(journal, placed_by)
        note = None
        try:
            note = discard_draft(prepared, self.runtime, record.vars) if record.remote_ids else None
        except OrderspecError:
            note = None
        if note is not None and note.ok:
            journal.save(
                record.evolve(phase=Phase.PENDING, done=(), vars={}, remote_ids={}, intent=None), "interrupted", f"before placing; {note}"
            )
            return Interrupted(f"{label}: interrupted before placing; {note}; the next apply starts it over", exit_code=EXIT_INTERRUPTED)
        drafts = ", ".join(f"{key}={value}" for key, value in record.remote_ids.items())
        kept = f" (kept: {drafts})" if drafts else ""
        journal.save(record, "interrupted", "before placing" + kept)
        where = f"after {record.done[-1]!r}" if record.done else "from the start"
        return Interrupted(f"{label}: interrupted before placing{kept}; the next apply resumes {where}", exit_code=EXIT_INTERRUPTED)

    def _interrupted_after_placing(self, journal: StateJournal, placed_by: str) -> Interrupted:
        """Ctrl-C at a step after ``placed_by`` succeeded: the order stands; nothing is deleted or sent again."""
        from orderspec.orders._contract import order_number
        from orderspec.state import Phase

        prepared, record = self.prepared, journal.record
        number = order_number(prepared.flow, {}, record.vars)
        if number is None:
            uncertain = _uncertain(prepared, journal, placed_by, f"interrupted after step {placed_by!r} placed the order, before its number was known")
            return Interrupted(uncertain.message, step=placed_by, hint=uncertain.hint, exit_code=EXIT_INTERRUPTED)
        journal.save(record.evolve(phase=Phase.PLACED, order_number=number, intent=None), "placed", f"order {number} (interrupted after placing)")
        interrupted = Interrupted(
            f"{prepared.label}: order {number} was placed; interrupted at a later step, so the rest of the flow did not run; "
            "the order stays placed and is not ordered again",
            step=placed_by,
            exit_code=EXIT_INTERRUPTED,
        )
        warning = "interrupted (Ctrl-C) at a later step; the rest of the flow did not run"
        interrupted.placed = placed_from(prepared, Outcome(outputs={}, vars=dict(record.vars), steps=(), elapsed=0.0), (warning,))
        return interrupted


def _placed_earlier(prepared: Prepared, record: Record, action: str) -> PlacedOrder:
    note = "" if action == "unchanged" else "the spec or one of its files changed after it was placed; it is not ordered again"
    return PlacedOrder(
        **prepared.destination,
        order_number=str(record.order_number),
        outputs={},
        quote=None,
        elapsed=0.0,
        action=action,
        note=note,
    )


def _uncertain(prepared: Prepared, journal: StateJournal, step: str | None, why: str) -> Uncertain:
    """Record the spec as uncertain (unless it is) and say what to check."""
    from orderspec.state import Phase

    record = journal.record
    if record.phase is not Phase.UNCERTAIN:
        record = journal.save(record.evolve(phase=Phase.UNCERTAIN, intent=step or record.intent), "uncertain", why)
    name, profile = record.name, record.profile
    what = f"step {step!r}" if step else "a create or place step"
    reference = prepared.order.data.get("reference") or name
    ids = ", ".join(f"{key}={value}" for key, value in record.remote_ids.items())
    known = f" (ids so far: {ids})" if ids else ""
    message = f"{prepared.label}: {name} is uncertain: {what} was sent and nobody can tell whether it took effect{known}"
    if why and why not in message:
        message += f" ({why})"
    hint = (
        f"look for the order at the target (reference {reference!r}), then run "
        f"'orderspec resolve {name} --profile {profile} --placed ORDER_ID' or '... --not-placed'; until then apply leaves it alone"
    )
    return Uncertain(message, step=step, hint=hint, exit_code=EXIT_UNCERTAIN)


def _outcome_lost(exc: OrderError, intent: str | None) -> bool:
    """Whether the failure leaves the outcome of the intended create/place request unknown."""
    from orderspec.engine import CaptureError, OutcomeUnknown, RequestFailed

    if intent is None:
        return False
    cause = exc.cause
    if isinstance(cause, OutcomeUnknown):
        return True
    if getattr(cause, "step", None) != intent:
        return False
    if isinstance(cause, RequestFailed):
        return cause.status in (502, 504)  # a gateway gave up: the target may have acted
    return isinstance(cause, CaptureError)  # accepted, but its answer could not be read


def _not_carried_out(exc: OrderError, intent: str, flow: Any) -> bool:
    """Whether the create/place request of ``intent`` was refused outright, or never left.

    Only the step's own request counts (its ``recover`` read-back failing says nothing), and
    only an answer that is not a gateway's, or a connection that could not be opened.
    """
    from orderspec.engine import ConnectionFailed, RequestFailed, find_step

    cause = exc.cause
    step = find_step(flow, intent)
    partial = exc.result
    if step is None or step.request is None or partial is None or not partial.steps or getattr(cause, "step", None) != intent:
        return False
    last = partial.steps[-1]
    if last.path != intent or last.method not in ("", step.request.method):
        return False
    if last.method == "":
        return True  # stopped before its request left
    if isinstance(cause, RequestFailed):
        return cause.status not in (502, 504)
    return isinstance(cause, ConnectionFailed)


def _read_back(outcome: Outcome) -> str | None:
    """The step of the run that was read back and found carried out, if any."""
    from orderspec.engine import READ_BACK

    return next((step.path for step in outcome.steps if step.message == READ_BACK), None)


def _took_effect(outcome: Outcome, path: str) -> bool:
    from orderspec.engine import READ_BACK

    return any(step.path == path and step.message == READ_BACK for step in outcome.steps)


def _masked(record: Record) -> bool:
    """Whether the checkpoint's variables lost a value to the secret masker (it is never stored)."""
    import json

    from orderspec.engine import MASK

    return MASK in json.dumps(dict(record.vars), default=str)


def _must(record: Record | None) -> Record:
    assert record is not None
    return record
