"""The contract between a flow and ``plan``/``apply``: which names hold what they read.

``order_number`` and ``resolved`` name entries of the flow's ``outputs``;
``quote_total`` and ``quote_currency`` name variables set before the ``place`` step
(the budget reads them there). The rules are checked when the flow is loaded, so a
flow that would place an order without saying where its number is never runs.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from orderspec._yaml import JsonPath
from orderspec.engine._errors import FlowSourceError

Fail = Callable[..., FlowSourceError]
"""``fail(path, message, *, key=False, hint=None)`` of the loader: an error at a document position."""


@dataclass(frozen=True, slots=True)
class Contract:
    """Names a flow declares for ``plan`` and ``apply``; None where the flow declares none."""

    order_number: str | None = None
    """The output holding the placed order's number."""
    quote_total: str | None = None
    """The variable holding the quoted total before the place step."""
    quote_currency: str | None = None
    """The variable holding the quote's currency."""
    resolved: str | None = None
    """The output ``plan`` shows as what the spec's names resolved to."""


@dataclass(frozen=True, slots=True)
class PlaceStep:
    """The first ``place`` step of a flow, as the contract check needs it."""

    name: str
    at: JsonPath
    """Where its ``effect`` is written."""
    assigned_before: frozenset[str]
    """Variables the flow's ``vars`` and the steps before it set or capture."""


def _closest(name: str, names: Sequence[str]) -> str:
    close = difflib.get_close_matches(name, names, n=1)
    return f"; did you mean {close[0]!r}?" if close else ""


def read_contract(
    data: Mapping[str, Any] | None,
    *,
    outputs: Sequence[str],
    assigned: Collection[str],
    place: PlaceStep | None,
    fail: Fail,
) -> Contract | None:
    """The flow's ``contract`` block, checked against its outputs, variables and place step.

    ``assigned`` holds every variable the flow sets anywhere (used when it has no place step).
    """
    listed = ", ".join(outputs) if outputs else "none"
    if place is not None and (data is None or not data.get("order_number")):
        raise fail(
            place.at,
            "a flow that places an order must say which output holds the order number: add contract.order_number",
            hint=f"e.g. capture the number in step {place.name!r}, add an output order_number: vars.order_number "
            f"and contract: {{order_number: order_number}}; outputs now: {listed}",
        )
    if data is None:
        return None
    contract = Contract(**{key: str(value) for key, value in data.items()})
    for key in ("order_number", "resolved"):
        name = getattr(contract, key)
        if name is not None and name not in outputs:
            raise fail(("contract", key), f"contract.{key} names no output {name!r}{_closest(name, outputs)}", hint=f"outputs: {listed}")
    before = place.assigned_before if place is not None else frozenset(assigned)
    where = f"before the place step {place.name!r}" if place is not None else "in this flow"
    for key in ("quote_total", "quote_currency"):
        name = getattr(contract, key)
        if name is not None and name not in before:
            raise fail(
                ("contract", key),
                f"contract.{key} names vars.{name}, which no step sets or captures {where}{_closest(name, sorted(before))}",
                hint="the budget reads it just before the order is placed: set or capture it in an earlier step",
            )
    return contract
