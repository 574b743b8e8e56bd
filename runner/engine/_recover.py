"""Reading back a create or place step whose outcome an earlier run lost.

A run that was killed after announcing a ``create`` or ``place`` request (an intent without
a checkpoint), or whose request got no answer, cannot tell whether the target acted on it.
Resuming must not send it blindly: the step's ``recover`` block reads the target first
(the order by the id captured before, say) and ``placed_if`` / ``created_if`` decides. A
step without one raises ``OutcomeUnknown``, so the caller can ask a person.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from orderspec.engine._context import response_view
from orderspec.engine._errors import OutcomeUnknown
from orderspec.engine._flow import Flow, Step

if TYPE_CHECKING:
    from orderspec.engine._exchange import Exchange
    from orderspec.engine._walk import Walker

_INDEX = re.compile(r"\[\d+\]")
READ_BACK = "read back: it had taken effect"
"""The ``StepResult.message`` of a step whose lost outcome its ``recover`` block found carried out."""


def find_step(flow: Flow, path: str) -> Step | None:
    """The step a run's path names (``lines[1]/create line`` is the ``create line`` of ``lines``)."""
    wanted = _INDEX.sub("[]", path)
    for found, step in flow.walk():
        if found == wanted:
            return step
    return None


def can_recover(flow: Flow, path: str) -> bool:
    """Whether the step at ``path`` has a ``recover`` block to read back its outcome."""
    step = find_step(flow, path)
    return step is not None and step.recover is not None


def read_back(walker: Walker, step: Step, ctx: dict[str, Any], path: str, state: Exchange) -> dict[str, Any] | None:
    """Send the step's ``recover`` probe; its captures when the step took effect, None when it did not.

    Raises ``OutcomeUnknown`` for a step without a ``recover`` block: nothing is sent then.
    """
    recover = step.recover
    if recover is None:
        raise OutcomeUnknown(
            f"step {path!r} ({step.effect}) was sent by an earlier run that did not learn its outcome, and the flow has no recover block to read it back",
            step=path,
            location=step.location,
            hint=f"check on the target whether the {step.effect} took effect; a {step.effect} step is never repeated blindly",
        )
    probe = recover.probe
    walker.sender.exchange(probe, ctx, path, state)
    assert state.response is not None
    ctx["response"] = response_view(state.response)
    try:
        if not walker.evaluator.eval(recover.done, ctx, path):
            return None
        return walker._capture(probe, ctx, path, state)
    finally:
        ctx.pop("response", None)
