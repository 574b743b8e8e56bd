"""Basket and line operations both panels share: lookups, PATCH rules and the ordered-basket lock.

On a real instance the User Panel and the Service Panel edit the same baskets, so the
rules live here once; each panel's routes only pick which fields they accept.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from orderspec.sandbox.threeyourmind import _errors, _fields
from orderspec.sandbox.threeyourmind._fields import FieldErrors, Invalid
from orderspec.sandbox.threeyourmind._state import Basket, Line, State


def get_basket(state: State, basket_id: int) -> Basket:
    basket = state.baskets.get(basket_id)
    if basket is None:
        raise _errors.not_found()
    return basket


def get_line(basket: Basket, line_id: int) -> Line:
    line = basket.lines.get(line_id)
    if line is None:
        raise _errors.not_found()
    return line


def ensure_editable(basket: Basket) -> None:
    """A basket that became an order is frozen, as the order refers to its lines."""
    if basket.order_id is not None:
        raise _errors.fields({"non_field_errors": [_errors.ALREADY_ORDERED]})


def patch_basket(state: State, basket: Basket, body: dict[str, Any], *, customer: bool) -> None:
    errors = FieldErrors()
    title = _fields.lookup(body, "title")
    new_title = basket.title
    if not _fields.missing(title):
        try:
            new_title = _fields.as_str(title, max_length=255)
        except Invalid as exc:
            errors.add("title", exc.message)
    new_customer = basket.customer_id
    raw_customer = _fields.lookup(body, "customer_id", "customerId") if customer else None
    if customer and not _fields.missing(raw_customer):
        if raw_customer is None:
            new_customer = None
        else:
            try:
                new_customer = _fields.as_int(raw_customer)
                if new_customer not in state.catalogue.users:
                    errors.add("customerId", _errors.invalid_pk(new_customer))
            except Invalid as exc:
                errors.add("customerId", exc.message)
    errors.check()
    ensure_editable(basket)
    basket.title, basket.customer_id = new_title, new_customer


def _post_processings(state: State, raw: Any, offer_id: int | None) -> list[tuple[int, int | None]]:
    """``[{postProcessingId, colorId}, ...]`` (the SDK's shape), checked against the line's offer.

    A bare id, or an item without ``postProcessingId``, gets DRF's nested list errors:
    one entry per item, ``{}`` for the good ones.
    """
    if not isinstance(raw, list):
        raise Invalid(_errors.expected_list(raw))
    items: list[tuple[int, int | None]] = []
    shape_errors: list[dict[str, Any]] = []
    for item in raw:
        problems: dict[str, Any] = {}
        pp_id: int | None = None
        color_id: int | None = None
        if not isinstance(item, dict):
            problems["non_field_errors"] = [_errors.expected_dict(item)]
        else:
            pp_raw = _fields.lookup(item, "postProcessingId")
            if _fields.missing(pp_raw) or pp_raw is None:
                problems["postProcessingId"] = [_errors.REQUIRED if _fields.missing(pp_raw) else _errors.NULL]
            else:
                try:
                    pp_id = _fields.as_int(pp_raw)
                except Invalid as exc:
                    problems["postProcessingId"] = [exc.message]
            color_raw = _fields.lookup(item, "colorId")
            if not _fields.missing(color_raw) and color_raw is not None:
                try:
                    color_id = _fields.as_int(color_raw)
                except Invalid as exc:
                    problems["colorId"] = [exc.message]
        shape_errors.append(problems)
        if pp_id is not None and not problems:
            items.append((pp_id, color_id))
    if any(shape_errors):
        raise Invalid(shape_errors)
    catalogue = state.catalogue
    chosen: list[tuple[int, int | None]] = []
    for pp_id, color_id in items:
        pp = catalogue.post_processings.get(pp_id)
        if pp is None:
            raise Invalid(_errors.invalid_pk(pp_id))
        if offer_id is None:
            raise Invalid("Choose an offer for this line before its post-processings.")
        offer = catalogue.offers[offer_id]
        if pp_id not in offer.post_processing_ids:
            raise Invalid(f'Post-processing "{pp.name}" is not available for offer "{offer.name}".')
        if color_id is not None and color_id not in pp.colors:
            raise Invalid(f'Color {color_id} is not available for post-processing "{pp.name}".')
        if any(existing == pp_id for existing, _ in chosen):
            raise Invalid(f'Post-processing "{pp.name}" is listed twice.')
        chosen.append((pp_id, color_id))
    return chosen


def patch_line(state: State, basket: Basket, line: Line, body: dict[str, Any], *, print_price: bool) -> None:
    """Change only the keys sent; ``print_price`` lets the Service Panel set ``unitPrintPrice``."""
    errors = FieldErrors()
    catalogue = state.catalogue
    quantity, offer_id, unit_price = line.quantity, line.offer_id, line.unit_print_price
    due_date = line.preferred_due_date

    raw = _fields.lookup(body, "quantity")
    if not _fields.missing(raw):
        try:
            quantity = _fields.as_int(raw, minimum=1)
        except Invalid as exc:
            errors.add("quantity", exc.message)

    raw = _fields.lookup(body, "offerId", "offer_id")
    if not _fields.missing(raw):
        try:
            if raw is None:
                raise Invalid(_errors.NULL)
            offer_id = _fields.as_int(raw)
            if offer_id not in catalogue.offers:
                raise Invalid(_errors.invalid_pk(offer_id))
        except Invalid as exc:
            errors.add("offerId", exc.message)
            offer_id = line.offer_id

    if print_price:
        raw = _fields.lookup(body, "unitPrintPrice", "unit_print_price")
        if not _fields.missing(raw):
            try:
                unit_price = None if raw is None else _fields.as_decimal(raw)
            except Invalid as exc:
                errors.add("unitPrintPrice", exc.message)

    raw = _fields.lookup(body, "preferredDueDate", "preferred_due_date")
    if not _fields.missing(raw):
        if raw is None or (isinstance(raw, str) and _is_date(raw)):
            due_date = raw
        else:
            errors.add("preferredDueDate", "Date has wrong format. Use one of these formats instead: YYYY-MM-DD.")

    post_processings = line.post_processings
    raw = _fields.lookup(body, "postProcessings")
    if not _fields.missing(raw):
        try:
            post_processings = _post_processings(state, raw, offer_id)
        except Invalid as exc:
            errors.add("postProcessings", exc.message)
    elif offer_id != line.offer_id and offer_id is not None:
        allowed = catalogue.offers[offer_id].post_processing_ids
        post_processings = [(pp, color) for pp, color in post_processings if pp in allowed]

    errors.check()
    ensure_editable(basket)
    line.quantity, line.offer_id, line.unit_print_price = quantity, offer_id, unit_price
    line.preferred_due_date, line.post_processings = due_date, post_processings


def add_basket(state: State, panel: str, body: dict[str, Any], *, customer: bool) -> Basket:
    """A new basket of ``panel`` with ``body`` applied; a refused body leaves no basket behind."""
    basket = state.new_basket(panel)
    if body:
        try:
            patch_basket(state, basket, body, customer=customer)
        except _errors.ApiError:
            del state.baskets[basket.id]
            raise
    return basket


def add_line(state: State, basket: Basket, body: dict[str, Any], *, print_price: bool) -> Line:
    """A new line of ``basket`` with ``body`` applied; a refused body leaves no line behind."""
    ensure_editable(basket)
    line = state.new_line(basket)
    if body:
        try:
            patch_line(state, basket, line, body, print_price=print_price)
        except _errors.ApiError:
            del basket.lines[line.id]
            raise
    return line


def _is_date(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return len(text) == 10
