"""The 3YOURMIND sandbox under bad input, with a replaced catalogue, injected faults and its inspection endpoints."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from _threeyourmind_client import token_client, wait_for_analysis

from orderspec.sandbox import CatalogueError, create_app
from orderspec.sandbox._config import FaultConfig, SandboxConfig
from orderspec.sandbox.testing import RunningSandbox, running_sandbox
from orderspec.sandbox.threeyourmind._catalogue import BUILT_IN

SP = "/api/v2.0/service-panel/services/1"
UP = "/api/v2.0/user-panel"


@pytest.fixture(scope="module")
def server() -> Iterator[RunningSandbox]:
    with running_sandbox("3yourmind") as running:
        yield running


@pytest.fixture
def api(server: RunningSandbox) -> Iterator[httpx.Client]:
    with token_client(server) as client:
        yield client


@pytest.fixture
def json_endpoints(api: httpx.Client) -> list[tuple[str, str]]:
    basket_id = api.post(f"{SP}/baskets/").json()["id"]
    line_id = api.post(f"{SP}/baskets/{basket_id}/lines/").json()["id"]
    mine = api.post(f"{UP}/baskets/").json()["id"]
    my_line = api.post(f"{UP}/baskets/{mine}/lines/").json()["id"]
    return [
        ("POST", f"{SP}/baskets/"),
        ("PATCH", f"{SP}/baskets/{basket_id}/"),
        ("POST", f"{SP}/baskets/{basket_id}/lines/"),
        ("PATCH", f"{SP}/baskets/{basket_id}/lines/{line_id}/"),
        ("POST", f"{SP}/internal-ordering/orders/"),
        ("POST", f"{UP}/baskets/"),
        ("PATCH", f"{UP}/baskets/{mine}/"),
        ("PATCH", f"{UP}/baskets/{mine}/lines/{my_line}/"),
        ("POST", f"{UP}/orders/"),
        ("POST", "/api/v2.0/my-profile/addresses/"),
    ]


@pytest.mark.parametrize(
    ("content", "content_type", "status", "expected"),
    [
        (b"{not json", "application/json", 400, {"detail": "JSON parse error - Expecting property name enclosed in double quotes: line 1 column 2 (char 1)"}),
        (b"\xff\xfe\x00", "application/json", 400, None),
        (b"[" * 100_000 + b"]" * 100_000, "application/json", 400, None),
        (b"[1, 2]", "application/json", 400, {"non_field_errors": ["Invalid data. Expected a dictionary, but got list."]}),
        (b'"text"', "application/json", 400, {"non_field_errors": ["Invalid data. Expected a dictionary, but got str."]}),
        (b"null", "application/json", 400, {"non_field_errors": ["Invalid data. Expected a dictionary, but got NoneType."]}),
        (b"quantity=2", "application/x-www-form-urlencoded", 415, {"detail": 'Unsupported media type "application/x-www-form-urlencoded" in request.'}),
        (b"{}", "text/plain", 415, {"detail": 'Unsupported media type "text/plain" in request.'}),
        (b'{"a": "' + b"x" * (1 << 20) + b'"}', "application/json", 413, {"detail": "Request body is larger than 1048576 bytes."}),
    ],
)
def test_malformed_bodies_get_drf_errors_on_every_json_endpoint(
    api: httpx.Client, json_endpoints: list[tuple[str, str]], content: bytes, content_type: str, status: int, expected: Any
) -> None:
    for method, path in json_endpoints:
        r = api.request(method, path, content=content, headers={"Content-Type": content_type})
        assert r.status_code == status, (method, path, r.text[:200])
        body = r.json()
        if expected is not None:
            assert body == expected, (method, path)
        else:
            assert body["detail"].startswith("JSON parse error - ")


@pytest.mark.parametrize(
    "body",
    [
        {"basketId": {"id": 1}},
        {"basketId": [1]},
        {"basketId": 1.5},
        {"basketId": "9" * 40},
        {"billingAddressId": True, "payment": [], "shipping": [], "fees": {}, "voucherCode": [], "shippingPrice": {}, "additionalInformation": "x"},
        {"payment": {"methodId": None, "authorizedAmount": [], "currency": 5, "details": "x"}},
        {"shipping": {"methodId": "x", "addressId": {}, "deliveryInstructions": []}},
        {"basketId": -1, "userId": -1, "pickupLocationId": "x"},
    ],
)
def test_orders_with_wrong_types_get_field_errors(api: httpx.Client, body: dict[str, Any]) -> None:
    for path in (f"{SP}/internal-ordering/orders/", f"{UP}/orders/"):
        r = api.post(path, json=body)
        assert r.status_code == 400
        errors = r.json()
        assert errors and all(isinstance(value, (list, dict)) for value in errors.values())


@pytest.mark.parametrize(
    "body",
    [
        {"quantity": "many", "offerId": [], "postProcessings": {"a": 1}, "preferredDueDate": 5},
        {"quantity": 1e9, "offerId": 1.25, "postProcessings": [None]},
        {"postProcessings": [{"colorId": 1}]},
        {"offer_id": 21, "postProcessings": [31, 31]},
        {"offer_id": 21, "postProcessings": [{"postProcessingId": 31, "colorId": "blue"}]},
        {"unitPrintPrice": "NaN"},
        {"unitPrintPrice": "1e400"},
        {"unitPrintPrice": [1]},
    ],
)
def test_line_patches_with_wrong_types_get_field_errors(api: httpx.Client, body: dict[str, Any]) -> None:
    basket_id = api.post(f"{SP}/baskets/").json()["id"]
    line_id = api.post(f"{SP}/baskets/{basket_id}/lines/").json()["id"]
    r = api.patch(f"{SP}/baskets/{basket_id}/lines/{line_id}/", json=body)
    assert r.status_code == 400
    assert all(isinstance(value, list) for value in r.json().values())


def test_empty_bodies_are_empty_objects(api: httpx.Client) -> None:
    basket_id = api.post(f"{SP}/baskets/", content=b"", headers={"Content-Type": "application/json"}).json()["id"]
    assert api.patch(f"{SP}/baskets/{basket_id}/", content=b"  ").status_code == 200
    r = api.post(f"{SP}/internal-ordering/orders/")
    assert r.status_code == 400 and r.json()["basketId"] == ["This field is required."]


def test_head_and_options(api: httpx.Client) -> None:
    head = api.head(f"{SP}/offers/")
    assert head.status_code == 200 and head.content == b""
    options = api.options(f"{SP}/baskets/")
    assert options.status_code == 200 and set(options.headers["allow"].split(", ")) == {"GET", "HEAD", "OPTIONS", "POST"}


def test_inspection_counts_requests_and_reset_forgets_everything(api: httpx.Client) -> None:
    basket = api.post(f"{UP}/baskets/").json()
    api.get(f"{UP}/baskets/{basket['id']}/")
    api.get(f"{UP}/baskets/{basket['id']}/")
    counts = api.get("/_sandbox/requests").json()
    assert counts == {"POST /api/v2.0/user-panel/baskets/": 1, "GET /api/v2.0/user-panel/baskets/{basket_id}/": 2}
    assert httpx.post(f"{api.base_url}/_sandbox/reset").status_code == 204  # no token needed
    assert api.get(f"{UP}/baskets/{basket['id']}/").status_code == 404
    assert api.post(f"{UP}/baskets/").json()["id"] == basket["id"]  # ids start over
    assert httpx.get(f"{api.base_url}/_sandbox/orders").json() == []
    assert api.get("/_sandbox/orders", headers={"Authorization": ""}).status_code == 200


def test_reset_forgets_added_addresses(api: httpx.Client) -> None:
    created = api.post(
        "/api/v2.0/my-profile/addresses/",
        json={"firstName": "A", "lastName": "B", "line1": "C 1", "zipCode": "1010", "city": "Wien", "country": "AT"},
    )
    assert created.status_code == 201 and len(api.get("/api/v2.0/my-profile/addresses/").json()) == 3
    api.post("/_sandbox/reset")
    assert len(api.get("/api/v2.0/my-profile/addresses/").json()) == 2


def test_a_replaced_catalogue_is_served(sandbox: Any, tmp_path: Path) -> None:
    text = BUILT_IN.read_text(encoding="utf-8").replace("PA12 White (SLS)", "Nylon Weiß (SLS)").replace('unit_price: "24.50"', 'unit_price: "30"')
    catalogue = tmp_path / "catalogue.yaml"
    catalogue.write_text(text, encoding="utf-8")
    running = sandbox("3yourmind", SandboxConfig(catalogue=catalogue))
    offers = httpx.get(f"{running.base_url}{SP}/offers/", headers={"Authorization": "Token sandbox-token"}).json()
    assert (offers[0]["name"], offers[0]["unitPrice"]) == ("Nylon Weiß (SLS)", "30.00")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("currency: [", "the 3YOURMIND catalogue cannot be read: {path}:2:1: did not find expected node content"),
        ("- a list\n", "the 3YOURMIND catalogue {path} is not a mapping of keys to values"),
        ("currency: EUR\n", "the 3YOURMIND catalogue {path} is incomplete or malformed (missing key 'materials')"),
        (None, "the 3YOURMIND catalogue cannot be read: {path} does not exist"),
    ],
)
def test_a_broken_catalogue_is_a_clear_error(tmp_path: Path, text: str | None, message: str) -> None:
    path = tmp_path / "catalogue.yaml"
    if text is not None:
        path.write_text(text, encoding="utf-8")
    with pytest.raises(CatalogueError) as caught:
        create_app("3yourmind", SandboxConfig(catalogue=path))
    assert message.format(path=path) in str(caught.value)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("id: 42,", "id: 41,", "id 41 appears twice"),
        ("material: 13,", "material: 99,", "offer 23 names material 99, which is not under materials"),
        ("post_processings: [33]", "post_processings: [77]", "offer 23 names post-processing 77, which is not under post_processings"),
        ('unit_price: "8.90"', 'unit_price: "cheap"', "incomplete or malformed"),
        ('unit_price: "8.90"', 'unit_price: "-1"', "price '-1' must be a non-negative number"),
    ],
)
def test_inconsistent_catalogues_are_refused(tmp_path: Path, old: str, new: str, message: str) -> None:
    path = tmp_path / "catalogue.yaml"
    text = BUILT_IN.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")
    with pytest.raises(CatalogueError) as caught:
        create_app("3yourmind", SandboxConfig(catalogue=path))
    assert message in str(caught.value)


def test_injected_errors_look_like_drf(sandbox: Any) -> None:
    running = sandbox("3yourmind", SandboxConfig(faults=FaultConfig(error_rate=1.0, error_statuses=(500, 503), seed=3)))
    seen = set()
    for _ in range(8):
        r = httpx.get(f"{running.base_url}{SP}/offers/", headers={"Authorization": "Token sandbox-token"})
        assert r.status_code in (500, 503)
        expected = "A server error occurred." if r.status_code == 500 else "Service Unavailable"
        assert r.json() == {"detail": expected}
        seen.add(r.status_code)
    assert seen == {500, 503}


def test_a_lost_order_response_still_places_the_order_once(sandbox: Any) -> None:
    """The case that makes naive retries dangerous: the order exists though the client saw nothing."""
    orders_path = f"{SP}/internal-ordering/orders/"
    running = sandbox("3yourmind", SandboxConfig(faults=FaultConfig(lost_response_rate=1.0, paths=(orders_path,))))
    with httpx.Client(base_url=running.base_url, headers={"Authorization": "Token sandbox-token"}) as api:
        basket_id = api.post(f"{SP}/baskets/", json={"customer_id": 101}).json()["id"]
        line_id = api.post(f"{SP}/baskets/{basket_id}/lines/", json={"offer_id": 21}).json()["id"]
        api.post("/upload/", files={"file": ("a.stl", b"solid a\nendsolid a\n")}, data={"basket_id": basket_id, "line_id": line_id, "unit": "mm"})
        assert wait_for_analysis(api, f"{SP}/baskets/{basket_id}/lines/{line_id}/file-status/")[-1] == "finished"
        body = {"basketId": basket_id, "billingAddressId": 203, "shipping": {"methodId": 41, "addressId": 203}, "payment": {"methodId": 61}}
        with pytest.raises(httpx.TransportError):
            api.post(orders_path, json=body)
        assert len(api.get("/_sandbox/orders").json()) == 1
        assert api.get(f"{SP}/baskets/{basket_id}/").json()["isOrdered"] is True


def _api_paths(server: RunningSandbox, value: str) -> list[str]:
    """Every API route of the app, with each path parameter replaced by ``value``."""
    paths = []
    for app_route in server.app.routes:
        path = app_route.path
        if path.startswith("/_sandbox/"):
            continue
        for name in app_route.param_convertors:
            path = path.replace("{" + name + ":int}", value).replace("{" + name + "}", value)
        paths.append(path)
    return paths


def test_every_endpoint_wants_a_token_except_the_upload(server: RunningSandbox) -> None:
    with httpx.Client(base_url=server.base_url) as anonymous:
        answers = {(method, path): anonymous.request(method, path) for path in _api_paths(server, "1") for method in ("GET", "POST", "PATCH", "DELETE")}
    for (method, path), r in answers.items():
        if path in ("/api/v2.0/files/", "/upload/"):
            assert r.status_code in (405, 415), (method, path)
        else:
            assert r.status_code == 401 and r.json() == {"detail": "Authentication credentials were not provided."}, (method, path)


PUT_PATHS = {"/api/v2.0/user-panel/quotes/1/finalize/", "/api/v2.0/my-profile/preferences/"}  # the SDK's two PUTs


def test_every_endpoint_refuses_put_with_405(api: httpx.Client, server: RunningSandbox) -> None:
    assert set(_api_paths(server, "1")) >= PUT_PATHS
    assert api.put("/api/v2.0/my-profile/preferences/", json={}).status_code == 200
    assert api.put("/api/v2.0/user-panel/quotes/1/finalize/", json={}).json() == {"detail": "Not found."}
    for path in _api_paths(server, "1"):
        if path in PUT_PATHS:
            continue
        r = api.put(path, json={})
        assert r.status_code == 405 and r.json() == {"detail": 'Method "PUT" not allowed.'}, path
        assert "PUT" not in r.headers["allow"]


def test_every_endpoint_with_an_unknown_id_is_404(api: httpx.Client, server: RunningSandbox) -> None:
    for path in _api_paths(server, "424242"):
        if "424242" not in path:
            continue
        r = api.get(path)
        if r.status_code == 405:
            assert "GET" not in r.headers["allow"], path
            r = api.post(path, json={}) if "POST" in r.headers["allow"] else api.put(path, json={})
        assert r.status_code == 404 and r.json() == {"detail": "Not found."}, path
