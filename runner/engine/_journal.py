"""Hooks a caller attaches to a run: ``gate`` before a ``place`` step, a ``Journal`` around every step.

The state store writes an intent record in ``before_send`` (for create and place steps)
and a checkpoint in ``after_step``; a cassette recorder can attach the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from orderspec.engine._results import StepResult


@dataclass(frozen=True, slots=True)
class PendingStep:
    """A request about to be sent: what ``gate`` and ``Journal.before_send`` see.

    ``url`` is masked (no secret in it); ``vars`` is a read-only view of the variables
    as they stand. ``attempt`` counts the requests of this step so far, from 1 (retries,
    poll rounds and pages each send one more).
    """

    path: str
    name: str
    effect: str
    method: str
    url: str
    vars: Mapping[str, Any]
    attempt: int = 1


class Journal(Protocol):
    """Told about every request before it leaves and every step after it succeeded.

    Either method may raise an ``OrderspecError`` to stop the run: from ``before_send``
    the request is then not sent.
    """

    def before_send(self, pending: PendingStep) -> None: ...

    def after_step(self, result: StepResult, vars: Mapping[str, Any]) -> None: ...
