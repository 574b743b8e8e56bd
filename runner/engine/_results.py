"""What a run produced: one ``StepResult`` per step that ran (or was skipped), and the ``FlowResult``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class StepResult:
    path: str
    name: str
    effect: str
    outcome: str
    """``ok``, ``skipped`` or ``failed``."""
    status: int | None = None
    method: str = ""
    """Set once the request was (about to be) sent; empty for a set step or a step stopped before sending."""
    url: str = ""
    elapsed: float = 0.0
    attempts: int = 0
    polls: int = 0
    captures: Mapping[str, Any] = field(default_factory=dict)
    message: str = ""
    pages: int = 0
    """Pages read by a ``paginate`` step (0 for other steps)."""


@dataclass(frozen=True)
class FlowResult:
    name: str
    ok: bool
    outputs: dict[str, Any]
    vars: dict[str, Any]
    steps: tuple[StepResult, ...]
    elapsed: float
    stopped_before: str | None = None
    error: str | None = None
