"""JSON shapes of baskets, lines and files: camelCase keys, decimals as strings, ids as integers."""

from __future__ import annotations

from typing import Any

from orderspec.sandbox.threeyourmind import _pricing
from orderspec.sandbox.threeyourmind._state import Basket, Line, State, StoredFile


def _money(amount: Any) -> str | None:
    return None if amount is None else str(amount)


def file_json(state: State, stored: StoredFile) -> dict[str, Any]:
    return {
        "uuid": stored.uuid,
        "name": stored.name,
        "size": stored.size,
        "unit": stored.unit,
        "basketId": stored.basket_id,
        "lineId": stored.line_id,
        "status": state.file_status(stored),
        "createdAt": stored.created_at,
    }


def post_processings_json(state: State, line: Line) -> list[dict[str, Any]]:
    out = []
    for pp_id, color_id in line.post_processings:
        pp = state.catalogue.post_processings[pp_id]
        out.append(
            {
                "postProcessingId": pp_id,
                "name": pp.name,
                "colorId": color_id,
                "colorName": pp.colors.get(color_id) if color_id is not None else None,
                "price": str(pp.price),
            }
        )
    return out


def line_json(state: State, line: Line) -> dict[str, Any]:
    catalogue = state.catalogue
    offer = catalogue.offers.get(line.offer_id) if line.offer_id is not None else None
    stored = state.line_file(line)
    return {
        "id": line.id,
        "basketId": line.basket_id,
        "quantity": line.quantity,
        "offerId": line.offer_id,
        "offer": None if offer is None else {"id": offer.id, "name": offer.name, "materialId": offer.material_id, "materialName": offer.material_name},
        "unitPrintPrice": _money(_pricing.unit_price(catalogue, line)),
        "postProcessings": post_processings_json(state, line),
        "preferredDueDate": line.preferred_due_date,
        "file": None if stored is None else {"uuid": stored.uuid, "name": stored.name, "unit": stored.unit, "status": state.file_status(stored)},
        "totalPrice": _money(_pricing.line_total(catalogue, line)),
        "currency": catalogue.currency,
        "createdAt": line.created_at,
    }


def basket_json(state: State, basket: Basket) -> dict[str, Any]:
    customer = state.catalogue.users.get(basket.customer_id) if basket.customer_id is not None else None
    return {
        "id": basket.id,
        "title": basket.title,
        "customerId": basket.customer_id,
        "customer": customer.json if customer else None,
        "lines": [line_json(state, line) for line in basket.lines.values()],
        "isOrdered": basket.order_id is not None,
        "orderId": basket.order_id,
        "currency": state.catalogue.currency,
        "createdAt": basket.created_at,
    }


def ordered_line_json(state: State, line: Line) -> dict[str, Any]:
    """A line as frozen into an order: names next to ids, and the file that was analysed."""
    catalogue = state.catalogue
    offer = catalogue.offers[line.offer_id]  # type: ignore[index]  # ordering checked it
    stored = state.line_file(line)
    assert stored is not None  # ordering checked it
    return {
        "id": line.id,
        "quantity": line.quantity,
        "offerId": offer.id,
        "offerName": offer.name,
        "materialId": offer.material_id,
        "materialName": offer.material_name,
        "postProcessings": post_processings_json(state, line),
        "unitPrintPrice": _money(_pricing.unit_price(catalogue, line)),
        "totalPrice": _money(_pricing.line_total(catalogue, line)),
        "preferredDueDate": line.preferred_due_date,
        "file": {"uuid": stored.uuid, "name": stored.name, "unit": stored.unit, "size": stored.size, "sha256": stored.sha256},
    }
