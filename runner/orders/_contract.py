"""What ``plan`` and ``apply`` read from a flow's run, by the names its contract declares."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Names:
    order_number: str | None
    resolved: str | None
    quote_total: str
    quote_currency: str


def names(flow: Any) -> Names:
    """The flow's declared names; a flow without a contract block reads the conventional ones."""
    contract = getattr(flow, "contract", None)
    if contract is None:
        return Names(None, "resolved", "quote_total", "quote_currency")
    return Names(
        contract.order_number,
        contract.resolved,
        contract.quote_total or "quote_total",
        contract.quote_currency or "quote_currency",
    )


def order_number(flow: Any, outputs: Mapping[str, Any], variables: Mapping[str, Any]) -> str | None:
    """The placed order's number, always as text; None when the run produced none."""
    declared = names(flow).order_number
    candidates = (declared,) if declared else _CONVENTIONAL_NUMBERS
    for name in candidates:
        for source in (outputs, variables):
            value = source.get(name)
            if value is not None and value != "":
                return str(value)
    return None


_CONVENTIONAL_NUMBERS = ("order_number", "order_id")
"""Where a flow without a contract (written before contracts existed) leaves the number."""
