"""The budget gate compares only amounts it can compare."""

from __future__ import annotations

from decimal import Decimal

import pytest

from orderspec.orders import Budget, BudgetExceeded, Quote
from orderspec.orders._budget import check_budget, quote_of

BUDGET = Budget(max_total=Decimal("250"), currency="EUR")


@pytest.mark.parametrize("total", ["NaN", "Infinity", "-inf", "12,50", True])
def test_a_total_that_is_no_finite_amount_is_no_quote(total: object) -> None:
    assert quote_of({"quote_total": total, "quote_currency": "EUR"}) is None
    with pytest.raises(BudgetExceeded, match="exposed no quoted total"):
        check_budget(BUDGET, quote_of({"quote_total": total}), spec="a.yaml", step="place order")


def test_a_quote_over_budget_says_by_how_much() -> None:
    quote = quote_of({"quote_total": "262.5", "quote_currency": "eur"})
    assert quote == Quote(Decimal("262.5"), "EUR")
    with pytest.raises(BudgetExceeded, match="exceeds the budget of 250.00 EUR by 12.50 EUR; nothing was placed"):
        check_budget(BUDGET, quote, spec="a.yaml", step="place order")
