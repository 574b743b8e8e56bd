"""Discarding a draft that was created but not placed.

``plan --quote`` creates a draft to read the target's price and deletes it again; a
failed ``apply`` (an unknown name in a per-line catalogue, a failed analysis, the budget
gate) deletes the draft it left, so nothing half-made stays behind. How to delete a draft
is the flow's own ``discard`` request; a flow without one (the 3YOURMIND Service Panel
documents no delete) cannot discard, and ``plan --quote`` does not create a draft there.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from orderspec.errors import OrderspecError


@dataclass(frozen=True)
class Discarded:
    """What happened to a draft: ``ok`` False means it is still there (``detail`` says why)."""

    what: str
    id: Any
    ok: bool
    detail: str = ""

    def __str__(self) -> str:
        if self.ok:
            return f"the draft {self.what} {self.id} was deleted"
        return f"the draft {self.what} {self.id} could not be deleted ({self.detail}); delete it on the target"


def can_discard(flow: Any) -> bool:
    return flow.discard is not None


def discard(flow: Any, context: Mapping[str, Any], client: httpx.Client) -> Discarded | None:
    """Delete the draft named in ``context["vars"]`` with the flow's ``discard`` request; None when there is none."""
    from orderspec.engine import RequestFailed, discard_flow, draft_of, run_flow

    draft = draft_of(flow, context)
    if draft is None:
        return None
    what = flow.discard.what
    try:
        run_flow(discard_flow(flow), context, client=client)
    except RequestFailed as exc:
        return Discarded(what, draft, False, f"{flow.discard.step.request.method} answered {exc.status}")
    except OrderspecError as exc:
        return Discarded(what, draft, False, exc.message)
    return Discarded(what, draft, True)
