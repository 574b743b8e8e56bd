"""Turning a basket into an order, for both panels.

The body is the seed's Service Panel body (the User Panel's is inferred to be the same
without ``userId``). Which fields are required is not documented; the sandbox asks for
what an order cannot do without (basket, billing address, a delivery, a payment
method) and records ``shippingPrice`` and ``authorizedAmount`` as sent, without
comparing them with its own total. An order is refused while any line lacks an offer
or a file, or its file is not (successfully) analysed, and a basket orders once.
"""

from __future__ import annotations

from typing import Any

from orderspec.sandbox.threeyourmind import _errors, _fields, _pricing, _shapes
from orderspec.sandbox.threeyourmind._catalogue import Customer, Named
from orderspec.sandbox.threeyourmind._fields import FieldErrors, Invalid
from orderspec.sandbox.threeyourmind._state import ANALYSING, FINISHED, Basket, State

SERVICE_PANEL = "service-panel"
USER_PANEL = "user-panel"


def pk(raw: Any, table: dict[int, Any]) -> Any:
    """The entry ``raw`` names in ``table``; ``Invalid`` with DRF's message otherwise."""
    if _fields.missing(raw) or raw is None:
        raise Invalid(_errors.REQUIRED)
    key = _fields.as_int(raw)
    if key not in table:
        raise Invalid(_errors.invalid_pk(key))
    return table[key]


def nested(errors: FieldErrors, name: str, raw: Any, read: dict[str, Any]) -> dict[str, Any] | None:
    """Read a nested object field by field; its errors nest under ``name`` as DRF's do."""
    if not isinstance(raw, dict):
        errors.add(name, {"non_field_errors": [_errors.expected_dict(raw)]})
        return None
    nested = FieldErrors()
    values: dict[str, Any] = {}
    for key, reader in read.items():
        try:
            values[key] = reader(raw)
        except Invalid as exc:
            nested.add(key, exc.message)
    if nested:
        errors.add(name, nested.errors)
        return None
    return values


def optional(reader: Any, *names: str) -> Any:
    def read(body: dict[str, Any]) -> Any:
        raw = _fields.lookup(body, *names)
        return None if _fields.missing(raw) or raw is None else reader(raw)

    return read


def basket_problems(state: State, basket: Basket) -> list[str]:
    problems = []
    for line in basket.lines.values():
        stored = state.line_file(line)
        if line.offer_id is None:
            problems.append(f"Line {line.id} has no offer.")
        if stored is None:
            problems.append(f"Line {line.id} has no file.")
        else:
            status = state.file_status(stored)
            if status == ANALYSING:
                problems.append(f"The file of line {line.id} is still being analysed.")
            elif status != FINISHED:
                problems.append(f'The analysis of the file of line {line.id} ended with status "{status}".')
    return problems


def read_payment(state: State, body: dict[str, Any], errors: FieldErrors) -> dict[str, Any] | None:
    """``payment {methodId, authorizedAmount, currency, details}``: the method is required, the rest may be null."""
    catalogue = state.catalogue
    raw = _fields.lookup(body, "payment")
    if _fields.missing(raw) or raw is None:
        errors.add("payment", _errors.REQUIRED)
        return None

    def currency(value: Any) -> str:
        text = _fields.as_str(value)
        if text != catalogue.currency:
            raise Invalid(_errors.invalid_choice(text))
        return text

    def details(value: Any) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise Invalid(_errors.expected_dict(value))
        return value

    return nested(
        errors,
        "payment",
        raw,
        {
            "methodId": lambda d: pk(_fields.lookup(d, "methodId", "method_id"), catalogue.payment_methods),
            "authorizedAmount": optional(_fields.as_decimal, "authorizedAmount", "authorized_amount"),
            "currency": optional(currency, "currency"),
            "details": optional(details, "details"),
        },
    )


def read_extras(state: State, body: dict[str, Any], errors: FieldErrors) -> tuple[dict[str, Any], str | None, list[Any], str | None]:
    """``shippingPrice``, ``voucherCode`` (blank is none, as the SDK sends it), ``fees`` and the reference."""
    catalogue = state.catalogue
    values: dict[str, Any] = {}
    for key, names, reader in (
        ("shippingPrice", ("shippingPrice", "shipping_price"), _fields.as_decimal),
        ("voucherCode", ("voucherCode", "voucher_code"), lambda v: _fields.as_str(v, max_length=100)),
    ):
        try:
            values[key] = optional(reader, *names)(body)
        except Invalid as exc:
            errors.add(key, exc.message)
    voucher = values.get("voucherCode") or None
    if voucher is not None and voucher not in catalogue.vouchers:
        errors.add("voucherCode", "Invalid voucher code.")

    fees = _fields.lookup(body, "fees")
    if _fields.missing(fees) or fees is None:
        fees = []
    elif not isinstance(fees, list):
        errors.add("fees", _errors.expected_list(fees))

    reference = None
    info = _fields.lookup(body, "additionalInformation", "additional_information")
    if not _fields.missing(info) and info is not None:
        extra = nested(errors, "additionalInformation", info, {"reference": optional(_fields.as_str, "reference")})
        reference = extra["reference"] if extra else None
    return values, voucher, fees, reference


def payment_json(state: State, payment: dict[str, Any]) -> dict[str, Any]:
    return {
        "methodId": payment["methodId"].id,
        "methodName": payment["methodId"].name,
        "authorizedAmount": None if payment["authorizedAmount"] is None else str(payment["authorizedAmount"]),
        "currency": payment["currency"] or state.catalogue.currency,
        "details": payment["details"] or {},
    }


def place(state: State, body: dict[str, Any], *, panel: str) -> dict[str, Any]:
    """Validate the order body, check the basket can be ordered, record and return the order."""
    catalogue = state.catalogue
    errors = FieldErrors()

    basket: Basket | None = None
    try:
        raw = _fields.lookup(body, "basketId", "basket_id")
        basket = pk(raw, state.baskets)
        if panel == USER_PANEL and basket.panel != USER_PANEL:  # the user sees only their own baskets
            basket = None
            raise Invalid(_errors.invalid_pk(_fields.as_int(raw)))
        if basket.order_id is not None:
            errors.add("basketId", _errors.ALREADY_ORDERED)
    except Invalid as exc:
        errors.add("basketId", exc.message)

    customer: Customer | None = None
    if panel == SERVICE_PANEL:
        raw = _fields.lookup(body, "userId", "user_id")
        if (_fields.missing(raw) or raw is None) and basket is not None and basket.customer_id is not None:
            raw = basket.customer_id
        try:
            customer = pk(raw, catalogue.users)
        except Invalid as exc:
            errors.add("userId", exc.message)
        addresses = {a["id"]: a for a in customer.addresses} if customer else None
    else:
        customer = catalogue.me
        addresses = {a["id"]: a for a in state.my_addresses}

    def address(raw: Any) -> Any:
        # with an unknown customer there is nothing to check addresses against; userId is reported
        return pk(raw, addresses) if addresses is not None else None

    billing = None
    try:
        billing = address(_fields.lookup(body, "billingAddressId", "billing_address_id"))
    except Invalid as exc:
        errors.add("billingAddressId", exc.message)

    pickup: Named | None = None
    raw = _fields.lookup(body, "pickupLocationId", "pickup_location_id")
    if not _fields.missing(raw) and raw is not None:
        try:
            pickup = pk(raw, catalogue.pickup_locations)
        except Invalid as exc:
            errors.add("pickupLocationId", exc.message)

    shipping = None
    raw = _fields.lookup(body, "shipping")
    if not _fields.missing(raw) and raw is not None:
        shipping = nested(
            errors,
            "shipping",
            raw,
            {
                "methodId": lambda d: pk(_fields.lookup(d, "methodId", "method_id"), catalogue.shipping_methods),
                "addressId": lambda d: address(_fields.lookup(d, "addressId", "address_id")),
                "deliveryInstructions": optional(_fields.as_str, "deliveryInstructions", "delivery_instructions"),
            },
        )
    elif pickup is None and "pickupLocationId" not in errors.errors:
        errors.add("shipping", "Choose a shipping method and address, or a pickup location.")
    if shipping is not None and pickup is not None:
        errors.add("non_field_errors", "Choose either shipping or a pickup location, not both.")

    payment = read_payment(state, body, errors)
    values, voucher, fees, reference = read_extras(state, body, errors)

    errors.check()
    assert basket is not None and customer is not None and billing is not None and payment is not None
    if not basket.lines:
        raise _errors.fields({"basketId": ["The basket has no lines."]})
    problems = basket_problems(state, basket)
    if problems:
        raise _errors.fields({"non_field_errors": problems})
    return _record(state, basket, panel, customer, billing, pickup, shipping, payment, values, voucher, fees, reference)


def _record(
    state: State,
    basket: Basket,
    panel: str,
    customer: Customer,
    billing: dict[str, Any],
    pickup: Named | None,
    shipping: dict[str, Any] | None,
    payment: dict[str, Any],
    values: dict[str, Any],
    voucher: str | None,
    fees: list[Any],
    reference: str | None,
) -> dict[str, Any]:
    catalogue = state.catalogue
    order_id = state.new_order_id()
    method: Named | None = shipping["methodId"] if shipping else None
    order = {
        "id": order_id,
        "number": f"SO-{order_id}",
        "status": "new",
        "panel": panel,
        "basketId": basket.id,
        "quoteId": None,
        "userId": customer.id,
        "customer": customer.json,
        "lines": [_shapes.ordered_line_json(state, line) for line in basket.lines.values()],
        "billingAddressId": billing["id"],
        "billingAddress": dict(billing),
        "shipping": None
        if shipping is None
        else {
            "methodId": method.id,  # type: ignore[union-attr]
            "methodName": method.name,  # type: ignore[union-attr]
            "addressId": shipping["addressId"]["id"],
            "address": dict(shipping["addressId"]),
            "deliveryInstructions": shipping["deliveryInstructions"] or "",
        },
        "pickupLocationId": pickup.id if pickup else None,
        "pickupLocation": pickup.json if pickup else None,
        "payment": payment_json(state, payment),
        "shippingPrice": None if values.get("shippingPrice") is None else str(values["shippingPrice"]),
        "fees": fees,
        "voucherCode": voucher,
        "additionalInformation": {"reference": reference},
        "price": _pricing.basket_price(catalogue, basket, method, catalogue.vouchers.get(voucher) if voucher else None),
        "createdAt": state.now(),
    }
    state.orders[order_id] = order
    basket.order_id = order_id
    return order
