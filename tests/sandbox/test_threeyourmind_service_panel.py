"""The 3YOURMIND sandbox's Service Panel: the seed's twelve steps and every answer they can get."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from _threeyourmind_client import token_client, wait_for_analysis

from orderspec.sandbox._config import SandboxConfig
from orderspec.sandbox.testing import RunningSandbox, running_sandbox

SP = "/api/v2.0/service-panel/services/1"
STL = b"solid cube\n  facet normal 0 0 1\n  endfacet\nendsolid cube\n"


@pytest.fixture(scope="module")
def server() -> Iterator[RunningSandbox]:
    with running_sandbox("3yourmind-service-panel") as running:
        yield running


@pytest.fixture
def api(server: RunningSandbox) -> Iterator[httpx.Client]:
    with token_client(server, Accept="application/json") as client:
        yield client


def upload(client: httpx.Client, basket_id: int, line_id: int, *, unit: str = "inch", name: str = "test_areas (copy).stl") -> httpx.Response:
    files = {"file": (name, STL, "model/x.stl-binary")}
    data = {"basket_id": str(basket_id), "line_id": str(line_id), "unit": unit}
    return httpx.post(f"{client.base_url}/api/v2.0/files/", files=files, data=data)  # the seed sends no token here


def seed_steps(api: httpx.Client) -> dict[str, Any]:
    """Steps 1 to 11 of the seed's .http example, exactly as written; returns the captured variables."""
    v: dict[str, Any] = {}
    r = api.get(f"{SP}/internal-ordering/users/", params={"search": "Ortega"})
    assert r.status_code == 200
    v["customer_id"] = r.json()["results"][0]["id"]
    r = api.post(f"{SP}/baskets/", headers={"Content-Type": "application/json"})
    assert r.status_code == 201
    v["basket_id"] = r.json()["id"]
    r = api.patch(f"{SP}/baskets/{v['basket_id']}/", json={"customer_id": v["customer_id"]})
    assert r.status_code == 200 and r.json()["customerId"] == v["customer_id"]
    r = api.get(f"{SP}/internal-ordering/users/{v['customer_id']}/addresses/")
    assert r.status_code == 200
    v["address_id"] = r.json()[2]["id"]
    v["payment_method_id"] = api.get(f"{SP}/payment-methods/").json()[0]["id"]
    v["shipping_method_id"] = api.get(f"{SP}/shipping-methods/").json()[0]["id"]
    v["offer_id"] = api.get(f"{SP}/offers/").json()[0]["id"]
    r = api.post(f"{SP}/baskets/{v['basket_id']}/lines/")
    assert r.status_code == 201
    v["line_id"] = r.json()["id"]
    r = api.patch(
        f"{SP}/baskets/{v['basket_id']}/lines/{v['line_id']}/",
        json={"offer_id": v["offer_id"], "postProcessings": [], "unitPrintPrice": "12.34"},
    )
    assert r.status_code == 200
    assert upload(api, v["basket_id"], v["line_id"]).status_code == 201
    # step 11 as the wiki says it (periodically), not as the .http example writes it (once)
    assert wait_for_analysis(api, f"{SP}/baskets/{v['basket_id']}/lines/{v['line_id']}/file-status/") == ["analysing", "analysing", "finished"]
    return v


def order_body(v: dict[str, Any], **changes: Any) -> dict[str, Any]:
    body = {
        "additionalInformation": {"reference": "some test reference"},
        "basketId": v["basket_id"],
        "billingAddressId": v["address_id"],
        "pickupLocationId": None,
        "fees": [],
        "shippingPrice": "12.34",
        "shipping": {"methodId": v["shipping_method_id"], "addressId": v["address_id"], "deliveryInstructions": "string"},
        "payment": {"methodId": v["payment_method_id"], "authorizedAmount": "12.34", "currency": "EUR", "details": {}},
        "voucherCode": None,
        "userId": v["customer_id"],
    }
    body.update(changes)
    return body


def test_the_seed_example_places_one_order_with_its_content(api: httpx.Client) -> None:
    v = seed_steps(api)
    r = api.post(f"{SP}/internal-ordering/orders/", json=order_body(v))
    assert r.status_code == 201
    order = r.json()
    assert isinstance(order["id"], int) and order["basketId"] == v["basket_id"]

    placed = api.get("/_sandbox/orders").json()
    assert len(placed) == 1
    recorded = placed[0]
    assert recorded["customer"]["fullName"] == "Maria Ortega"
    assert recorded["customer"]["email"] == "maria.ortega@example.com"
    assert recorded["billingAddress"]["city"] == "Berlin" and recorded["billingAddress"]["country"] == "DE"
    assert recorded["shipping"]["methodName"] == "Standard Shipping"
    assert recorded["shipping"]["deliveryInstructions"] == "string"
    assert recorded["payment"] == {"methodId": v["payment_method_id"], "methodName": "Invoice", "authorizedAmount": "12.34", "currency": "EUR", "details": {}}
    assert recorded["shippingPrice"] == "12.34"
    assert recorded["additionalInformation"] == {"reference": "some test reference"}
    (line,) = recorded["lines"]
    assert line["offerName"] == "PA12 White (SLS)" and line["materialName"] == "PA12 White"
    assert line["quantity"] == 1 and line["unitPrintPrice"] == "12.34"
    assert line["file"]["name"] == "test_areas (copy).stl" and line["file"]["unit"] == "inch"
    assert line["file"]["size"] == len(STL)

    assert api.get(f"{SP}/internal-ordering/orders/{order['id']}/").json()["basketId"] == v["basket_id"]
    assert api.get(f"{SP}/baskets/{v['basket_id']}/").json()["isOrdered"] is True


def test_a_basket_orders_only_once(api: httpx.Client) -> None:
    v = seed_steps(api)
    assert api.post(f"{SP}/internal-ordering/orders/", json=order_body(v)).status_code == 201
    again = api.post(f"{SP}/internal-ordering/orders/", json=order_body(v))
    assert again.status_code == 400
    assert again.json() == {"basketId": ["This basket has already been ordered."]}
    assert len(api.get("/_sandbox/orders").json()) == 1
    # and the ordered basket is frozen
    frozen = api.patch(f"{SP}/baskets/{v['basket_id']}/lines/{v['line_id']}/", json={"quantity": 5})
    assert frozen.status_code == 400 and frozen.json() == {"non_field_errors": ["This basket has already been ordered."]}
    assert api.post(f"{SP}/baskets/{v['basket_id']}/lines/").status_code == 400


def test_quantity_post_processings_and_prices_of_a_line(api: httpx.Client) -> None:
    v = seed_steps(api)
    offers = {o["name"]: o for o in api.get(f"{SP}/offers/").json()}
    offer = offers["PA12 White (SLS)"]
    dyeing = next(pp for pp in offer["postProcessings"] if pp["name"] == "Dyeing")
    url = f"{SP}/baskets/{v['basket_id']}/lines/{v['line_id']}/"
    r = api.patch(url, json={"offerId": offer["id"], "quantity": 3, "postProcessings": [{"postProcessingId": dyeing["id"], "colorId": None}], "unitPrintPrice": None})
    assert r.status_code == 200
    line = r.json()
    assert line["quantity"] == 3 and line["unitPrintPrice"] == offer["unitPrice"]
    assert [pp["name"] for pp in line["postProcessings"]] == ["Dyeing"]
    expected = (float(offer["unitPrice"]) + float(dyeing["price"])) * 3
    assert line["totalPrice"] == f"{expected:.2f}"
    assert api.get(url).json() == line


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({"offer_id": 999}, {"offerId": ['Invalid pk "999" - object does not exist.']}),
        ({"offer_id": "abc"}, {"offerId": ["A valid integer is required."]}),
        ({"offer_id": None}, {"offerId": ["This field may not be null."]}),
        ({"quantity": 0}, {"quantity": ["Ensure this value is greater than or equal to 1."]}),
        ({"quantity": True}, {"quantity": ["A valid integer is required."]}),
        ({"unitPrintPrice": "12.345"}, {"unitPrintPrice": ["Ensure that there are no more than 2 decimal places."]}),
        ({"unitPrintPrice": "twelve"}, {"unitPrintPrice": ["A valid number is required."]}),
        ({"unitPrintPrice": "-1"}, {"unitPrintPrice": ["Ensure this value is greater than or equal to 0."]}),
        ({"postProcessings": "Dyeing"}, {"postProcessings": ['Expected a list of items but got type "str".']}),
        ({"postProcessings": [{"postProcessingId": 999}]}, {"postProcessings": ['Invalid pk "999" - object does not exist.']}),
        # the SDK's shape only: a bare id, or an id under another key, is refused item by item as DRF does
        ({"offer_id": 21, "postProcessings": [31]}, {"postProcessings": [{"non_field_errors": ["Invalid data. Expected a dictionary, but got int."]}]}),
        ({"offer_id": 21, "postProcessings": [{"id": 31}]}, {"postProcessings": [{"postProcessingId": ["This field is required."]}]}),
        (
            {"offer_id": 21, "postProcessings": [{"postProcessingId": 31, "colorId": 51}, 32, {"postProcessingId": None}]},
            {"postProcessings": [{}, {"non_field_errors": ["Invalid data. Expected a dictionary, but got int."]}, {"postProcessingId": ["This field may not be null."]}]},
        ),
        ({"offer_id": 23, "postProcessings": [{"postProcessingId": 31}]}, {"postProcessings": ['Post-processing "Dyeing" is not available for offer "PLA (FDM)".']}),
        ({"offer_id": 21, "postProcessings": [{"postProcessingId": 31, "colorId": 99}]}, {"postProcessings": ['Color 99 is not available for post-processing "Dyeing".']}),
        ({"preferredDueDate": "tomorrow"}, {"preferredDueDate": ["Date has wrong format. Use one of these formats instead: YYYY-MM-DD."]}),
    ],
)
def test_line_patch_refuses_bad_fields(api: httpx.Client, body: dict[str, Any], errors: dict[str, Any]) -> None:
    basket_id = api.post(f"{SP}/baskets/").json()["id"]
    line_id = api.post(f"{SP}/baskets/{basket_id}/lines/").json()["id"]
    r = api.patch(f"{SP}/baskets/{basket_id}/lines/{line_id}/", json=body)
    assert r.status_code == 400
    assert r.json() == errors
    assert api.get(f"{SP}/baskets/{basket_id}/lines/{line_id}/").json()["offerId"] is None


def test_post_processings_need_an_offer_first(api: httpx.Client) -> None:
    basket_id = api.post(f"{SP}/baskets/").json()["id"]
    line_id = api.post(f"{SP}/baskets/{basket_id}/lines/").json()["id"]
    r = api.patch(f"{SP}/baskets/{basket_id}/lines/{line_id}/", json={"postProcessings": [{"postProcessingId": 31}]})
    assert r.status_code == 400 and r.json() == {"postProcessings": ["Choose an offer for this line before its post-processings."]}


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({"customer_id": 4242}, {"customerId": ['Invalid pk "4242" - object does not exist.']}),
        ({"customerId": "Maria"}, {"customerId": ["A valid integer is required."]}),
        ({"title": ["a"]}, {"title": ["Not a valid string."]}),
    ],
)
def test_basket_patch_refuses_bad_fields(api: httpx.Client, body: dict[str, Any], errors: dict[str, Any]) -> None:
    basket_id = api.post(f"{SP}/baskets/").json()["id"]
    r = api.patch(f"{SP}/baskets/{basket_id}/", json=body)
    assert r.status_code == 400 and r.json() == errors


def test_basket_accepts_the_camel_case_customer_field_too(api: httpx.Client) -> None:
    basket_id = api.post(f"{SP}/baskets/").json()["id"]
    r = api.patch(f"{SP}/baskets/{basket_id}/", json={"customerId": 102, "title": "Bracket run"})
    assert r.status_code == 200
    assert r.json()["customer"]["fullName"] == "Jonas Weber" and r.json()["title"] == "Bracket run"
    assert api.get(f"{SP}/baskets/", params={"pageSize": 5}).json()["results"][0]["id"] == basket_id


def test_user_search_is_paginated(api: httpx.Client) -> None:
    everyone = api.get(f"{SP}/internal-ordering/users/").json()
    assert everyone["count"] == 3 and everyone["totalPages"] == 1 and everyone["currentPage"] == 1
    second = api.get(f"{SP}/internal-ordering/users/", params={"page": 2, "pageSize": 2}).json()
    assert second == {"count": 3, "currentPage": 2, "totalPages": 2, "pageSize": 2, "results": [everyone["results"][2]]}
    assert api.get(f"{SP}/internal-ordering/users/", params={"search": "maria.ortega@example"}).json()["count"] == 1
    assert api.get(f"{SP}/internal-ordering/users/", params={"search": "Nobody"}).json()["results"] == []
    beyond = api.get(f"{SP}/internal-ordering/users/", params={"page": 3, "pageSize": 2})
    assert beyond.status_code == 404 and beyond.json() == {"detail": "Invalid page."}
    for page in ("x", "0", "²", "-1", "9" * 30):
        assert api.get(f"{SP}/internal-ordering/users/", params={"page": page}).json() == {"detail": "Invalid page."}
    assert api.get(f"{SP}/internal-ordering/users/", params={"pageSize": "²"}).json()["pageSize"] == 10
    assert api.get(f"{SP}/internal-ordering/users/", params={"pageSize": "1000"}).json()["pageSize"] == 100


def test_catalogue_lists_are_bare_arrays_with_the_agreed_names(api: httpx.Client) -> None:
    offers = api.get(f"{SP}/offers/").json()
    assert [(o["name"], o["materialName"]) for o in offers] == [
        ("PA12 White (SLS)", "PA12 White"),
        ("PA12 Black (SLS)", "PA12 Black"),
        ("PLA (FDM)", "PLA"),
        ("Standard Resin (SLA)", "Standard Resin"),
    ]
    assert all(isinstance(o["unitPrice"], str) for o in offers)
    names = {pp["name"] for o in offers for pp in o["postProcessings"]}
    assert names == {"Dyeing", "Polishing", "Sand blasting"}
    assert [m["name"] for m in api.get(f"{SP}/shipping-methods/").json()] == ["Standard Shipping", "Express Shipping"]
    assert [m["name"] for m in api.get(f"{SP}/payment-methods/").json()] == ["Invoice", "Credit Card"]
    addresses = api.get(f"{SP}/internal-ordering/users/101/addresses/").json()
    assert len(addresses) == 3 and addresses[2]["city"] == "Berlin"


@pytest.mark.parametrize(
    "path",
    [
        "/api/v2.0/service-panel/services/2/offers/",
        f"{SP}/internal-ordering/users/999/addresses/",
        f"{SP}/baskets/999/",
        f"{SP}/baskets/999/lines/",
        f"{SP}/internal-ordering/orders/999/",
        f"{SP}/baskets/abc/",
        "/api/v2.0/nothing-here/",
    ],
)
def test_unknown_objects_are_404(api: httpx.Client, path: str) -> None:
    r = api.get(path)
    assert r.status_code == 404 and r.json() == {"detail": "Not found."}


def test_unknown_line_and_missing_file_are_404(api: httpx.Client) -> None:
    basket_id = api.post(f"{SP}/baskets/").json()["id"]
    line_id = api.post(f"{SP}/baskets/{basket_id}/lines/").json()["id"]
    assert api.get(f"{SP}/baskets/{basket_id}/lines/999/").status_code == 404
    assert api.patch(f"{SP}/baskets/{basket_id}/lines/999/", json={"quantity": 2}).status_code == 404
    r = api.get(f"{SP}/baskets/{basket_id}/lines/{line_id}/file-status/")
    assert r.status_code == 404 and r.json() == {"detail": "Not found."}


@pytest.mark.parametrize(
    ("method", "path"),
    [("PUT", f"{SP}/offers/"), ("DELETE", f"{SP}/baskets/"), ("POST", f"{SP}/payment-methods/"), ("PUT", f"{SP}/internal-ordering/orders/")],
)
def test_wrong_methods_are_405(api: httpx.Client, method: str, path: str) -> None:
    r = api.request(method, path)
    assert r.status_code == 405
    assert r.json() == {"detail": f'Method "{method}" not allowed.'}
    assert "GET" in r.headers["allow"] or "POST" in r.headers["allow"]


def test_authentication_answers(server: RunningSandbox) -> None:
    url = f"{server.base_url}{SP}/offers/"
    cases = {
        None: "Authentication credentials were not provided.",
        "Bearer sandbox-token": "Authentication credentials were not provided.",
        "Token": "Invalid token header. No credentials provided.",
        "Token a b": "Invalid token header. Token string should not contain spaces.",
        "Token wrong": "Invalid token.",
    }
    for header, message in cases.items():
        r = httpx.get(url, headers={"Authorization": header} if header else {})
        assert r.status_code == 401, header
        assert r.json() == {"detail": message}
        assert r.headers["www-authenticate"] == "Token"
    assert httpx.get(url, headers={"Authorization": "token sandbox-token"}).status_code == 200


def test_read_only_token_reads_but_cannot_write(server: RunningSandbox, api: httpx.Client) -> None:
    v = seed_steps(api)
    with httpx.Client(base_url=server.base_url, headers={"Authorization": "Token sandbox-readonly-token"}) as readonly:
        assert readonly.get(f"{SP}/offers/").status_code == 200
        denied = {"detail": "You do not have permission to perform this action."}
        for method, path, body in [
            ("POST", f"{SP}/baskets/", None),
            ("PATCH", f"{SP}/baskets/{v['basket_id']}/", {"customer_id": 102}),
            ("POST", f"{SP}/internal-ordering/orders/", order_body(v)),
        ]:
            r = readonly.request(method, path, json=body)
            assert r.status_code == 403 and r.json() == denied
    assert api.get("/_sandbox/orders").json() == []
    assert api.get(f"{SP}/baskets/{v['basket_id']}/").json()["customerId"] == v["customer_id"]


def test_custom_credentials_replace_the_defaults(sandbox: Any) -> None:
    running = sandbox("3yourmind", SandboxConfig(credentials={"token": "s3cret", "readonly_token": "look"}))
    url = f"{running.base_url}{SP}/offers/"
    assert httpx.get(url, headers={"Authorization": "Token sandbox-token"}).status_code == 401
    assert httpx.get(url, headers={"Authorization": "Token s3cret"}).status_code == 200
    assert httpx.post(f"{running.base_url}{SP}/baskets/", headers={"Authorization": "Token look"}).status_code == 403


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        ({"basketId": None}, {"basketId": ["This field is required."]}),
        ({"basketId": 4}, {"basketId": ['Invalid pk "4" - object does not exist.']}),
        ({"billingAddressId": 301}, {"billingAddressId": ['Invalid pk "301" - object does not exist.']}),
        ({"billingAddressId": "x"}, {"billingAddressId": ["A valid integer is required."]}),
        ({"userId": 999}, {"userId": ['Invalid pk "999" - object does not exist.']}),
        ({"shipping": {"addressId": 203}}, {"shipping": {"methodId": ["This field is required."]}}),
        ({"shipping": {"methodId": 1, "addressId": 203}}, {"shipping": {"methodId": ['Invalid pk "1" - object does not exist.']}}),
        ({"shipping": "fast"}, {"shipping": {"non_field_errors": ['Invalid data. Expected a dictionary, but got str.']}}),
        ({"shipping": None}, {"shipping": ["Choose a shipping method and address, or a pickup location."]}),
        ({"pickupLocationId": 1234}, {"pickupLocationId": ['Invalid pk "1234" - object does not exist.']}),
        ({"pickupLocationId": 71}, {"non_field_errors": ["Choose either shipping or a pickup location, not both."]}),
        ({"payment": None}, {"payment": ["This field is required."]}),
        ({"payment": {"authorizedAmount": "1"}}, {"payment": {"methodId": ["This field is required."]}}),
        ({"payment": {"methodId": 61, "authorizedAmount": "lots"}}, {"payment": {"authorizedAmount": ["A valid number is required."]}}),
        ({"payment": {"methodId": 61, "currency": "USD"}}, {"payment": {"currency": ['"USD" is not a valid choice.']}}),
        ({"payment": {"methodId": 61, "details": []}}, {"payment": {"details": ["Invalid data. Expected a dictionary, but got list."]}}),
        ({"shippingPrice": "free"}, {"shippingPrice": ["A valid number is required."]}),
        ({"voucherCode": "NOPE"}, {"voucherCode": ["Invalid voucher code."]}),
        ({"fees": "none"}, {"fees": ['Expected a list of items but got type "str".']}),
        ({"additionalInformation": {"reference": {"a": 1}}}, {"additionalInformation": {"reference": ["Not a valid string."]}}),
    ],
)
def test_order_refuses_bad_bodies(api: httpx.Client, changes: dict[str, Any], errors: dict[str, Any]) -> None:
    v = seed_steps(api)
    r = api.post(f"{SP}/internal-ordering/orders/", json=order_body(v, **changes))
    assert r.status_code == 400
    assert r.json() == errors
    assert api.get("/_sandbox/orders").json() == []


def test_order_with_pickup_voucher_and_no_user_id_uses_the_basket_customer(api: httpx.Client) -> None:
    v = seed_steps(api)
    body = order_body(v, shipping=None, pickupLocationId=71, voucherCode="WELCOME10")
    del body["userId"]
    r = api.post(f"{SP}/internal-ordering/orders/", json=body)
    assert r.status_code == 201
    order = r.json()
    assert order["userId"] == v["customer_id"] and order["pickupLocation"]["name"] == "Berlin Print Hub"
    assert order["shipping"] is None and order["voucherCode"] == "WELCOME10"
    assert order["price"]["voucherDiscount"]["exclusiveTax"] == "1.23"  # 10 % of 12.34


def test_order_needs_a_customer(api: httpx.Client) -> None:
    v = seed_steps(api)
    api.patch(f"{SP}/baskets/{v['basket_id']}/", json={"customer_id": None})
    body = order_body(v)
    del body["userId"]
    r = api.post(f"{SP}/internal-ordering/orders/", json=body)
    assert r.status_code == 400 and r.json()["userId"] == ["This field is required."]


def test_order_refuses_an_empty_basket_and_incomplete_lines(api: httpx.Client) -> None:
    v = seed_steps(api)
    empty = api.post(f"{SP}/baskets/").json()["id"]
    r = api.post(f"{SP}/internal-ordering/orders/", json=order_body(v, basketId=empty))
    assert r.status_code == 400 and r.json() == {"basketId": ["The basket has no lines."]}

    bare_line = api.post(f"{SP}/baskets/{v['basket_id']}/lines/").json()["id"]
    r = api.post(f"{SP}/internal-ordering/orders/", json=order_body(v))
    assert r.status_code == 400
    assert r.json() == {"non_field_errors": [f"Line {bare_line} has no offer.", f"Line {bare_line} has no file."]}
    assert api.get("/_sandbox/orders").json() == []


def test_order_waits_for_the_analysis(sandbox: Any) -> None:
    running = sandbox("3yourmind", SandboxConfig(analysis_seconds=1.5, analysis_polls=0))
    with httpx.Client(base_url=running.base_url, headers={"Authorization": "Token sandbox-token"}) as api:
        basket_id = api.post(f"{SP}/baskets/", json={"customer_id": 101}).json()["id"]
        line_id = api.post(f"{SP}/baskets/{basket_id}/lines/", json={"offer_id": 21}).json()["id"]
        uploaded_at = time.monotonic()
        assert upload(api, basket_id, line_id).json()["status"] == "analysing"
        status_url = f"{SP}/baskets/{basket_id}/lines/{line_id}/file-status/"
        assert api.get(status_url).json() == {"status": "analysing"}
        v = {"basket_id": basket_id, "address_id": 203, "shipping_method_id": 41, "payment_method_id": 61, "customer_id": 101}
        early = api.post(f"{SP}/internal-ordering/orders/", json=order_body(v))
        assert early.status_code == 400
        assert early.json() == {"non_field_errors": [f"The file of line {line_id} is still being analysed."]}
        while api.get(status_url).json() == {"status": "analysing"} and time.monotonic() - uploaded_at < 10:
            time.sleep(0.05)
        assert time.monotonic() - uploaded_at >= 1.5
        assert api.get(status_url).json() == {"status": "finished"}
        assert api.post(f"{SP}/internal-ordering/orders/", json=order_body(v)).status_code == 201


def test_an_order_before_the_analysis_polls_is_refused(api: httpx.Client) -> None:
    """The seed's .http example reads the status once; by default the sandbox needs two more reads."""
    basket_id = api.post(f"{SP}/baskets/", json={"customer_id": 101}).json()["id"]
    line_id = api.post(f"{SP}/baskets/{basket_id}/lines/", json={"offer_id": 21}).json()["id"]
    assert upload(api, basket_id, line_id).json()["status"] == "analysing"
    status_url = f"{SP}/baskets/{basket_id}/lines/{line_id}/file-status/"
    assert api.get(status_url).json() == {"status": "analysing"}  # checked once, like the seed
    v = {"basket_id": basket_id, "address_id": 203, "shipping_method_id": 41, "payment_method_id": 61, "customer_id": 101}
    early = api.post(f"{SP}/internal-ordering/orders/", json=order_body(v))
    assert early.status_code == 400
    assert early.json() == {"non_field_errors": [f"The file of line {line_id} is still being analysed."]}
    assert wait_for_analysis(api, status_url) == ["analysing", "finished"]
    assert api.post(f"{SP}/internal-ordering/orders/", json=order_body(v)).status_code == 201


def test_analysis_polls_zero_finishes_at_once(sandbox: Any) -> None:
    running = sandbox("3yourmind", SandboxConfig(analysis_polls=0))
    with httpx.Client(base_url=running.base_url, headers={"Authorization": "Token sandbox-token"}) as api:
        basket_id = api.post(f"{SP}/baskets/").json()["id"]
        line_id = api.post(f"{SP}/baskets/{basket_id}/lines/").json()["id"]
        assert upload(api, basket_id, line_id).json()["status"] == "finished"


def test_failed_analysis_refuses_the_order(sandbox: Any) -> None:
    running = sandbox("3yourmind", SandboxConfig(analysis_failure="failed"))
    with httpx.Client(base_url=running.base_url, headers={"Authorization": "Token sandbox-token"}) as api:
        basket_id = api.post(f"{SP}/baskets/", json={"customer_id": 101}).json()["id"]
        line_id = api.post(f"{SP}/baskets/{basket_id}/lines/", json={"offer_id": 21}).json()["id"]
        upload(api, basket_id, line_id)
        status_url = f"{SP}/baskets/{basket_id}/lines/{line_id}/file-status/"
        assert wait_for_analysis(api, status_url) == ["analysing", "analysing", "failed"]
        v = {"basket_id": basket_id, "address_id": 203, "shipping_method_id": 41, "payment_method_id": 61, "customer_id": 101}
        r = api.post(f"{SP}/internal-ordering/orders/", json=order_body(v))
        assert r.status_code == 400
        assert r.json() == {"non_field_errors": [f'The analysis of the file of line {line_id} ended with status "failed".']}


def test_orders_list_is_paginated(api: httpx.Client) -> None:
    v = seed_steps(api)
    api.post(f"{SP}/internal-ordering/orders/", json=order_body(v))
    listing = api.get(f"{SP}/internal-ordering/orders/").json()
    assert listing["count"] == 1 and listing["results"][0]["basketId"] == v["basket_id"]
