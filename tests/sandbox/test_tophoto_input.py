"""The to.photo sandbox facing bad input: credentials, headers, malformed bodies, wrong references.

Every refusal must come in to.photo's error shape, and none may reach the last-resort
500 handler.
"""

from __future__ import annotations

import copy
import random
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from orderspec.sandbox import CatalogueError, FaultConfig, SandboxConfig, SandboxConfigError, create_app
from orderspec.sandbox._server import serve_in_thread
from orderspec.sandbox.tophoto._catalogue import load_catalogue

AUTH = ("sandbox", "sandbox-secret")
MUG = "photo.to.amazonmarketplace.AmazonStandardCupProcessor"
TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3}$")
ACCOUNTS = [{"username": "other-mandator", "password": "s3cret", "mandator": 7, "portal": 1000}]


@pytest.fixture(scope="module")
def server() -> Iterator[Any]:
    config = SandboxConfig(options={"accounts": ACCOUNTS, "max_json_bytes": 64 * 1024})
    with serve_in_thread(create_app("tophoto", config)) as running:
        yield running
        assert running.app.state.unexpected_errors == 0, "a malformed input reached the last-resort 500 handler"


@pytest.fixture
def client(server: Any) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.base_url, auth=AUTH) as http:
        assert http.post("/_sandbox/reset").status_code == 204
        yield http


def mug_order(**changes: Any) -> dict[str, Any]:
    body = {
        "version": "1.0",
        "mandator": 0,
        "portal": 1000,
        "projects": [{"identifier": "mug", "count": 1, "processor": {"identifier": MUG, "metadata": {"sku": "14631000"}}}],
        "bunches": [{"project": "mug", "items": [{"type": "Payload", "mimetype": "image/jpeg", "reference": "mug.jpg"}]}],
        "payload": [{"name": "mug.jpg", "mimetype": "image/jpeg"}],
    }
    body.update(changes)
    return body


def assert_error(response: httpx.Response, status: int, name: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"status", "timestamp", "message", "debugMessage"}
    assert body["status"] == name
    assert TIMESTAMP.match(body["timestamp"])
    assert body["message"]
    return body


# -- credentials ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "authorization",
    [None, "Basic " + "c2FuZGJveDp3cm9uZw==", "Bearer sandbox-secret", "Basic not-base64!", "Basic"],
    ids=["missing", "wrong password", "other scheme", "not base64", "empty"],
)
def test_bad_credentials_are_401(server: Any, authorization: str | None) -> None:
    headers = {} if authorization is None else {"Authorization": authorization}
    with httpx.Client(base_url=server.base_url, headers=headers) as anonymous:
        for response in (
            anonymous.post("/v1/orders", json=mug_order()),
            anonymous.get("/v1/orders/1230"),
            anonymous.delete("/v1/orders/1230"),
            anonymous.post("/v1/orders/1230/checkout", json=mug_order()),
            anonymous.post("/v1/orders/1230/data", files={"file": ("a.zip", b"PK")}),
            anonymous.put("/v1/orders/1230/status", json={"status": "Shipped"}),
            anonymous.get("/v1/portals/1000/orders/unacknowledged"),
            anonymous.get("/v1/portals/1000/orders/status/Shipped/unacknowledged"),
        ):
            assert_error(response, 401, "UNAUTHORIZED")
            assert response.headers["www-authenticate"].startswith("Basic")


def test_credentials_of_another_mandator_or_portal_are_403(server: Any, client: httpx.Client) -> None:
    assert_error(client.post("/v1/orders", json=mug_order(mandator=7)), 403, "FORBIDDEN")
    assert_error(client.post("/v1/orders", json=mug_order(portal=2000)), 403, "FORBIDDEN")
    assert_error(client.get("/v1/portals/2000/orders/unacknowledged"), 403, "FORBIDDEN")
    order = client.post("/v1/orders", json=mug_order()).json()
    with httpx.Client(base_url=server.base_url, auth=("other-mandator", "s3cret")) as other:
        assert_error(other.get(f"/v1/orders/{order['orderId']}"), 403, "FORBIDDEN")
        assert_error(other.delete(f"/v1/orders/{order['orderId']}"), 403, "FORBIDDEN")
        assert other.post("/v1/orders", json=mug_order(mandator=7)).status_code == 200
    assert client.get(f"/v1/orders/{order['orderId']}").json()["status"] == "Temporary"


def test_credentials_can_be_replaced() -> None:
    config = SandboxConfig(credentials={"username": "shop", "password": "pw", "portal": "1500"})
    with serve_in_thread(create_app("tophoto", config)) as running:
        assert httpx.post(f"{running.base_url}/v1/orders", json=mug_order(portal=1500), auth=AUTH).status_code == 401
        response = httpx.post(f"{running.base_url}/v1/orders", json=mug_order(portal=1500), auth=("shop", "pw"))
        assert response.status_code == 200, response.text


# -- headers ----------------------------------------------------------------------------


def test_non_json_accept_is_406(client: httpx.Client) -> None:
    assert_error(client.post("/v1/orders", json=mug_order(), headers={"Accept": "text/html"}), 406, "NOT_ACCEPTABLE")
    assert_error(client.get("/v1/orders/1230", headers={"Accept": "application/xml"}), 406, "NOT_ACCEPTABLE")
    for accept in ("application/json", "*/*", "text/html, application/json;q=0.9", "application/hal+json"):
        assert client.post("/v1/orders", json=mug_order(), headers={"Accept": accept}).status_code == 200


def test_a_non_json_content_type_is_415(client: httpx.Client) -> None:
    response = client.post("/v1/orders", content=b"mandator=0", headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert_error(response, 415, "UNSUPPORTED_MEDIA_TYPE")
    assert_error(client.post("/v1/orders", content=b"{}"), 415, "UNSUPPORTED_MEDIA_TYPE")


# -- malformed bodies -------------------------------------------------------------------

JSON = {"Content-Type": "application/json"}


@pytest.mark.parametrize(
    ("body", "status", "fragment"),
    [
        (b"{not json", 400, "Malformed JSON request"),
        (b"", 400, "Required request body is missing"),
        (b"   ", 400, "Required request body is missing"),
        (b"\xff\xfe\x00", 400, "Malformed JSON request"),
        (b'{"mandator": NaN}', 400, "Malformed JSON request"),
        (b"[" * 100_000, 413, "exceeds the limit"),
        (b"[" * 50_000, 400, "Malformed JSON request"),
        (b"[]", 400, "must be a JSON object"),
        (b'"an order"', 400, "must be a JSON object"),
        (b"null", 400, "must be a JSON object"),
    ],
)
def test_malformed_json_is_refused(client: httpx.Client, body: bytes, status: int, fragment: str) -> None:
    error = assert_error(client.post("/v1/orders", content=body, headers=JSON), status, "BAD_REQUEST" if status == 400 else "PAYLOAD_TOO_LARGE")
    assert fragment in error["message"]


@pytest.mark.parametrize(
    ("changes", "fragment"),
    [
        ({"version": None}, "version must not be null"),
        ({"version": "2.0"}, "version"),
        ({"mandator": None}, "mandator must not be null"),
        ({"mandator": "zero"}, "mandator must be a whole number"),
        ({"portal": True}, "portal must be a whole number"),
        ({"portal": "\u00b2"}, "portal must be a whole number"),
        ({"portal": 2**70}, "portal is out of the range of a long"),
        ({"projects": []}, "projects must not be empty"),
        ({"projects": {"mug": 1}}, "projects must be a JSON array"),
        ({"projects": [{"identifier": "mug"}]}, "projects[0].processor must not be null"),
        ({"projects": [{"identifier": "mug", "count": 0, "processor": {"identifier": MUG, "metadata": {"sku": "14631000"}}}]}, "count"),
        ({"projects": [{"identifier": "mug", "processor": {"identifier": MUG, "metadata": {}}}]}, "metadata.sku"),
        ({"bunches": None}, "bunches must not be null"),
        ({"bunches": [{"project": "mug", "items": [{"type": "Picture", "reference": "x"}]}]}, "type"),
        ({"payload": [{"mimetype": "image/jpeg"}]}, "payload[0].name"),
        ({"payload": "mug.jpg"}, "payload must be a JSON array"),
        ({"client": {"type": "Fax"}}, "client.type"),
        ({"customer": {"deliveryaddress": {"city": "Köln"}}}, "customer.deliveryaddress.firstname"),
    ],
)
def test_missing_and_mistyped_fields_are_400(client: httpx.Client, changes: dict[str, Any], fragment: str) -> None:
    error = assert_error(client.post("/v1/orders", json=mug_order(**changes)), 400, "BAD_REQUEST")
    assert fragment in error["message"]
    assert client.get("/_sandbox/orders").json() == []


@pytest.mark.parametrize(
    ("changes", "fragment"),
    [
        ({"projects": [{"identifier": "mug", "processor": {"identifier": MUG, "metadata": {"sku": "99999999"}}}]}, "Unknown sku '99999999'"),
        (
            {"projects": [{"identifier": "mug", "processor": {"identifier": "photo.to.Other", "metadata": {"sku": "14631000"}}}]},
            "can not produce sku '14631000'",
        ),
        ({"bunches": [{"project": "cup", "items": []}]}, "unknown project 'cup'"),
        ({"bunches": [{"project": "mug", "items": [{"type": "Payload", "reference": "cup.jpg"}]}]}, "'cup.jpg'"),
        ({"payload": [{"name": "mug.jpg"}, {"name": "mug.jpg"}]}, "more than once"),
    ],
)
def test_references_that_do_not_resolve_are_422(client: httpx.Client, changes: dict[str, Any], fragment: str) -> None:
    error = assert_error(client.post("/v1/orders", json=mug_order(**changes)), 422, "UNPROCESSABLE_ENTITY")
    assert fragment in error["message"]


def test_seed_fields_and_unknown_fields_are_accepted(client: httpx.Client) -> None:
    body = mug_order(
        locale="fr_FR",
        order_url="https://shop.example.com/done",
        id="0b7b4f5e-0000-4000-8000-000000000000",
        cart={"subcarts": []},
        orderId=5,
        status="Enqueued",
        somethingNew={"x": 1},
    )
    order = client.post("/v1/orders", json=body).json()
    assert (order["locale"], order["order_url"]) == ("fr_FR", "https://shop.example.com/done")
    assert order["status"] == "Temporary" and order["orderId"] != 5
    assert "somethingNew" not in order and "id" not in order
    assert len(order["cart"]["subcarts"]) == 1


def test_checkout_and_status_bodies_are_checked(client: httpx.Client) -> None:
    order = client.post("/v1/orders", json=mug_order()).json()
    base = f"/v1/orders/{order['orderId']}"
    assert_error(client.post(f"{base}/checkout", content=b"{", headers=JSON), 400, "BAD_REQUEST")
    assert_error(client.post(f"{base}/checkout", json=[]), 400, "BAD_REQUEST")
    assert_error(client.post(f"{base}/checkout", json={"cart": {"subcarts": [1]}, "customer": {}}), 400, "BAD_REQUEST")
    assert_error(client.post(f"{base}/checkout", json={"cart": "all"}), 400, "BAD_REQUEST")
    assert_error(client.put(f"{base}/status", content=b"nope", headers=JSON), 400, "BAD_REQUEST")
    assert_error(client.put(f"{base}/status", json={"status": "Shipped", "acknowledged": "yes"}), 400, "BAD_REQUEST")
    assert_error(client.put(f"{base}/status", json={"status": "Shipped", "acknowledged": False}), 400, "BAD_REQUEST")
    assert_error(client.put(f"{base}/status", json={"status": "Shipped", "date": "yesterday"}), 400, "BAD_REQUEST")
    assert_error(client.get("/v1/portals/1000/orders/status/Lost/unacknowledged"), 400, "BAD_REQUEST")


def test_a_huge_body_is_413(client: httpx.Client) -> None:
    padding = "x" * (128 * 1024)
    assert_error(client.post("/v1/orders", json=mug_order(padding=padding)), 413, "PAYLOAD_TOO_LARGE")

    def chunks() -> Iterator[bytes]:  # no Content-Length: the limit holds while streaming
        yield b'{"padding": "'
        for _ in range(100):
            yield b"x" * 1024
        yield b'"}'

    assert_error(client.post("/v1/orders", content=chunks(), headers=JSON), 413, "PAYLOAD_TOO_LARGE")


def test_zip_upload_limit() -> None:
    config = SandboxConfig(options={"max_zip_bytes": 1024})
    with serve_in_thread(create_app("tophoto", config)) as running, httpx.Client(base_url=running.base_url, auth=AUTH) as http:
        order = http.post("/v1/orders", json=mug_order()).json()
        customer = {
            "email": "a@example.com",
            "deliveryaddress": {"firstname": "A", "lastname": "B", "street": "C 1", "zipcode": "10115", "city": "Berlin", "country": "DE"},
        }
        assert http.post(f"/v1/orders/{order['orderId']}/checkout", json={**order, "customer": customer}).status_code == 200
        response = http.post(f"/v1/orders/{order['orderId']}/data", files={"file": ("a.zip", b"P" * 4096)})
        assert assert_error(response, 413, "PAYLOAD_TOO_LARGE")["message"] == "The upload exceeds the limit of 1024 bytes"

        def chunks() -> Iterator[bytes]:  # no Content-Length: the limit holds while streaming
            yield b'--b\r\nContent-Disposition: form-data; name="file"; filename="a.zip"\r\n\r\n'
            for _ in range(8):
                yield b"P" * 512

        streamed = http.post(f"/v1/orders/{order['orderId']}/data", content=chunks(), headers={"Content-Type": "multipart/form-data; boundary=b"})
        assert assert_error(streamed, 413, "PAYLOAD_TOO_LARGE")["message"] == "The upload exceeds the limit of 1024 bytes"
        assert http.get(f"/v1/orders/{order['orderId']}").json()["status"] == "Temporary"
        assert running.app.state.unexpected_errors == 0


# -- paths and methods ------------------------------------------------------------------


def test_paths_and_methods(client: httpx.Client) -> None:
    error = assert_error(client.get("/v1/orders/abc"), 400, "BAD_REQUEST")
    assert "orderId must be a whole number" in error["message"]
    assert "java.lang.String" in error["debugMessage"]
    assert_error(client.get("/v1/orders/99999999999999999999999"), 400, "BAD_REQUEST")
    assert_error(client.get("/v1/orders/%C2%B2"), 400, "BAD_REQUEST")  # a digit to str.isdigit, not to int()
    assert_error(client.get("/v1/portals/main/orders/unacknowledged"), 400, "BAD_REQUEST")
    assert_error(client.get("/v1/nothing"), 404, "NOT_FOUND")
    response = client.patch("/v1/orders/1230")
    assert_error(response, 405, "METHOD_NOT_ALLOWED")
    assert "GET" in response.headers["allow"]
    assert_error(client.get("/v1/orders"), 405, "METHOD_NOT_ALLOWED")
    order = client.post("/v1/orders", json=mug_order()).json()
    advance = f"/_sandbox/orders/{order['orderId']}/advance"
    assert_error(client.post(advance, json={"status": "Shipped", "metadata": 3}), 400, "BAD_REQUEST")
    assert_error(client.post(advance, json=["Shipped"]), 400, "BAD_REQUEST")
    assert_error(client.post(advance, json={"status": "Lost"}), 400, "BAD_REQUEST")


# -- configuration ----------------------------------------------------------------------


def test_a_replacement_catalogue(tmp_path: Path) -> None:
    catalogue = tmp_path / "catalogue.yaml"
    catalogue.write_text(
        """
currency: EUR
producers: {Druckerei Ost: {uniqueIdentifierPrefix: "9501"}}
shipping: [{qos: Standard, price: 2990}]
skus:
  "55550000": {name: Fotobuch A4, processor: photo.to.shop.PhotobookProcessor, producer: Druckerei Ost, price: 249000}
""",
        encoding="utf-8",
    )
    with serve_in_thread(create_app("tophoto", SandboxConfig(catalogue=catalogue))) as running, httpx.Client(
        base_url=running.base_url, auth=AUTH
    ) as http:
        book = {"identifier": "book", "processor": {"identifier": "photo.to.shop.PhotobookProcessor", "metadata": {"sku": "55550000"}}}
        order = http.post("/v1/orders", json=mug_order(projects=[book], bunches=[], payload=[])).json()
        assert order["cart"]["subcarts"][0]["producer"] == "Druckerei Ost"
        assert order["projects"][0]["title"] == "Fotobuch A4 (55550000)"
        refused = http.post("/v1/orders", json=mug_order())
        assert_error(refused, 422, "UNPROCESSABLE_ENTITY")


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("skus: [", "cannot be read"),
        ("- a list", "not a mapping"),
        ("producers: {A: {}}\nshipping: [{qos: Standard}]\nskus: {'1': {name: X, processor: p, producer: B}}", "not listed under producers"),
        ("producers: {A: {}}\nshipping: [{qos: Standard, price: 1.5}]\nskus: {'1': {name: X, processor: p, producer: A}}", "whole number"),
    ],
)
def test_a_broken_catalogue_is_explained(tmp_path: Path, text: str, fragment: str) -> None:
    path = tmp_path / "catalogue.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CatalogueError) as caught:
        load_catalogue(path)
    assert fragment in str(caught.value)
    assert str(path) in str(caught.value)
    with pytest.raises(CatalogueError, match="cannot be read"):
        load_catalogue(tmp_path / "missing.yaml")


def test_injected_faults_answer_in_the_to_photo_shape() -> None:
    config = SandboxConfig(faults=FaultConfig(seed=3, error_rate=1.0, error_statuses=(503,)))
    with serve_in_thread(create_app("tophoto", config)) as running:
        response = httpx.get(f"{running.base_url}/v1/orders/1230", auth=AUTH)
        assert_error(response, 503, "SERVICE_UNAVAILABLE")
        assert httpx.get(f"{running.base_url}/_sandbox/orders").json() == []


@pytest.mark.parametrize(
    ("options", "fragment"),
    [
        ({"accounts": "shop:pw"}, "must be a list"),
        ({"accounts": [{"username": "shop"}]}, "needs a username and a password"),
        ({"accounts": [{"username": "shop", "password": "pw", "portal": "main"}]}, "portal"),
        ({"max_zip_bytes": "1 GB"}, "max_zip_bytes"),
    ],
)
def test_bad_sandbox_options_are_explained(options: dict[str, Any], fragment: str) -> None:
    with pytest.raises(SandboxConfigError) as caught:
        create_app("tophoto", SandboxConfig(options=options))
    assert fragment in str(caught.value)


_ODD_VALUES: list[Any] = [None, True, 0, -1, 2**64, 1.5, "", "x", "²", [], [1], {}, {"a": None}]


def _mutations(document: Any, rng: Any) -> Any:
    """``document`` with one value somewhere replaced by an odd one, chosen by ``rng``."""
    paths: list[tuple[Any, ...]] = []

    def walk(node: Any, path: tuple[Any, ...]) -> None:
        paths.append(path)
        if isinstance(node, dict):
            for key, value in node.items():
                walk(value, (*path, key))
        elif isinstance(node, list):
            for index, value in enumerate(node):
                walk(value, (*path, index))

    walk(document, ())
    path = rng.choice(paths)
    mutated = copy.deepcopy(document)
    if not path:
        return rng.choice(_ODD_VALUES)
    parent = mutated
    for step in path[:-1]:
        parent = parent[step]
    parent[path[-1]] = rng.choice(_ODD_VALUES)
    return mutated


def test_mutated_bodies_get_answers_in_the_error_shape(server: Any, client: httpx.Client) -> None:
    rng = random.Random(4)
    order = client.post("/v1/orders", json=mug_order()).json()
    customer = {
        "email": "a@example.com",
        "deliveryaddress": {"firstname": "A", "lastname": "B", "street": "C 1", "zipcode": "10115", "city": "Berlin", "country": "DE"},
    }
    checkout = {**order, "customer": customer, "payment": {"provider": "Invoice", "metadata": {}}}
    targets = [
        ("POST", "/v1/orders", mug_order()),
        ("POST", f"/v1/orders/{order['orderId']}/checkout", checkout),
        ("PUT", f"/v1/orders/{order['orderId']}/status", {"status": "Shipped", "date": 1, "acknowledged": True, "metadata": {}}),
    ]
    for _ in range(150):
        for method, path, document in targets:
            response = client.request(method, path, json=_mutations(document, rng))
            assert response.status_code < 500, response.text
            if response.status_code >= 400:
                assert set(response.json()) == {"status", "timestamp", "message", "debugMessage"}
    assert server.app.state.unexpected_errors == 0
