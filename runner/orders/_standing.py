"""What the state says about one spec, and so what ``apply`` would do with it.

| record                                      | action      |
| ------------------------------------------- | ----------- |
| none, or pending with nothing done           | ``create``    |
| placed, same digest                          | ``unchanged`` (nothing is sent) |
| placed, the spec or one of its files changed | ``drift`` (reported, never ordered again) |
| uncertain                                    | ``uncertain`` (``orderspec resolve`` settles it) |
| stopped part-way (in progress or failed)     | ``resume`` from its checkpoint |
| ... with a create/place step's outcome lost  | ``resume``, reading that step back first; ``uncertain`` when the flow cannot read it back |
| stopped part-way, and the spec changed since | ``create``: start over (a lost place step is read back first) |
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from orderspec.state import Record

ACTIONS = ("create", "resume", "unchanged", "drift", "orphan", "uncertain")
"""Every action plan reports, in the order its summary counts them."""
TO_DO = frozenset({"create", "resume", "drift", "orphan", "uncertain"})
"""Actions that make ``plan --detailed-exitcode`` exit 2: something to do, or to look at."""


@dataclass(frozen=True)
class Standing:
    """A spec's action, with what it rests on."""

    action: str
    record: Record | None = None
    unknown: str | None = None
    """A create or place step whose outcome a run lost: read back before anything is sent."""
    reason: str = ""
    """Why, in words, when the action is not the obvious one."""

    @property
    def done(self) -> tuple[str, ...]:
        return () if self.record is None or self.action != "resume" else self.record.done


def assess(record: Record | None, digest: str, flow: Any) -> Standing:
    """Compare a spec (its ``digest`` and ``flow``) with its ``record``."""
    from orderspec.engine import can_recover, find_step
    from orderspec.state import Phase

    if record is None:
        return Standing("create")
    if record.phase is Phase.PLACED:
        return Standing("unchanged" if record.digest == digest else "drift", record)
    if record.phase is Phase.UNCERTAIN:
        return Standing("uncertain", record, record.intent, _uncertain_reason(record))
    changed = record.digest != digest
    if record.intent is not None:
        step = find_step(flow, record.intent)
        effect = step.effect if step is not None else "place"
        if changed and effect == "create":
            return Standing("create", record, reason=f"the spec changed since the run that stopped at {record.intent!r}: starting over")
        if not can_recover(flow, record.intent):
            return Standing(
                "uncertain",
                record,
                record.intent,
                f"the {effect} request of step {record.intent!r} was sent and its outcome is unknown; the flow cannot read it back",
            )
        return Standing("resume", record, record.intent, f"step {record.intent!r} was sent and its outcome is unknown: it is read back first")
    if not record.done:
        return Standing("create", record)
    if changed:
        return Standing("create", record, reason=f"the spec changed since the run that stopped after {record.done[-1]!r}: starting over")
    return Standing("resume", record)


def _uncertain_reason(record: Record) -> str:
    step = f"step {record.intent!r}" if record.intent else "a create or place step"
    return f"{step} was sent and its outcome is unknown"
