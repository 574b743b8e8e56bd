"""The 3YOURMIND sandbox's User Panel: basket, lines, upload, materials and offers, price, order."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import httpx
import pytest
from _threeyourmind_client import token_client, wait_for_analysis

from orderspec.sandbox.testing import RunningSandbox, running_sandbox

UP = "/api/v2.0/user-panel"
STL = b"solid part\nendsolid part\n"


@pytest.fixture(scope="module")
def server() -> Iterator[RunningSandbox]:
    with running_sandbox("3yourmind-user-panel") as running:
        yield running


@pytest.fixture
def api(server: RunningSandbox) -> Iterator[httpx.Client]:
    with token_client(server) as client:
        yield client


def add_line(api: httpx.Client, basket_id: int, material: str, unit: str, filename: str, quantity: int = 1) -> int:
    """The wiki's "Upload a File into a Basket" plus "update the basket line", the way a flow does it."""
    line_id = api.post(f"{UP}/baskets/{basket_id}/lines/").json()["id"]
    r = api.post("/upload/", files={"file": (filename, STL, "model/stl")}, data={"basket_id": basket_id, "line_id": line_id, "unit": unit})
    assert r.status_code == 201
    assert wait_for_analysis(api, f"{UP}/baskets/{basket_id}/lines/{line_id}/file-status/") == ["analysing", "analysing", "finished"]
    materials = api.get(f"{UP}/baskets/{basket_id}/lines/{line_id}/materials/", params={"country": "DE"}).json()
    material_id = next(m["id"] for m in materials if m["name"] == material)
    offers = api.get(f"{UP}/baskets/{basket_id}/lines/{line_id}/materials/{material_id}/offers/", params={"country": "DE"}).json()
    assert offers and all(o["materialName"] == material for o in offers)
    r = api.patch(f"{UP}/baskets/{basket_id}/lines/{line_id}/", json={"quantity": quantity, "offerId": offers[0]["id"]})
    assert r.status_code == 200
    return line_id


def order_body(basket_id: int, address_id: int, **changes: Any) -> dict[str, Any]:
    body = {
        "basketId": basket_id,
        "billingAddressId": address_id,
        "pickupLocationId": None,
        "shipping": {"methodId": 42, "addressId": address_id, "deliveryInstructions": ""},
        "payment": {"methodId": 62, "authorizedAmount": "0.00", "currency": "EUR", "details": {}},
        "additionalInformation": {"reference": "orderspec:3yourmind-user-panel"},
        "voucherCode": None,
    }
    body.update(changes)
    return body


def test_user_panel_flow_places_an_order_with_both_lines(api: httpx.Client) -> None:
    basket_id = api.post(f"{UP}/baskets/").json()["id"]
    pla = add_line(api, basket_id, "PLA", "mm", "bracket.stl", quantity=2)
    black = add_line(api, basket_id, "PA12 Black", "inch", "housing.stl")
    offer = api.get(f"{UP}/baskets/{basket_id}/lines/{black}/").json()["offer"]
    dyeing = next(pp for pp in api.get(f"{UP}/baskets/{basket_id}/lines/{black}/materials/12/offers/").json()[0]["postProcessings"] if pp["name"] == "Dyeing")
    r = api.patch(
        f"{UP}/baskets/{basket_id}/lines/{black}/",
        json={"postProcessings": [{"postProcessingId": dyeing["id"], "colorId": dyeing["colors"][0]["id"]}], "preferredDueDate": "2030-01-31"},
    )
    assert r.status_code == 200 and r.json()["offer"] == offer and r.json()["postProcessings"][0]["colorName"] == "Black"

    address = api.post(
        "/api/v2.0/my-profile/addresses/",
        json={"firstName": "Lena", "lastName": "Fischer", "line1": "Hauptstraße 1", "zipCode": "80331", "city": "München", "country": "DE", "phoneNumber": "+49 89 1"},
    )
    assert address.status_code == 201
    address_id = address.json()["id"]
    assert address_id in [a["id"] for a in api.get("/api/v2.0/my-profile/addresses/").json()]
    shipping = {m["name"]: m for m in api.get(f"{UP}/services/1/shipping-methods/", params={"shippingAddressId": address_id}).json()}
    payment = {m["name"]: m for m in api.get(f"{UP}/services/1/payment-methods/").json()}

    price = api.get(
        f"{UP}/baskets/{basket_id}/price/",
        params={"currency": "EUR", "shippingAddressId": address_id, "billingAddressId": address_id, "shippingMethodId": shipping["Express Shipping"]["id"]},
    )
    assert price.status_code == 200
    total = price.json()["totalPrice"]
    lines = Decimal("8.90") * 2 + Decimal("26.00") + Decimal(dyeing["price"])
    expected = lines + Decimal(shipping["Express Shipping"]["price"])
    assert total == {"exclusiveTax": f"{expected:.2f}", "inclusiveTax": f"{expected * Decimal('1.19'):.2f}"}

    body = order_body(
        basket_id,
        address_id,
        shipping={"methodId": shipping["Express Shipping"]["id"], "addressId": address_id, "deliveryInstructions": ""},
        payment={"methodId": payment["Credit Card"]["id"], "authorizedAmount": total["inclusiveTax"], "currency": "EUR", "details": {}},
    )
    r = api.post(f"{UP}/orders/", json=body)
    assert r.status_code == 201
    order_id = r.json()["id"]

    (recorded,) = api.get("/_sandbox/orders").json()
    assert recorded["panel"] == "user-panel" and recorded["id"] == order_id
    assert recorded["shipping"]["methodName"] == "Express Shipping" and recorded["shipping"]["address"]["city"] == "München"
    assert recorded["payment"]["methodName"] == "Credit Card" and recorded["payment"]["authorizedAmount"] == total["inclusiveTax"]
    assert [(line["id"], line["materialName"], line["quantity"], line["file"]["unit"], line["file"]["name"]) for line in recorded["lines"]] == [
        (pla, "PLA", 2, "mm", "bracket.stl"),
        (black, "PA12 Black", 1, "inch", "housing.stl"),
    ]
    assert [pp["name"] for pp in recorded["lines"][1]["postProcessings"]] == ["Dyeing"]
    assert recorded["lines"][1]["preferredDueDate"] == "2030-01-31"
    assert recorded["price"]["totalPrice"] == total

    assert api.get(f"{UP}/orders/{order_id}/").json() == r.json()
    assert api.get(f"{UP}/orders/{order_id}/{black}/").json() == recorded["lines"][1]
    assert api.get(f"{UP}/orders/{order_id}/999/").status_code == 404
    assert api.get(f"{UP}/orders/").json()["count"] == 1
    again = api.post(f"{UP}/orders/", json=body)
    assert again.status_code == 400 and again.json() == {"basketId": ["This basket has already been ordered."]}


def test_basket_crud(api: httpx.Client) -> None:
    r = api.post(f"{UP}/baskets/", json={"title": "Spare parts"})
    assert r.status_code == 201
    basket = r.json()
    assert basket["title"] == "Spare parts" and basket["lines"] == [] and isinstance(basket["id"], int)
    assert api.patch(f"{UP}/baskets/{basket['id']}/", json={"title": "Renamed"}).json()["title"] == "Renamed"
    listing = api.get(f"{UP}/baskets/").json()
    assert listing["count"] == 1 and listing["results"][0]["title"] == "Renamed"
    r = api.delete(f"{UP}/baskets/{basket['id']}/")
    assert r.status_code == 204 and r.content == b""
    assert api.get(f"{UP}/baskets/{basket['id']}/").status_code == 404
    assert api.delete(f"{UP}/baskets/{basket['id']}/").status_code == 404


def test_lines_crud(api: httpx.Client) -> None:
    basket_id = api.post(f"{UP}/baskets/").json()["id"]
    line = api.post(f"{UP}/baskets/{basket_id}/lines/", json={"quantity": 4, "offerId": 23}).json()
    assert line["quantity"] == 4 and line["offer"]["name"] == "PLA (FDM)" and line["totalPrice"] == "35.60"
    assert [item["id"] for item in api.get(f"{UP}/baskets/{basket_id}/lines/").json()] == [line["id"]]
    # only the keys sent change; the User Panel cannot set a print price
    changed = api.patch(f"{UP}/baskets/{basket_id}/lines/{line['id']}/", json={"quantity": 1, "unitPrintPrice": "0.01"}).json()
    assert changed["offerId"] == 23 and changed["quantity"] == 1 and changed["unitPrintPrice"] == "8.90"
    assert api.delete(f"{UP}/baskets/{basket_id}/lines/{line['id']}/").status_code == 204
    assert api.get(f"{UP}/baskets/{basket_id}/lines/").json() == []


def test_changing_the_offer_drops_post_processings_it_does_not_offer(api: httpx.Client) -> None:
    basket_id = api.post(f"{UP}/baskets/").json()["id"]
    line_id = api.post(f"{UP}/baskets/{basket_id}/lines/", json={"offerId": 21, "postProcessings": [{"postProcessingId": 31}, {"postProcessingId": 33}]}).json()["id"]
    line = api.patch(f"{UP}/baskets/{basket_id}/lines/{line_id}/", json={"offerId": 23}).json()
    assert [pp["name"] for pp in line["postProcessings"]] == ["Sand blasting"]


def test_bad_create_bodies_create_nothing(api: httpx.Client) -> None:
    basket_id = api.post(f"{UP}/baskets/").json()["id"]
    r = api.post(f"{UP}/baskets/{basket_id}/lines/", json={"quantity": -1})
    assert r.status_code == 400 and r.json() == {"quantity": ["Ensure this value is greater than or equal to 1."]}
    assert api.get(f"{UP}/baskets/{basket_id}/lines/").json() == []
    r = api.post(f"{UP}/baskets/", json={"title": {"x": 1}})
    assert r.status_code == 400 and api.get(f"{UP}/baskets/").json()["count"] == 1


@pytest.mark.parametrize(
    ("params", "errors"),
    [
        ({}, {"currency": ["This field is required."]}),
        ({"currency": "USD"}, {"currency": ['"USD" is not a valid choice.']}),
        ({"currency": "EUR", "shippingAddressId": "x"}, {"shippingAddressId": ["A valid integer is required."]}),
        ({"currency": "EUR", "billingAddressId": 203}, {"billingAddressId": ['Invalid pk "203" - object does not exist.']}),
        ({"currency": "EUR", "shippingMethodId": 7}, {"shippingMethodId": ['Invalid pk "7" - object does not exist.']}),
        ({"currency": "EUR", "voucherCode": "FREE"}, {"voucherCode": ["Invalid voucher code."]}),
    ],
)
def test_basket_price_refuses_bad_parameters(api: httpx.Client, params: dict[str, Any], errors: dict[str, Any]) -> None:
    basket_id = api.post(f"{UP}/baskets/").json()["id"]
    r = api.get(f"{UP}/baskets/{basket_id}/price/", params=params)
    assert r.status_code == 400 and r.json() == errors


def test_basket_price_with_voucher(api: httpx.Client) -> None:
    basket_id = api.post(f"{UP}/baskets/").json()["id"]
    api.post(f"{UP}/baskets/{basket_id}/lines/", json={"quantity": 2, "offerId": 21})  # 49.00
    price = api.get(f"{UP}/baskets/{basket_id}/price/", params={"currency": "EUR", "voucherCode": "WELCOME10", "shippingMethodId": 41}).json()
    assert price["linesPrice"]["exclusiveTax"] == "49.00"
    assert price["voucherDiscount"]["exclusiveTax"] == "4.90"
    assert price["shippingPrice"]["exclusiveTax"] == "9.90"
    assert price["totalPrice"] == {"exclusiveTax": "54.00", "inclusiveTax": "64.26"}
    assert price["currency"] == "EUR" and price["taxRate"] == "19.00"


def test_materials_and_offers_answers(api: httpx.Client) -> None:
    basket_id = api.post(f"{UP}/baskets/").json()["id"]
    line_id = api.post(f"{UP}/baskets/{basket_id}/lines/").json()["id"]
    base = f"{UP}/baskets/{basket_id}/lines/{line_id}/materials/"
    assert [m["name"] for m in api.get(base).json()] == ["PA12 White", "PA12 Black", "PLA", "Standard Resin"]
    r = api.get(base, params={"country": "XX"})
    assert r.status_code == 400 and r.json() == {"country": ['"XX" is not a valid choice.']}
    assert api.get(f"{base}999/offers/").status_code == 404
    assert api.get(f"{UP}/baskets/{basket_id}/lines/999/materials/").status_code == 404
    assert [o["name"] for o in api.get(f"{base}14/offers/").json()] == ["Standard Resin (SLA)"]


def test_services_answers(api: httpx.Client) -> None:
    assert api.get(f"{UP}/services/2/payment-methods/").status_code == 404
    assert api.get(f"{UP}/services/2/shipping-methods/").status_code == 404
    r = api.get(f"{UP}/services/1/shipping-methods/", params={"shippingAddressId": 999})
    assert r.status_code == 400 and r.json() == {"shippingAddressId": ['Invalid pk "999" - object does not exist.']}
    assert api.get("/api/v2.0/my-profile/preferences/").json()["unit"] in ("mm", "inch")


def test_service_panel_baskets_are_not_the_users(api: httpx.Client) -> None:
    staff_basket = api.post("/api/v2.0/service-panel/services/1/baskets/").json()["id"]
    assert api.get(f"{UP}/baskets/{staff_basket}/").status_code == 404
    assert api.get(f"{UP}/baskets/").json()["count"] == 0
    r = api.post(f"{UP}/orders/", json=order_body(staff_basket, 301))
    assert r.status_code == 400 and r.json() == {"basketId": [f'Invalid pk "{staff_basket}" - object does not exist.']}


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({}, {name: ["This field is required."] for name in ("firstName", "lastName", "line1", "zipCode", "city", "country")}),
        (
            {"firstName": "A", "lastName": "B", "line1": "C", "zipCode": "1", "city": "D", "country": "ZZ"},
            {"country": ['"ZZ" is not a valid choice.']},
        ),
        (
            {"firstName": " ", "lastName": "B", "line1": "C", "zipCode": "1", "city": "D", "country": "DE"},
            {"firstName": ["This field may not be blank."]},
        ),
    ],
)
def test_address_creation_refuses_bad_bodies(api: httpx.Client, body: dict[str, Any], errors: dict[str, Any]) -> None:
    r = api.post("/api/v2.0/my-profile/addresses/", json=body)
    assert r.status_code == 400 and r.json() == errors
    assert len(api.get("/api/v2.0/my-profile/addresses/").json()) == 2


def test_order_refuses_addresses_of_other_users_and_unready_lines(api: httpx.Client) -> None:
    basket_id = api.post(f"{UP}/baskets/").json()["id"]
    r = api.post(f"{UP}/orders/", json=order_body(basket_id, 203))
    assert r.status_code == 400
    assert r.json() == {"billingAddressId": ['Invalid pk "203" - object does not exist.'], "shipping": {"addressId": ['Invalid pk "203" - object does not exist.']}}
    line_id = api.post(f"{UP}/baskets/{basket_id}/lines/", json={"offerId": 22}).json()["id"]
    r = api.post(f"{UP}/orders/", json=order_body(basket_id, 301))
    assert r.status_code == 400 and r.json() == {"non_field_errors": [f"Line {line_id} has no file."]}
    assert api.get("/_sandbox/orders").json() == []


def test_read_only_token_builds_baskets_but_cannot_order(server: RunningSandbox, api: httpx.Client) -> None:
    with httpx.Client(base_url=server.base_url, headers={"Authorization": "Token sandbox-readonly-token"}) as readonly:
        basket_id = readonly.post(f"{UP}/baskets/").json()["id"]
        add_line(readonly, basket_id, "PLA", "mm", "a.stl")
        r = readonly.post(f"{UP}/orders/", json=order_body(basket_id, 301))
        assert r.status_code == 403 and r.json() == {"detail": "You do not have permission to perform this action."}
        assert readonly.get(f"{UP}/orders/").status_code == 200
    assert api.get("/_sandbox/orders").json() == []
    assert api.post(f"{UP}/orders/", json=order_body(basket_id, 301)).status_code == 201


@pytest.mark.parametrize(
    ("method", "path"),
    [("PUT", f"{UP}/baskets/"), ("POST", f"{UP}/orders/1/"), ("DELETE", "/api/v2.0/my-profile/addresses/"), ("PATCH", f"{UP}/services/1/payment-methods/")],
)
def test_wrong_methods_are_405(api: httpx.Client, method: str, path: str) -> None:
    r = api.request(method, path)
    assert r.status_code == 405 and r.json() == {"detail": f'Method "{method}" not allowed.'}


def test_user_panel_needs_a_token(server: RunningSandbox) -> None:
    r = httpx.get(f"{server.base_url}{UP}/baskets/")
    assert r.status_code == 401 and r.json() == {"detail": "Authentication credentials were not provided."}
    assert httpx.get(f"{server.base_url}{UP}/orders/", headers={"Authorization": "Token nope"}).json() == {"detail": "Invalid token."}
