"""What the engine reports while it runs: small frozen values, one per happening.

The CLI renders them as progress; reporters (JSON, JUnit) and ``apply``'s checkpoints
consume them. ``step`` is the step's path, e.g. ``lines[1]/upload``; secrets in any
text of an event are already masked.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar


@dataclass(frozen=True, slots=True, kw_only=True)
class Event:
    kind: ClassVar[str] = "event"
    step: str


@dataclass(frozen=True, slots=True, kw_only=True)
class StepStarted(Event):
    kind: ClassVar[str] = "step_started"
    effect: str


@dataclass(frozen=True, slots=True, kw_only=True)
class StepFinished(Event):
    kind: ClassVar[str] = "step_finished"
    effect: str
    method: str
    """Empty for a ``set`` step, which sends nothing."""
    url: str
    status: int | None
    elapsed: float
    attempts: int = 1
    polls: int = 0
    captures: dict[str, Any] = field(default_factory=dict)
    pages: int = 0
    """Pages a ``paginate`` step read (0 for other steps)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class StepSkipped(Event):
    kind: ClassVar[str] = "step_skipped"
    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class StepFailed(Event):
    kind: ClassVar[str] = "step_failed"
    message: str
    elapsed: float
    status: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class StepRetried(Event):
    kind: ClassVar[str] = "step_retried"
    attempt: int
    reason: str
    wait: float


@dataclass(frozen=True, slots=True, kw_only=True)
class StepPolled(Event):
    kind: ClassVar[str] = "step_polled"
    attempt: int
    status: int
    wait: float


@dataclass(frozen=True, slots=True, kw_only=True)
class StepPaged(Event):
    """A ``paginate`` step read page number ``page`` with ``items`` items (``total`` so far)."""

    kind: ClassVar[str] = "step_paged"
    page: int
    items: int
    total: int


@dataclass(frozen=True, slots=True, kw_only=True)
class UploadProgress(Event):
    kind: ClassVar[str] = "upload_progress"
    sent: int
    total: int | None


@dataclass(frozen=True, slots=True, kw_only=True)
class FlowFinished(Event):
    kind: ClassVar[str] = "flow_finished"
    ok: bool
    elapsed: float
    outputs: dict[str, Any] = field(default_factory=dict)
    stopped_before: str | None = None
    error: str | None = None


def event_to_dict(event: Event) -> dict[str, Any]:
    """JSON-ready form of an event (``kind`` first)."""
    out: dict[str, Any] = {"kind": event.kind}
    for name in event.__dataclass_fields__:
        out[name] = getattr(event, name)
    return out
