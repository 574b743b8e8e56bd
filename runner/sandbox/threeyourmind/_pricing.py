"""Prices of lines and baskets, as decimal strings like the real API's.

A line costs (unit print price + its post-processings) x quantity; the unit price is
the offer's, unless the Service Panel set ``unitPrintPrice``. A basket adds shipping,
takes off a voucher's percentage of the lines, and adds tax on the rest.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from orderspec.sandbox.threeyourmind._catalogue import Catalogue, Named
from orderspec.sandbox.threeyourmind._state import Basket, Line

_CENT = Decimal("0.01")
_ZERO = Decimal("0.00")


def _round(amount: Decimal) -> Decimal:
    return amount.quantize(_CENT, rounding=ROUND_HALF_UP)


def unit_price(catalogue: Catalogue, line: Line) -> Decimal | None:
    if line.unit_print_price is not None:
        return line.unit_print_price
    offer = catalogue.offers.get(line.offer_id) if line.offer_id is not None else None
    return offer.unit_price if offer else None


def post_processing_price(catalogue: Catalogue, line: Line) -> Decimal:
    return sum((catalogue.post_processings[pp].price for pp, _ in line.post_processings), _ZERO)


def line_total(catalogue: Catalogue, line: Line) -> Decimal | None:
    unit = unit_price(catalogue, line)
    if unit is None:
        return None
    return _round((unit + post_processing_price(catalogue, line)) * line.quantity)


def _with_tax(catalogue: Catalogue, amount: Decimal) -> dict[str, str]:
    return {"exclusiveTax": str(_round(amount)), "inclusiveTax": str(_round(amount * (1 + catalogue.tax_rate / 100)))}


def basket_price(catalogue: Catalogue, basket: Basket, shipping: Named | None, voucher_percent: Decimal | None) -> dict[str, Any]:
    lines = sum((line_total(catalogue, line) or _ZERO for line in basket.lines.values()), _ZERO)
    return price_of(catalogue, lines, shipping.price if shipping else _ZERO, voucher_percent)


def price_of(catalogue: Catalogue, lines: Decimal, shipping_price: Decimal, voucher_percent: Decimal | None = None) -> dict[str, Any]:
    """Lines, voucher discount, shipping and total, each without and with tax."""
    discount = _round(lines * (voucher_percent or 0) / 100)
    total = lines - discount + shipping_price
    return {
        "currency": catalogue.currency,
        "taxRate": str(catalogue.tax_rate),
        "linesPrice": _with_tax(catalogue, lines),
        "voucherDiscount": _with_tax(catalogue, discount),
        "shippingPrice": _with_tax(catalogue, shipping_price),
        "totalPrice": _with_tax(catalogue, total),
    }
