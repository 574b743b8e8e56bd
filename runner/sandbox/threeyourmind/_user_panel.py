"""User Panel routes (``/api/v2.0/user-panel/…`` and ``my-profile/``): the token owner's own baskets.

Endpoints as in the vendor's Python SDK; ordering a basket directly (``POST orders/``
with ``basketId``) is the inference written in targets.md, shaped like the Service
Panel body. Only ordering needs ordering permission.
"""

from __future__ import annotations

from starlette.responses import Response
from starlette.routing import Route

from orderspec.sandbox.threeyourmind import _baskets, _errors, _fields, _ordering, _pricing, _quotes, _shapes
from orderspec.sandbox.threeyourmind._fields import FieldErrors
from orderspec.sandbox.threeyourmind._http import Call, answer, no_content, paginate, route
from orderspec.sandbox.threeyourmind._state import Basket

PREFIX = "/api/v2.0/user-panel"


def _basket(call: Call) -> Basket:
    basket = _baskets.get_basket(call.state, call.path_int("basket_id"))
    if basket.panel != _ordering.USER_PANEL:
        raise _errors.not_found()
    return basket


def _country(call: Call) -> None:
    country = call.query("country")
    if country and country not in call.state.catalogue.countries:
        raise _errors.fields({"country": [_errors.invalid_choice(country)]})


async def list_baskets(call: Call) -> Response:
    mine = [_shapes.basket_json(call.state, b) for b in call.state.baskets.values() if b.panel == _ordering.USER_PANEL]
    return paginate(call, mine)


async def create_basket(call: Call) -> Response:
    basket = _baskets.add_basket(call.state, _ordering.USER_PANEL, await call.json_body(), customer=False)
    return answer(_shapes.basket_json(call.state, basket), 201)


async def get_basket(call: Call) -> Response:
    return answer(_shapes.basket_json(call.state, _basket(call)))


async def patch_basket(call: Call) -> Response:
    basket = _basket(call)
    _baskets.patch_basket(call.state, basket, await call.json_body(), customer=False)
    return answer(_shapes.basket_json(call.state, basket))


async def delete_basket(call: Call) -> Response:
    basket = _basket(call)
    _baskets.ensure_editable(basket)
    del call.state.baskets[basket.id]
    return no_content()


async def basket_price(call: Call) -> Response:
    basket = _basket(call)
    catalogue = call.state.catalogue
    errors = FieldErrors()
    currency = call.query("currency")
    if not currency:
        errors.add("currency", _errors.REQUIRED)
    elif currency != catalogue.currency:
        errors.add("currency", _errors.invalid_choice(currency))
    addresses = {a["id"] for a in call.state.my_addresses}
    for name in ("shippingAddressId", "billingAddressId"):
        address_id = _fields.optional_int(call.query(name), errors, name)
        if address_id is not None and address_id not in addresses:
            errors.add(name, _errors.invalid_pk(address_id))
    method_id = _fields.optional_int(call.query("shippingMethodId"), errors, "shippingMethodId")
    method = catalogue.shipping_methods.get(method_id) if method_id is not None else None
    if method_id is not None and method is None:
        errors.add("shippingMethodId", _errors.invalid_pk(method_id))
    voucher = call.query("voucherCode") or None
    if voucher is not None and voucher not in catalogue.vouchers:
        errors.add("voucherCode", "Invalid voucher code.")
    errors.check()
    price = _pricing.basket_price(catalogue, basket, method, catalogue.vouchers.get(voucher) if voucher else None)
    return answer({"basketId": basket.id, **price})


async def list_lines(call: Call) -> Response:
    return answer([_shapes.line_json(call.state, line) for line in _basket(call).lines.values()])


async def create_line(call: Call) -> Response:
    basket = _basket(call)
    line = _baskets.add_line(call.state, basket, await call.json_body(), print_price=False)
    return answer(_shapes.line_json(call.state, line), 201)


async def get_line(call: Call) -> Response:
    return answer(_shapes.line_json(call.state, _baskets.get_line(_basket(call), call.path_int("line_id"))))


async def patch_line(call: Call) -> Response:
    basket = _basket(call)
    line = _baskets.get_line(basket, call.path_int("line_id"))
    _baskets.patch_line(call.state, basket, line, await call.json_body(), print_price=False)
    return answer(_shapes.line_json(call.state, line))


async def delete_line(call: Call) -> Response:
    basket = _basket(call)
    line = _baskets.get_line(basket, call.path_int("line_id"))
    _baskets.ensure_editable(basket)
    del basket.lines[line.id]
    return no_content()


async def file_status(call: Call) -> Response:
    basket = _basket(call)
    stored = call.state.line_file(_baskets.get_line(basket, call.path_int("line_id")))
    if stored is None:
        raise _errors.not_found()
    return answer({"status": call.state.file_status(stored, read=True)})


async def materials(call: Call) -> Response:
    _baskets.get_line(_basket(call), call.path_int("line_id"))
    _country(call)
    catalogue = call.state.catalogue
    offered = {o.material_id for o in catalogue.offers.values()}
    return answer([m.json for m in catalogue.materials.values() if m.id in offered])


async def material_offers(call: Call) -> Response:
    _baskets.get_line(_basket(call), call.path_int("line_id"))
    material_id = call.path_int("material_id")
    if material_id not in call.state.catalogue.materials:
        raise _errors.not_found()
    _country(call)
    return answer(call.state.catalogue.offers_json(material_id))


def _service(call: Call) -> None:
    if call.path_int("service_id") != call.state.catalogue.service_id:
        raise _errors.not_found()


async def payment_methods(call: Call) -> Response:
    _service(call)
    return answer([m.json for m in call.state.catalogue.payment_methods.values()])


async def shipping_methods(call: Call) -> Response:
    _service(call)
    errors = FieldErrors()
    address_id = _fields.optional_int(call.query("shippingAddressId"), errors, "shippingAddressId")
    if address_id is not None and address_id not in {a["id"] for a in call.state.my_addresses}:
        errors.add("shippingAddressId", _errors.invalid_pk(address_id))
    _fields.optional_int(call.query("quoteId"), errors, "quoteId")
    errors.check()
    return answer([m.json for m in call.state.catalogue.shipping_methods.values()])


async def list_orders(call: Call) -> Response:
    return paginate(call, [o for o in call.state.orders.values() if o["panel"] == _ordering.USER_PANEL])


async def place_order(call: Call) -> Response:
    """``{quoteId, …}`` (the SDK's route) or ``{basketId, …}`` (the inferred one)."""
    body = await call.json_body()
    if not _fields.missing(_fields.lookup(body, "quoteId")):
        return answer(_quotes.place_from_quote(call.state, body), 201)
    return answer(_ordering.place(call.state, body, panel=_ordering.USER_PANEL), 201)


async def get_order(call: Call) -> Response:
    order = call.state.orders.get(call.path_int("order_id"))
    if order is None or order["panel"] != _ordering.USER_PANEL:
        raise _errors.not_found()
    return answer(order)


async def get_order_line(call: Call) -> Response:
    order = call.state.orders.get(call.path_int("order_id"))
    if order is None or order["panel"] != _ordering.USER_PANEL:
        raise _errors.not_found()
    line_id = call.path_int("line_id")
    for line in order["lines"]:
        if line["id"] == line_id:
            return answer(line)
    raise _errors.not_found()


def routes() -> list[Route]:
    p = PREFIX
    lines = f"{p}/baskets/{{basket_id:int}}/lines"
    return [
        route(f"{p}/baskets/", get=list_baskets, post=create_basket),
        route(f"{p}/baskets/{{basket_id:int}}/", get=get_basket, patch=patch_basket, delete=delete_basket),
        route(f"{p}/baskets/{{basket_id:int}}/price/", get=basket_price),
        route(f"{lines}/", get=list_lines, post=create_line),
        route(f"{lines}/{{line_id:int}}/", get=get_line, patch=patch_line, delete=delete_line),
        route(f"{lines}/{{line_id:int}}/file-status/", get=file_status),
        route(f"{lines}/{{line_id:int}}/materials/", get=materials),
        route(f"{lines}/{{line_id:int}}/materials/{{material_id:int}}/offers/", get=material_offers),
        route(f"{p}/services/{{service_id:int}}/payment-methods/", get=payment_methods),
        route(f"{p}/services/{{service_id:int}}/shipping-methods/", get=shipping_methods),
        route(f"{p}/orders/", ordering=True, get=list_orders, post=place_order),
        route(f"{p}/orders/{{order_id:int}}/", get=get_order),
        route(f"{p}/orders/{{order_id:int}}/{{line_id:int}}/", get=get_order_line),
    ]
