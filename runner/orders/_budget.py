"""The budget gate: stop before placing an order whose quoted total is too high.

A spec may say ``budget: {max_total: 250, currency: EUR}``. The built-in flows expose
the target's quote as the variables ``quote_total`` and ``quote_currency`` before
their ``place`` step; ``apply`` compares them with the budget right before that step
and stops, saying by how much the quote exceeds it. Nothing is placed then.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from orderspec.errors import OrderspecError

QUOTE_TOTAL = "quote_total"
QUOTE_CURRENCY = "quote_currency"


class BudgetExceeded(OrderspecError):
    """The target's quote is above the spec's budget (or cannot be compared with it)."""


@dataclass(frozen=True)
class Budget:
    max_total: Decimal
    currency: str


@dataclass(frozen=True)
class Quote:
    """A total as the target quoted it, before placing."""

    total: Decimal
    currency: str

    def __str__(self) -> str:
        return f"{self.total:.2f} {self.currency}"


def budget_of(order: Mapping[str, Any]) -> Budget | None:
    """The spec's budget, if it sets one."""
    raw = order.get("budget")
    if not isinstance(raw, Mapping):
        return None
    amount = raw.get("max_total", raw.get("amount"))
    if amount is None:
        return None
    return Budget(max_total=_decimal(amount), currency=str(raw.get("currency", "EUR")).upper())


def quote_of(variables: Mapping[str, Any], total_name: str = QUOTE_TOTAL, currency_name: str = QUOTE_CURRENCY) -> Quote | None:
    """The quote a flow exposed in its variables (named by its contract), if any."""
    total = variables.get(total_name)
    if total is None:
        return None
    try:
        value = _decimal(total)
    except OrderspecError:
        return None
    return Quote(total=value, currency=str(variables.get(currency_name) or "").upper())


def check_budget(budget: Budget, quote: Quote | None, *, spec: str, step: str) -> None:
    """Raise ``BudgetExceeded`` unless ``quote`` is within ``budget``."""
    if quote is None:
        raise BudgetExceeded(
            f"{spec}: stopped before step {step!r}: the flow exposed no quoted total to compare with "
            f"the budget of {budget.max_total:.2f} {budget.currency}",
            hint="a flow names its quote variables in contract.quote_total and contract.quote_currency and sets them before its place step",
        )
    if quote.currency and quote.currency != budget.currency:
        raise BudgetExceeded(
            f"{spec}: stopped before step {step!r}: the quote is in {quote.currency}, the budget in {budget.currency}",
            hint="write the budget in the target's currency",
        )
    if quote.total > budget.max_total:
        over = quote.total - budget.max_total
        raise BudgetExceeded(
            f"{spec}: stopped before step {step!r}: the quoted total {quote.total:.2f} {budget.currency} "
            f"exceeds the budget of {budget.max_total:.2f} {budget.currency} by {over:.2f} {budget.currency}; "
            "nothing was placed",
        )


def _decimal(value: Any) -> Decimal:
    """A finite amount; NaN and infinity cannot be compared with a budget."""
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        amount = None
    if amount is None or not amount.is_finite():
        raise OrderspecError(f"not an amount: {value!r}")
    return amount
