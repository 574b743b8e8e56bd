"""Discarding a draft that was created but not placed.

``plan --quote`` creates a draft to read the target's price and deletes it again; a
failed ``apply`` (an unknown name in a per-line catalogue, a failed analysis, the budget
gate) deletes the draft it left, so nothing half-made stays behind. Each system's
delete request is the one its documents give; the 3YOURMIND Service Panel documents
none, so its baskets cannot be discarded (and ``plan --quote`` does not create one).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx

# system -> (variable holding the draft's id, what it is, URL path with {id})
_DISCARD: dict[str, tuple[str, str, str]] = {
    "ctq": ("order_id", "order", "/orders/{id}"),
    "3yourmind-user-panel": ("basket_id", "basket", "/api/v2.0/user-panel/baskets/{id}/"),
    "tophoto": ("order_id", "order", "/v1/orders/{id}"),
}


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


def can_discard(system: str) -> bool:
    return system in _DISCARD


def discard(
    system: str, base_url: str, options: Mapping[str, Any], variables: Mapping[str, Any], client: httpx.Client
) -> Discarded | None:
    """Delete the draft named in ``variables``; None when the flow created none."""
    entry = _DISCARD.get(system)
    if entry is None:
        return None
    name, what, path = entry
    draft = variables.get(name)
    if draft is None:
        return None
    url = base_url.rstrip("/") + path.format(id=draft)
    try:
        response = client.delete(url, headers={"Accept": "application/json", **_extra_headers(system, options)})
    except httpx.HTTPError as exc:
        return Discarded(what, draft, False, f"{type(exc).__name__}: {exc}")
    if response.is_success:
        return Discarded(what, draft, True)
    return Discarded(what, draft, False, f"DELETE answered {response.status_code}")


def _extra_headers(system: str, options: Mapping[str, Any]) -> dict[str, str]:
    if system == "ctq":
        return {"language": str(options.get("language") or "en")}
    return {}
