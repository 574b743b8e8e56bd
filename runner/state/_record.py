"""What the state store remembers about one spec: a frozen record and its history."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from types import MappingProxyType
from typing import Any


class Phase(StrEnum):
    """Where a spec's order stands.

    ``pending``: nothing sent yet (or settled ``--not-placed``); ``in_progress``: some steps
    done, the next apply resumes; ``placed``: the target confirmed the order; ``failed``: a step
    failed before anything was placed; ``uncertain``: a create or place request was sent and
    nobody can tell whether it took effect (``orderspec resolve`` settles it).
    """

    PENDING = "pending"
    IN_PROGRESS = "in_progress"
    PLACED = "placed"
    FAILED = "failed"
    UNCERTAIN = "uncertain"


def utc_now() -> datetime:
    """The current time, timezone-aware in UTC (what every record and entry carries)."""
    return datetime.now(UTC)


def _aware_utc(value: datetime, what: str) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{what} must be a timezone-aware datetime, got {value!r}")
    return value.astimezone(UTC)


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """One line of a spec's history: what happened (``action``) and when."""

    at: datetime
    action: str
    detail: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "at", _aware_utc(self.at, "HistoryEntry.at"))


@dataclass(frozen=True, slots=True)
class Record:
    """One spec's state, keyed by (``name``, ``profile``).

    ``done`` lists the step paths already completed (an apply resumes after them);
    ``intent`` names a create or place step about to be sent: it is saved *before* the
    request goes out, so after a crash the next run knows the outcome must be read back
    from the target instead of repeating the request. ``history`` is filled by
    ``StateStore.get``; ``save`` ignores it (history grows through ``save(..., event=)``).
    """

    name: str
    profile: str
    system: str
    digest: str
    phase: Phase = Phase.PENDING
    order_number: str | None = None
    remote_ids: Mapping[str, str] = field(default_factory=dict)
    vars: Mapping[str, Any] = field(default_factory=dict)
    done: tuple[str, ...] = ()
    intent: str | None = None
    spec: str = ""
    created_at: datetime = field(default_factory=utc_now)
    updated_at: datetime = field(default_factory=utc_now)
    history: tuple[HistoryEntry, ...] = field(default=(), compare=False)

    def __post_init__(self) -> None:
        if not self.name or not self.profile:
            raise ValueError("a state record needs a spec name and a profile")
        object.__setattr__(self, "phase", Phase(self.phase))
        object.__setattr__(self, "remote_ids", MappingProxyType({str(key): str(value) for key, value in self.remote_ids.items()}))
        object.__setattr__(self, "vars", MappingProxyType(dict(self.vars)))
        object.__setattr__(self, "done", tuple(self.done))
        object.__setattr__(self, "history", tuple(self.history))
        object.__setattr__(self, "created_at", _aware_utc(self.created_at, "Record.created_at"))
        object.__setattr__(self, "updated_at", _aware_utc(self.updated_at, "Record.updated_at"))

    def __reduce__(self) -> tuple[type[Record], tuple[Any, ...]]:
        # Plain values instead of the read-only views, so a record can cross to another process.
        return (
            Record,
            (
                self.name,
                self.profile,
                self.system,
                self.digest,
                self.phase,
                self.order_number,
                dict(self.remote_ids),
                dict(self.vars),
                self.done,
                self.intent,
                self.spec,
                self.created_at,
                self.updated_at,
                self.history,
            ),
        )

    def evolve(self, *, at: datetime | None = None, **changes: Any) -> Record:
        """A copy with ``changes`` applied and ``updated_at`` set to ``at`` (now by default)."""
        return dataclasses.replace(self, updated_at=at or utc_now(), **changes)

    def as_json(self) -> dict[str, Any]:
        """The record as plain JSON values (what ``state show --format json`` prints)."""
        return {
            "name": self.name,
            "profile": self.profile,
            "system": self.system,
            "spec": self.spec,
            "digest": self.digest,
            "phase": self.phase.value,
            "order_number": self.order_number,
            "remote_ids": dict(self.remote_ids),
            "vars": dict(self.vars),
            "done": list(self.done),
            "intent": self.intent,
            "created_at": self.created_at.isoformat(),
            "updated_at": self.updated_at.isoformat(),
            "history": [{"at": entry.at.isoformat(), "action": entry.action, "detail": entry.detail} for entry in self.history],
        }
