"""Writing one spec's run to the state store, step by step.

Before a ``create`` or ``place`` request leaves, the record names it as its *intent*; after
every step, a checkpoint adds the step to ``done`` with the variables and remote ids as they
stand and clears the intent. Each write is one transaction of the store, so a run killed
anywhere leaves either a checkpoint to resume from or an intent whose outcome the next run
reads back. One journal serves one spec's run: specs share nothing but the store.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from orderspec.orders._ledger import Ledger

if TYPE_CHECKING:
    from orderspec.engine import PendingStep, StepResult
    from orderspec.orders._prepare import Prepared
    from orderspec.state import Record

CREATING = ("create", "place")
_INDEX = re.compile(r"\[(\d+)\]")


class StateJournal:
    """The ``Journal`` that keeps one spec's record; ``record`` is what was last written."""

    def __init__(self, ledger: Ledger, record: Record) -> None:
        self.ledger = ledger
        self.record = record

    def save(self, record: Record, event: str | None = None, detail: str = "") -> Record:
        """Write ``record`` (with a history entry when ``event`` is given) and remember it."""
        self.ledger.store.save(record, event, detail)
        self.record = record
        return record

    def before_send(self, prepared: Prepared, pending: PendingStep) -> None:
        from orderspec.state import Phase

        if pending.effect not in CREATING or (self.record.intent == pending.path and self.record.phase is Phase.IN_PROGRESS):
            return
        self.save(self.record.evolve(phase=Phase.IN_PROGRESS, intent=pending.path))

    def after_step(self, prepared: Prepared, result: StepResult, variables: Mapping[str, Any]) -> None:
        from orderspec.state import Phase

        record = self.record
        if result.path in record.done and result.outcome == "skipped" and record.intent is None:
            return  # a resumed run passing a step it had done: nothing new to write
        done = record.done if result.path in record.done else (*record.done, result.path)
        remote_ids = dict(record.remote_ids)
        if result.effect in CREATING and result.outcome == "ok":
            remote_ids.update(remote_ids_of(result.path, result.captures))
        self.save(record.evolve(phase=Phase.IN_PROGRESS, done=done, vars=dict(variables), remote_ids=remote_ids, intent=None))


def remote_ids_of(path: str, captures: Mapping[str, Any]) -> dict[str, str]:
    """The ids a create or place step captured (text and numbers), named by variable and loop index."""
    suffix = "".join(f"[{index}]" for index in _INDEX.findall(path))
    return {
        f"{name}{suffix}": str(value)
        for name, value in captures.items()
        if isinstance(value, str | int) and not isinstance(value, bool) and str(value) != ""
    }
