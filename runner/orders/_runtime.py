"""``Runtime``: everything a run touches outside itself, injected by the caller.

The HTTP transport, the clock, the event sink, the journal and the state are values
handed to ``plan`` and ``apply``, so a test runs them on an instant clock against a
sandbox, a replay runs them on a cassette, and the state store follows every step, all
without patching anything.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

import httpx

from orderspec.engine import Clock, Event, PendingStep, StepResult, SystemClock
from orderspec.orders._client import live

if TYPE_CHECKING:
    from orderspec.orders._ledger import Ledger
    from orderspec.orders._prepare import Prepared

TransportFactory = Callable[["Prepared"], AbstractContextManager[httpx.BaseTransport]]
"""Opens the transport one spec's run sends through; closed (or saved, for a recording) when the run ends."""


class Journal(Protocol):
    """Follows a spec's run step by step: where state and recorders attach."""

    def before_send(self, prepared: Prepared, pending: PendingStep) -> None:
        """Right before a request leaves; may raise an ``OrderspecError`` to stop without sending."""

    def after_step(self, prepared: Prepared, result: StepResult, variables: Mapping[str, Any]) -> None:
        """After each step that completed, with the variables as they stand."""


@dataclass(frozen=True)
class Runtime:
    """The outside world of a ``plan`` or ``apply``."""

    transport: TransportFactory = live
    clock: Clock = field(default_factory=SystemClock)
    events: Callable[[Prepared, Event], None] | None = None
    journal: Journal | None = None
    plan_max_age: float = 600.0
    """Seconds a plan's reads stay good: ``apply`` of an older plan reads the target again."""
    state: Ledger | None = None
    """The state store: ``plan`` compares specs with it, ``apply`` places each spec once through it.
    None: no state (every spec is planned as new and applied as such)."""
    offline: bool = False
    """The transport answers from a cassette (``--replay``): nothing reaches a target, so
    credentials are placeholders and sandboxes are not started, and the run is a test, not
    an order: it must leave the state store as it was (nothing read, locked or written)."""
