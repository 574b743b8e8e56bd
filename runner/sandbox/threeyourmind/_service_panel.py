"""Service Panel routes: the twelve steps of the seed's ``.http`` example, and their reads.

All live under ``/api/v2.0/service-panel/services/{service_id}/``; an unknown service
id is a 404 like any unknown object. Writes need ordering permission.
"""

from __future__ import annotations

from starlette.responses import Response
from starlette.routing import Route

from orderspec.sandbox.threeyourmind import _baskets, _errors, _ordering, _shapes
from orderspec.sandbox.threeyourmind._http import Call, answer, paginate, route

PREFIX = "/api/v2.0/service-panel/services/{service_id:int}"


def _service(call: Call) -> None:
    if call.path_int("service_id") != call.state.catalogue.service_id:
        raise _errors.not_found()


async def users(call: Call) -> Response:
    _service(call)
    text = (call.query("search") or "").casefold().split()
    found = [u.json for u in call.state.catalogue.users.values() if all(word in u.search_text for word in text)]
    return paginate(call, found)


async def user_addresses(call: Call) -> Response:
    _service(call)
    customer = call.state.catalogue.users.get(call.path_int("user_id"))
    if customer is None:
        raise _errors.not_found()
    return answer(list(customer.addresses))


async def payment_methods(call: Call) -> Response:
    _service(call)
    return answer([m.json for m in call.state.catalogue.payment_methods.values()])


async def shipping_methods(call: Call) -> Response:
    _service(call)
    return answer([m.json for m in call.state.catalogue.shipping_methods.values()])


async def offers(call: Call) -> Response:
    _service(call)
    return answer(call.state.catalogue.offers_json())


async def list_baskets(call: Call) -> Response:
    _service(call)
    return paginate(call, [_shapes.basket_json(call.state, b) for b in call.state.baskets.values()])


async def create_basket(call: Call) -> Response:
    _service(call)
    basket = _baskets.add_basket(call.state, _ordering.SERVICE_PANEL, await call.json_body(), customer=True)
    return answer(_shapes.basket_json(call.state, basket), 201)


async def get_basket(call: Call) -> Response:
    _service(call)
    return answer(_shapes.basket_json(call.state, _baskets.get_basket(call.state, call.path_int("basket_id"))))


async def patch_basket(call: Call) -> Response:
    _service(call)
    basket = _baskets.get_basket(call.state, call.path_int("basket_id"))
    _baskets.patch_basket(call.state, basket, await call.json_body(), customer=True)
    return answer(_shapes.basket_json(call.state, basket))


async def list_lines(call: Call) -> Response:
    _service(call)
    basket = _baskets.get_basket(call.state, call.path_int("basket_id"))
    return answer([_shapes.line_json(call.state, line) for line in basket.lines.values()])


async def create_line(call: Call) -> Response:
    _service(call)
    basket = _baskets.get_basket(call.state, call.path_int("basket_id"))
    line = _baskets.add_line(call.state, basket, await call.json_body(), print_price=True)
    return answer(_shapes.line_json(call.state, line), 201)


async def get_line(call: Call) -> Response:
    _service(call)
    basket = _baskets.get_basket(call.state, call.path_int("basket_id"))
    return answer(_shapes.line_json(call.state, _baskets.get_line(basket, call.path_int("line_id"))))


async def patch_line(call: Call) -> Response:
    _service(call)
    basket = _baskets.get_basket(call.state, call.path_int("basket_id"))
    line = _baskets.get_line(basket, call.path_int("line_id"))
    _baskets.patch_line(call.state, basket, line, await call.json_body(), print_price=True)
    return answer(_shapes.line_json(call.state, line))


async def file_status(call: Call) -> Response:
    _service(call)
    basket = _baskets.get_basket(call.state, call.path_int("basket_id"))
    stored = call.state.line_file(_baskets.get_line(basket, call.path_int("line_id")))
    if stored is None:
        raise _errors.not_found()
    return answer({"status": call.state.file_status(stored, read=True)})


async def place_order(call: Call) -> Response:
    _service(call)
    return answer(_ordering.place(call.state, await call.json_body(), panel=_ordering.SERVICE_PANEL), 201)


async def list_orders(call: Call) -> Response:
    _service(call)
    found = [o for o in call.state.orders.values() if o["panel"] == _ordering.SERVICE_PANEL]
    return paginate(call, found)


async def get_order(call: Call) -> Response:
    _service(call)
    order = call.state.orders.get(call.path_int("order_id"))
    if order is None or order["panel"] != _ordering.SERVICE_PANEL:
        raise _errors.not_found()
    return answer(order)


def routes() -> list[Route]:
    p = PREFIX
    return [
        route(f"{p}/internal-ordering/users/", ordering=True, get=users),
        route(f"{p}/internal-ordering/users/{{user_id:int}}/addresses/", ordering=True, get=user_addresses),
        route(f"{p}/internal-ordering/orders/", ordering=True, get=list_orders, post=place_order),
        route(f"{p}/internal-ordering/orders/{{order_id:int}}/", ordering=True, get=get_order),
        route(f"{p}/payment-methods/", ordering=True, get=payment_methods),
        route(f"{p}/shipping-methods/", ordering=True, get=shipping_methods),
        route(f"{p}/offers/", ordering=True, get=offers),
        route(f"{p}/baskets/", ordering=True, get=list_baskets, post=create_basket),
        route(f"{p}/baskets/{{basket_id:int}}/", ordering=True, get=get_basket, patch=patch_basket),
        route(f"{p}/baskets/{{basket_id:int}}/lines/", ordering=True, get=list_lines, post=create_line),
        route(f"{p}/baskets/{{basket_id:int}}/lines/{{line_id:int}}/", ordering=True, get=get_line, patch=patch_line),
        route(f"{p}/baskets/{{basket_id:int}}/lines/{{line_id:int}}/file-status/", ordering=True, get=file_status),
    ]
