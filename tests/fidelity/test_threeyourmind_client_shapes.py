"""What 3YOURMIND's own Python client (3YD-sdk, push-to-3yourmind) sends and reads, against the sandbox.

Each request below is the one the client's method builds (named in the comment), with
the same body; each assertion is on a field the client reads. The client's README
examples and its ``quick_order_quote`` ordering workflow run through here end to end.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from orderspec.sandbox.testing import RunningSandbox, cube_stl, running_sandbox

UP = "/api/v2.0/user-panel"


@pytest.fixture(scope="module")
def server() -> Iterator[RunningSandbox]:
    with running_sandbox("3yourmind") as running:
        yield running


@pytest.fixture
def client(server: RunningSandbox) -> Iterator[httpx.Client]:
    # BaseAPI._get_headers: only the token; requests sends JSON bodies with json=
    with httpx.Client(base_url=server.base_url, headers={"Authorization": "Token sandbox-token"}, timeout=10) as api:
        assert api.post("/_sandbox/reset").status_code == 204
        yield api
    assert server.app.app.state.sandbox.unexpected_errors == 0


def ok(response: httpx.Response) -> Any:
    """BaseAPI._request: 2xx gives the JSON, or "" for an empty body; anything else raises."""
    assert 200 <= response.status_code < 300, (response.status_code, response.text)
    return response.json() if response.content else ""


def test_readme_profile_and_preferences(client: httpx.Client) -> None:
    profile = ok(client.get("/api/v2.0/my-profile/profile/"))  # my_profile.get_profile
    assert profile["email"] == "lena.fischer@example.com" and profile["defaultAddressId"] == 301
    assert ok(client.get("/api/v2.0/my-profile/preferences/")) == {"country": "DE", "currency": "EUR", "language": "en", "unit": "mm"}
    # set_preferences sends only the arguments given (NoValue left out)
    ok(client.put("/api/v2.0/my-profile/preferences/", json={"currency": "USD", "language": "de"}))
    ok(client.put("/api/v2.0/my-profile/preferences/", json={"language": "en"}))
    assert ok(client.put("/api/v2.0/my-profile/preferences/", json={"unit": "inch"})) == {"country": "DE", "currency": "USD", "language": "en", "unit": "inch"}
    # set_preferences(country=None) means "set to NULL" (types.NoValue docstring)
    assert ok(client.put("/api/v2.0/my-profile/preferences/", json={"country": None}))["country"] is None
    refused = client.put("/api/v2.0/my-profile/preferences/", json={"unit": "cm", "currency": "XXX"})
    assert refused.status_code == 400 and set(refused.json()) == {"unit", "currency"}


def test_addresses_and_common_lookups(client: httpx.Client) -> None:
    addresses = ok(client.get("/api/v2.0/my-profile/addresses/"))  # get_addresses
    assert ok(client.get(f"/api/v2.0/my-profile/addresses/{addresses[0]['id']}/")) == addresses[0]  # get_address
    assert client.get("/api/v2.0/my-profile/addresses/4242/").status_code == 404
    for path in ("colors/", "units/", "countries/", "materials/", "forms/"):  # CommonAPI: lists of dicts
        listed = ok(client.get(f"/api/v2.0/{path}"))
        assert listed and all(isinstance(entry, dict) for entry in listed), path
    for path in ("currencies/", "tax-types/"):  # CommonAPI: t.List[str]
        listed = ok(client.get(f"/api/v2.0/{path}"))
        assert listed and all(isinstance(entry, str) for entry in listed), path
    assert [u["code"] for u in ok(client.get("/api/v2.0/units/"))] == ["mm", "inch"]  # "Currently, mm and inch"


def _line_with_file_and_product(client: httpx.Client, basket_id: int, product_id: int) -> dict[str, Any]:
    """user_panel.create_line_with_cad_file_and_product, request by request."""
    unit = ok(client.get("/api/v2.0/my-profile/preferences/"))["unit"]  # the upload's unit comes from here
    line_id = ok(client.post(f"{UP}/baskets/{basket_id}/lines/"))["id"]
    # upload_cad_file: POST /upload/ with data basket_id, unit, line_id and the file object's name (a whole path)
    ok(client.post("/upload/", data={"basket_id": basket_id, "unit": unit, "line_id": line_id}, files={"file": ("/home/me/parts/cube.stl", cube_stl())}))
    statuses = []
    for _ in range(60):  # check_uploaded_file_status: analysing -> again, finished -> done, else FileAnalysisError
        statuses.append(ok(client.get(f"{UP}/baskets/{basket_id}/lines/{line_id}/file-status/")).get("status"))
        if statuses[-1] != "analysing":
            break
    assert statuses == ["analysing", "analysing", "finished"]
    body = {"quantity": 2, "offerId": product_id, "postProcessings": [{"postProcessingId": 31, "colorId": 51}], "preferredDueDate": "2030-01-31"}
    return dict(ok(client.patch(f"{UP}/baskets/{basket_id}/lines/{line_id}/", json=body)))  # update_basket_line


def test_quick_order_quote_places_the_order(client: httpx.Client) -> None:
    ok(client.put("/api/v2.0/my-profile/preferences/", json={"unit": "inch"}))  # README: set_preferences(unit="inch")
    basket = ok(client.post(f"{UP}/baskets/"))  # create_basket
    assert ok(client.get(f"{UP}/baskets/"))["results"][0]["id"] == basket["id"]  # get_baskets
    probe = ok(client.post(f"{UP}/baskets/{basket['id']}/lines/"))
    materials = ok(client.get(f"{UP}/baskets/{basket['id']}/lines/{probe['id']}/materials/", params={"country": "DE"}))  # get_materials
    products = ok(client.get(f"{UP}/baskets/{basket['id']}/lines/{probe['id']}/materials/{materials[0]['id']}/offers/", params={"country": "DE"}))
    assert ok(client.delete(f"{UP}/baskets/{basket['id']}/lines/{probe['id']}/")) == ""

    line = _line_with_file_and_product(client, basket["id"], products[0]["id"])
    assert line["file"]["unit"] == "inch" and line["file"]["name"] == "cube.stl"
    assert [(pp["postProcessingId"], pp["colorId"]) for pp in line["postProcessings"]] == [(31, 51)]
    # add_part_requirements_to_basket_line (examples/import_catalog_items: form 1, field 3, value 4)
    requirement = {"formId": 1, "fields": [{"formFieldId": 3, "value": 4}]}
    assert ok(client.post(f"{UP}/forms/basket-line/{line['id']}/", json=requirement))["formId"] == 1

    # create_request_for_quote, then get_quotes
    ok(client.post(f"{UP}/requests-for-quote/", json={"basketId": basket["id"], "partnerId": 1, "message": "please quote"}))
    quote_id = ok(client.get(f"{UP}/quotes/"))["results"][0]["id"]

    # quick_order_quote
    quote = ok(client.get(f"{UP}/quotes/{quote_id}/"))
    supplier_id = quote["partner"]["id"]
    assert quote["status"] != "finalized"
    address_id = ok(client.get("/api/v2.0/my-profile/addresses/"))[0]["id"]
    shipping = ok(client.get(f"{UP}/services/{supplier_id}/shipping-methods/", params={"quoteId": quote_id, "shippingAddressId": address_id}))
    finalize = {  # finalize_quote sends None for what it was not given
        "billingAddressId": address_id,
        "shippingAddressId": address_id,
        "shippingMethodId": shipping[0]["id"],
        "pickupLocationId": None,
        "deliveryInstructions": None,
    }
    assert ok(client.put(f"{UP}/quotes/{quote_id}/finalize/", json=finalize))["status"] == "finalized"
    payment_id = ok(client.get(f"{UP}/services/{supplier_id}/payment-methods/"))[0]["id"]
    body = {  # place_order_from_quote, with quick_order_quote's arguments
        "additionalInformation": {"reference": None},
        "payment": {"currency": quote["currency"], "details": {}, "methodId": payment_id, "authorizedAmount": quote["totalPrice"]["inclusiveTax"]},
        "quoteId": quote_id,
        "voucherCode": "",
    }
    order = ok(client.post(f"{UP}/orders/", json=body))
    # billing and shipping come from the finalized quote
    assert order["quoteId"] == quote_id and order["billingAddressId"] == address_id
    assert order["shipping"]["methodId"] == shipping[0]["id"] and order["shipping"]["addressId"] == address_id
    assert ok(client.get(f"{UP}/quotes/{quote_id}/"))["status"] == "ordered"
    assert ok(client.get(f"{UP}/orders/"))["count"] == 1  # get_orders
    assert ok(client.get(f"{UP}/orders/{order['id']}/"))["id"] == order["id"]  # get_order
    assert ok(client.get(f"{UP}/orders/{order['id']}/{line['id']}/"))["id"] == line["id"]  # get_order_line
    again = client.post(f"{UP}/orders/", json=body)
    assert again.status_code == 400 and again.json() == {"quoteId": ["This quote has already been ordered."]}


def test_a_quote_is_ordered_only_once_finalized_and_refuses_bad_finalizing(client: httpx.Client) -> None:
    basket = ok(client.post(f"{UP}/baskets/"))
    _line_with_file_and_product(client, basket["id"], 21)
    rfq = ok(client.post(f"{UP}/requests-for-quote/", json={"basketId": basket["id"], "partnerId": 1, "message": ""}))
    [quote] = [q for q in ok(client.get(f"{UP}/quotes/"))["results"] if q["requestForQuoteId"] == rfq["id"]]
    body = {"quoteId": quote["id"], "payment": {"methodId": 61, "currency": "EUR", "details": {}, "authorizedAmount": None}, "voucherCode": ""}
    early = client.post(f"{UP}/orders/", json=body)
    assert early.status_code == 400 and early.json() == {"quoteId": ["Finalize the quote (billing and delivery) before ordering it."]}
    nothing = client.put(f"{UP}/quotes/{quote['id']}/finalize/", json={"pickupLocationId": None, "deliveryInstructions": None})
    assert nothing.status_code == 400 and set(nothing.json()) == {"billingAddressId", "non_field_errors"}
    pickup = client.put(f"{UP}/quotes/{quote['id']}/finalize/", json={"billingAddressId": 301, "pickupLocationId": 71})
    assert pickup.status_code == 200 and pickup.json()["shippingPrice"]["exclusiveTax"] == "0.00"
    assert client.post(f"{UP}/orders/", json={**body, "basketId": basket["id"]}).status_code == 400
    order = ok(client.post(f"{UP}/orders/", json=body))
    assert order["pickupLocationId"] == 71 and order["shipping"] is None


def test_the_service_panel_answers_a_request_with_its_own_prices(sandbox: Any) -> None:
    """3YD-usecases: POST service-panel/services/{id}/quotes/ {requestForQuoteId, lines: [{id, unitPrice}]}."""
    from orderspec.sandbox import SandboxConfig

    manual = sandbox("3yourmind", SandboxConfig(options={"quote_answer": "manual"}))
    if manual:
        with httpx.Client(base_url=manual.base_url, headers={"Authorization": "Token sandbox-token"}, timeout=10) as api:
            basket = ok(api.post(f"{UP}/baskets/"))
            line = _line_with_file_and_product(api, basket["id"], 21)
            rfq = ok(api.post(f"{UP}/requests-for-quote/", json={"basketId": basket["id"], "partnerId": 1, "message": "x"}))
            assert rfq["status"] == "requested" and ok(api.get(f"{UP}/quotes/"))["count"] == 0
            created = api.post("/api/v2.0/service-panel/services/1/quotes/", json={"requestForQuoteId": rfq["id"], "lines": [{"id": line["id"], "unitPrice": "12.34"}]})
            assert created.status_code == 201
            quote = ok(api.get(f"{UP}/quotes/"))["results"][0]
            assert quote["requestForQuoteId"] == rfq["id"] and quote["lines"][0]["unitPrice"] == "12.34"
            assert quote["totalPrice"]["exclusiveTax"] == "33.68"  # (12.34 + 4.50 dyeing) x 2
            twice = api.post("/api/v2.0/service-panel/services/1/quotes/", json={"requestForQuoteId": rfq["id"], "lines": []})
            assert twice.status_code == 400
