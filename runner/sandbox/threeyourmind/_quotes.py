"""The quote lifecycle: request for quote, quote, finalize, order (the SDK's only ordering route).

User Panel (3YD-sdk ``user_panel.py``): ``POST requests-for-quote/ {basketId, partnerId,
message}``; ``GET quotes/``, ``GET quotes/{id}/`` (``status``, ``partner.id``,
``currency``, ``totalPrice.inclusiveTax``); ``PUT quotes/{id}/finalize/`` with billing,
shipping address, shipping method, pickup location and delivery instructions, each of
which may be null; ``POST orders/ {quoteId, payment, additionalInformation,
voucherCode}``, which takes billing and shipping from the finalized quote.

Service Panel (3YD-usecases): ``POST quotes/ {requestForQuoteId, lines:[{id, unitPrice}]}``
answers a request with custom line prices. The sandbox's service answers every request
at once with its catalogue prices unless ``config.options["quote_answer"]`` is
``"manual"``. Inferred, and said so in docs/targets: a quote carries the
``requestForQuoteId`` it answers (the field that creates it), lists newest first, and
is ``open`` until finalized, ``finalized``, then ``ordered``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from starlette.responses import Response
from starlette.routing import Route

from orderspec.sandbox.threeyourmind import _baskets, _errors, _fields, _ordering, _pricing, _shapes
from orderspec.sandbox.threeyourmind._catalogue import Named
from orderspec.sandbox.threeyourmind._fields import FieldErrors, Invalid
from orderspec.sandbox.threeyourmind._http import Call, answer, paginate, route
from orderspec.sandbox.threeyourmind._state import Basket, State

OPEN = "open"
FINALIZED = "finalized"
ORDERED = "ordered"
UP = "/api/v2.0/user-panel"
SP = "/api/v2.0/service-panel/services/{service_id:int}"


@dataclass
class QuoteLine:
    line: dict[str, Any]
    """The basket line as frozen when the quote was made (``_shapes.ordered_line_json``)."""
    unit_price: Decimal
    post_processing_price: Decimal
    quantity: int

    @property
    def total(self) -> Decimal:
        return (self.unit_price + self.post_processing_price) * self.quantity


@dataclass
class Quote:
    id: int
    rfq_id: int
    basket_id: int
    created_at: str
    lines: list[QuoteLine]
    status: str = OPEN
    billing: dict[str, Any] | None = None
    shipping_address: dict[str, Any] | None = None
    shipping_method: Named | None = None
    pickup: Named | None = None
    delivery_instructions: str | None = None
    order_id: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def _lines(state: State, basket: Basket, prices: dict[int, Decimal]) -> list[QuoteLine]:
    out = []
    for line in basket.lines.values():
        unit = prices.get(line.id, _pricing.unit_price(state.catalogue, line))
        assert unit is not None  # basket_problems checked every line has an offer
        out.append(QuoteLine(_shapes.ordered_line_json(state, line), unit, _pricing.post_processing_price(state.catalogue, line), line.quantity))
    return out


def quote_price(state: State, quote: Quote, voucher_percent: Decimal | None = None) -> dict[str, Any]:
    lines = sum((q.total for q in quote.lines), Decimal("0.00"))
    shipping = quote.shipping_method.price if quote.shipping_method else Decimal("0.00")
    return _pricing.price_of(state.catalogue, lines, shipping, voucher_percent)


def quote_json(state: State, quote: Quote) -> dict[str, Any]:
    catalogue = state.catalogue
    price = quote_price(state, quote)
    return {
        "id": quote.id,
        "number": f"Q-{quote.id}",
        "requestForQuoteId": quote.rfq_id,
        "basketId": quote.basket_id,
        "status": quote.status,
        "partner": {"id": catalogue.service_id, "name": catalogue.service_name},
        "currency": catalogue.currency,
        "taxRate": price["taxRate"],
        "lines": [{**q.line, "unitPrice": str(q.unit_price), "totalPrice": str(q.total)} for q in quote.lines],
        "linesPrice": price["linesPrice"],
        "shippingPrice": price["shippingPrice"],
        "totalPrice": price["totalPrice"],
        "billingAddressId": quote.billing["id"] if quote.billing else None,
        "shippingAddressId": quote.shipping_address["id"] if quote.shipping_address else None,
        "shippingMethodId": quote.shipping_method.id if quote.shipping_method else None,
        "pickupLocationId": quote.pickup.id if quote.pickup else None,
        "deliveryInstructions": quote.delivery_instructions,
        "orderId": quote.order_id,
        "createdAt": quote.created_at,
    }


def _rfq_json(state: State, rfq: dict[str, Any]) -> dict[str, Any]:
    answered = any(q.rfq_id == rfq["id"] for q in state.quotes.values())
    return {**rfq, "status": "answered" if answered else "requested"}


def _answer(state: State, rfq: dict[str, Any], prices: dict[int, Decimal]) -> Quote:
    basket = state.baskets[rfq["basketId"]]
    quote = Quote(id=state.new_quote_id(), rfq_id=rfq["id"], basket_id=basket.id, created_at=state.now(), lines=_lines(state, basket, prices))
    state.quotes[quote.id] = quote
    return quote


# -- User Panel -----------------------------------------------------------------------


async def request_for_quote(call: Call) -> Response:
    state = call.state
    body = await call.json_body()
    errors = FieldErrors()
    basket: Basket | None = None
    raw = _fields.lookup(body, "basketId")
    try:
        basket = _ordering.pk(raw, state.baskets)
        if basket.panel != _ordering.USER_PANEL:
            basket = None
            raise Invalid(_errors.invalid_pk(_fields.as_int(raw)))
        if basket.order_id is not None:
            errors.add("basketId", _errors.ALREADY_ORDERED)
    except Invalid as exc:
        errors.add("basketId", exc.message)
    raw = _fields.lookup(body, "partnerId")
    try:
        if _fields.missing(raw) or raw is None:
            raise Invalid(_errors.REQUIRED)
        partner = _fields.as_int(raw)
        if partner != state.catalogue.service_id:
            raise Invalid(_errors.invalid_pk(partner))
    except Invalid as exc:
        errors.add("partnerId", exc.message)
    message = ""
    raw = _fields.lookup(body, "message")
    if not _fields.missing(raw) and raw is not None:
        try:
            message = _fields.as_str(raw, max_length=5000)
        except Invalid as exc:
            errors.add("message", exc.message)
    errors.check()
    assert basket is not None
    if not basket.lines:
        raise _errors.fields({"basketId": ["The basket has no lines."]})
    problems = _ordering.basket_problems(state, basket)
    if problems:
        raise _errors.fields({"non_field_errors": problems})
    rfq_id = state.new_rfq_id()
    rfq: dict[str, Any] = {"id": rfq_id, "basketId": basket.id, "partnerId": state.catalogue.service_id, "message": message, "createdAt": state.now()}
    state.requests_for_quote[rfq_id] = rfq
    if state.config.options.get("quote_answer", "auto") != "manual":
        _answer(state, rfq, {})
    return answer(_rfq_json(state, rfq), 201)


def _quote(call: Call) -> Quote:
    quote: Quote | None = call.state.quotes.get(call.path_int("quote_id"))
    if quote is None:
        raise _errors.not_found()
    return quote


async def list_quotes(call: Call) -> Response:
    newest_first = sorted(call.state.quotes.values(), key=lambda q: q.id, reverse=True)
    return paginate(call, [quote_json(call.state, q) for q in newest_first])


async def get_quote(call: Call) -> Response:
    return answer(quote_json(call.state, _quote(call)))


async def finalize(call: Call) -> Response:
    """Billing, shipping or pickup for the quote; a null or missing key leaves what the quote has."""
    state = call.state
    quote = _quote(call)
    body = await call.json_body()
    errors = FieldErrors()
    addresses = {a["id"]: a for a in state.my_addresses}
    chosen: dict[str, Any] = {}
    for key, table in (
        ("billingAddressId", addresses),
        ("shippingAddressId", addresses),
        ("shippingMethodId", state.catalogue.shipping_methods),
        ("pickupLocationId", state.catalogue.pickup_locations),
    ):
        raw = _fields.lookup(body, key)
        if _fields.missing(raw) or raw is None:
            continue
        try:
            chosen[key] = _ordering.pk(raw, table)
        except Invalid as exc:
            errors.add(key, exc.message)
    raw = _fields.lookup(body, "deliveryInstructions")
    if not _fields.missing(raw) and raw is not None:
        try:
            chosen["deliveryInstructions"] = _fields.as_str(raw, max_length=1000)
        except Invalid as exc:
            errors.add("deliveryInstructions", exc.message)
    errors.check()
    if quote.status == ORDERED:
        raise _errors.fields({"non_field_errors": ["This quote has already been ordered."]})
    billing = chosen.get("billingAddressId", quote.billing)
    shipping_address = chosen.get("shippingAddressId", quote.shipping_address)
    method = chosen.get("shippingMethodId", quote.shipping_method)
    pickup = chosen.get("pickupLocationId", quote.pickup)
    if billing is None:
        errors.add("billingAddressId", _errors.REQUIRED)
    if pickup is not None and method is not None:
        errors.add("non_field_errors", "Choose either shipping or a pickup location, not both.")
    elif pickup is None and (method is None or shipping_address is None):
        errors.add("non_field_errors", "Choose a shipping method and address, or a pickup location.")
    errors.check()
    quote.billing, quote.shipping_address, quote.shipping_method, quote.pickup = billing, shipping_address, method, pickup
    quote.delivery_instructions = chosen.get("deliveryInstructions", quote.delivery_instructions)
    quote.status = FINALIZED
    return answer(quote_json(state, quote))


def place_from_quote(state: State, body: dict[str, Any]) -> dict[str, Any]:
    """``POST user-panel/orders/ {quoteId, payment, additionalInformation, voucherCode}``."""
    errors = FieldErrors()
    if not _fields.missing(_fields.lookup(body, "basketId")):
        raise _errors.fields({"non_field_errors": ["Send either basketId or quoteId, not both."]})
    quote: Quote | None = None
    try:
        quote = _ordering.pk(_fields.lookup(body, "quoteId"), state.quotes)
    except Invalid as exc:
        errors.add("quoteId", exc.message)
    payment = _ordering.read_payment(state, body, errors)
    _values, voucher, _fees, reference = _ordering.read_extras(state, body, errors)
    errors.check()
    assert quote is not None and payment is not None
    if quote.status == ORDERED:
        raise _errors.fields({"quoteId": ["This quote has already been ordered."]})
    if quote.status != FINALIZED:
        raise _errors.fields({"quoteId": ["Finalize the quote (billing and delivery) before ordering it."]})
    catalogue = state.catalogue
    order_id = state.new_order_id()
    method = quote.shipping_method
    customer = catalogue.me
    order = {
        "id": order_id,
        "number": f"SO-{order_id}",
        "status": "new",
        "panel": _ordering.USER_PANEL,
        "basketId": quote.basket_id,
        "quoteId": quote.id,
        "userId": customer.id,
        "customer": customer.json,
        "lines": [q.line | {"unitPrintPrice": str(q.unit_price), "totalPrice": str(q.total)} for q in quote.lines],
        "billingAddressId": quote.billing["id"] if quote.billing else None,
        "billingAddress": dict(quote.billing or {}),
        "shipping": None
        if method is None or quote.shipping_address is None
        else {
            "methodId": method.id,
            "methodName": method.name,
            "addressId": quote.shipping_address["id"],
            "address": dict(quote.shipping_address),
            "deliveryInstructions": quote.delivery_instructions or "",
        },
        "pickupLocationId": quote.pickup.id if quote.pickup else None,
        "pickupLocation": quote.pickup.json if quote.pickup else None,
        "payment": _ordering.payment_json(state, payment),
        "shippingPrice": None,
        "fees": [],
        "voucherCode": voucher,
        "additionalInformation": {"reference": reference},
        "price": quote_price(state, quote, catalogue.vouchers.get(voucher) if voucher else None),
        "createdAt": state.now(),
    }
    state.orders[order_id] = order
    quote.status, quote.order_id = ORDERED, order_id
    return order


# -- Service Panel ----------------------------------------------------------------------


async def create_quote(call: Call) -> Response:
    """The service answers a request for quote with its own line prices (3YD-usecases)."""
    state = call.state
    if call.path_int("service_id") != state.catalogue.service_id:
        raise _errors.not_found()
    body = await call.json_body()
    errors = FieldErrors()
    rfq: dict[str, Any] | None = None
    try:
        rfq = _ordering.pk(_fields.lookup(body, "requestForQuoteId"), state.requests_for_quote)
    except Invalid as exc:
        errors.add("requestForQuoteId", exc.message)
    prices: dict[int, Decimal] = {}
    raw = _fields.lookup(body, "lines")
    if not _fields.missing(raw) and raw is not None:
        if not isinstance(raw, list):
            errors.add("lines", _errors.expected_list(raw))
        else:
            line_errors: list[dict[str, Any]] = []
            for item in raw:
                problems: dict[str, Any] = {}
                if not isinstance(item, dict):
                    problems["non_field_errors"] = [_errors.expected_dict(item)]
                else:
                    try:
                        line_id = _fields.as_int(_fields.lookup(item, "id"))
                        prices[line_id] = _fields.as_decimal(_fields.lookup(item, "unitPrice"))
                    except Invalid as exc:
                        problems["non_field_errors"] = [exc.message]
                line_errors.append(problems)
            if any(line_errors):
                errors.add("lines", line_errors)
    errors.check()
    assert rfq is not None
    basket = _baskets.get_basket(state, rfq["basketId"])
    unknown = sorted(set(prices) - set(basket.lines))
    if unknown:
        raise _errors.fields({"lines": [_errors.invalid_pk(unknown[0])]})
    if any(q.rfq_id == rfq["id"] for q in state.quotes.values()):
        raise _errors.fields({"requestForQuoteId": ["This request for quote has already been answered."]})
    return answer(quote_json(state, _answer(state, rfq, prices)), 201)


def routes() -> list[Route]:
    return [
        route(f"{UP}/requests-for-quote/", post=request_for_quote),
        route(f"{UP}/quotes/", get=list_quotes),
        route(f"{UP}/quotes/{{quote_id:int}}/", get=get_quote),
        route(f"{UP}/quotes/{{quote_id:int}}/finalize/", put=finalize),
        route(f"{SP}/quotes/", ordering=True, post=create_quote),
    ]
