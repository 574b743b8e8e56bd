"""The to.photo sandbox over real HTTP: the order lifecycle as the to.photo documents describe it."""

from __future__ import annotations

import copy
import io
import re
import zipfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from orderspec.sandbox import FaultConfig, SandboxConfig, create_app
from orderspec.sandbox._server import serve_in_thread

AUTH = ("sandbox", "sandbox-secret")
OTHER_AUTH = ("portal-2000", "other-secret")
MUG = "photo.to.amazonmarketplace.AmazonStandardCupProcessor"
PRINT = "photo.to.amazonmarketplace.AmazonPhotoPrintProcessor"
TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3}$")


@pytest.fixture(scope="module")
def server() -> Iterator[Any]:
    accounts = [{"username": OTHER_AUTH[0], "password": OTHER_AUTH[1], "mandator": 0, "portal": 2000}]
    with serve_in_thread(create_app("tophoto", SandboxConfig(options={"accounts": accounts}))) as running:
        yield running


@pytest.fixture
def client(server: Any) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.base_url, auth=AUTH, headers={"Accept": "application/json"}) as http:
        assert http.post("/_sandbox/reset").status_code == 204
        yield http


def new_order(*projects: tuple[str, str, str, int], portal: int = 1000) -> dict[str, Any]:
    """An order body with one project per (identifier, sku, processor, count), one JPEG each."""
    projects = projects or (("mug", "14631000", MUG, 1), ("prints", "10150000", PRINT, 2))
    return {
        "version": "1.0",
        "mandator": 0,
        "portal": portal,
        "locale": "de_DE",
        "order_url": "https://shop.example.com/callback",
        "projects": [
            {"identifier": ident, "count": count, "processor": {"identifier": proc, "metadata": {"sku": sku}}}
            for ident, sku, proc, count in projects
        ],
        "bunches": [
            {"project": ident, "items": [{"type": "Payload", "mimetype": "image/jpeg", "reference": f"{ident}.jpg"}]}
            for ident, *_ in projects
        ],
        "payload": [{"name": f"{ident}.jpg", "mimetype": "image/jpeg"} for ident, *_ in projects],
    }


CUSTOMER = {
    "email": "erika.mustermann@example.com",
    "telephone": "+49 30 1234567",
    "deliveryaddress": {
        "firstname": "Erika",
        "lastname": "Mustermann",
        "street": "Heidestrasse",
        "housenumber": "17",
        "zipcode": "51147",
        "city": "Köln",
        "country": "DE",
    },
}


def enriched(order: dict[str, Any], reference: str = "shop-4711") -> dict[str, Any]:
    """The server's order with the mandator's checkout data: prices, ids, shipping, customer, payment."""
    body = copy.deepcopy(order)
    for subcart in body["cart"]["subcarts"]:
        subcart["paymentOrderId"] = reference
        subcart["qos"] = "Express"
        subcart["shipping"] = 3450
        subcart["voucher"] = {"code": "SPRING", "description": "Spring sale", "value": 1790}
        for item in subcart["items"]:
            item["price"] = 5950
    body["customer"] = CUSTOMER
    body["payment"] = {"provider": "Amazon", "metadata": {"amazonOrderId": "302-1234567-1234567"}}
    return body


def zip_of(names: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in names.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def create(client: httpx.Client, body: dict[str, Any] | None = None) -> dict[str, Any]:
    response = client.post("/v1/orders", json=body or new_order())
    assert response.status_code == 200, response.text
    return response.json()


def checked_out(client: httpx.Client) -> dict[str, Any]:
    order = create(client)
    response = client.post(f"/v1/orders/{order['orderId']}/checkout", json=enriched(order))
    assert response.status_code == 200, response.text
    return response.json()


def send_data(client: httpx.Client, order_id: int, archive: bytes, **kwargs: Any) -> httpx.Response:
    return client.post(f"/v1/orders/{order_id}/data", files={"file": ("order.zip", archive, "application/zip")}, **kwargs)


def finalized(client: httpx.Client) -> dict[str, Any]:
    order = checked_out(client)
    response = send_data(client, order["orderId"], zip_of({"mug.jpg": b"\xff\xd8mug", "prints.jpg": b"\xff\xd8prints"}))
    assert response.status_code == 200, response.text
    return response.json()


def assert_error(response: httpx.Response, status: int, name: str, message: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"status", "timestamp", "message", "debugMessage"}
    assert body["status"] == name
    assert TIMESTAMP.match(body["timestamp"])
    if message is not None:
        assert body["message"] == message
    return body


# -- create -----------------------------------------------------------------------------


def test_create_answers_a_temporary_order_with_server_made_subcarts(client: httpx.Client) -> None:
    order = create(client)
    assert order["status"] == "Temporary"
    assert order["orderId"] % 10 == 0
    assert [entry["status"] for entry in order["statusHistory"]] == ["Temporary"]
    assert order["statusHistory"][0]["acknowledged"] is True
    assert isinstance(order["orderdate"], int)
    (subcart,) = order["cart"]["subcarts"]  # mug and prints are both made by Allcop
    assert subcart["orderId"] == order["orderId"] + 1
    assert subcart["producer"] == "Allcop"
    assert subcart["paymentOrderId"] is None
    assert [(i["sku"], i["count"], i["price"], i["project"]) for i in subcart["items"]] == [
        ("14631000", 1, 0, "mug"),
        ("10150000", 2, 0, "prints"),
    ]
    assert order["projects"][0]["title"] == "Tasse (14631000)"
    assert order["locale"] == "de_DE"


def test_create_splits_the_cart_by_producer_and_site(client: httpx.Client) -> None:
    body = new_order(
        ("mug", "14631000", MUG, 1),
        ("hamburg", "13130000", PRINT, 1),
        ("kiel", "13180000", PRINT, 1),
    )
    order = create(client, body)
    subcarts = order["cart"]["subcarts"]
    assert [s["producer"] for s in subcarts] == ["Allcop", "Fotolabor Nord", "Fotolabor Nord"]
    assert [s["orderId"] for s in subcarts] == [order["orderId"] + n for n in (1, 2, 3)]
    second = create(client, body)
    assert second["orderId"] == order["orderId"] + 10


def test_more_than_nine_subcarts_are_refused(client: httpx.Client) -> None:
    catalogue = client.get("/_sandbox/catalogue").json()
    places = {}
    for entry in catalogue["skus"]:
        places.setdefault((entry["producer"], entry["site"]), entry)
    assert len(places) >= 10
    projects = [(f"p{n}", e["sku"], e["processor"], 1) for n, e in enumerate(places.values())]
    response = client.post("/v1/orders", json=new_order(*projects))
    assert_error(response, 422, "UNPROCESSABLE_ENTITY", "More than 9 Subcarts are not allowed")
    assert client.get("/_sandbox/orders").json() == []
    nine = create(client, new_order(*projects[:9]))
    assert len(nine["cart"]["subcarts"]) == 9
    assert nine["cart"]["subcarts"][-1]["orderId"] == nine["orderId"] + 9


# -- checkout ---------------------------------------------------------------------------


def test_checkout_takes_prices_customer_and_payment(client: httpx.Client) -> None:
    order = checked_out(client)
    assert order["status"] == "Temporary"
    (subcart,) = order["cart"]["subcarts"]
    assert subcart["paymentOrderId"] == "shop-4711"
    assert (subcart["qos"], subcart["shipping"], subcart["voucher"]["value"]) == ("Express", 3450, 1790)
    assert [item["price"] for item in subcart["items"]] == [5950, 5950]
    assert order["customer"]["deliveryaddress"]["city"] == "Köln"
    assert order["payment"]["provider"] == "Amazon"
    assert client.get(f"/v1/orders/{order['orderId']}").json() == order


@pytest.mark.parametrize(
    "change",
    [
        "split a subcart",
        "drop a subcart",
        "change the producer",
        "change an item count",
        "change an item sku",
        "move an item to another project",
        "change a subcart id",
    ],
)
def test_checkout_refuses_a_changed_segmentation(client: httpx.Client, change: str) -> None:
    order = create(client)
    body = enriched(order)
    subcarts = body["cart"]["subcarts"]
    if change == "split a subcart":
        moved = subcarts[0]["items"].pop()
        subcarts.append({**subcarts[0], "orderId": order["orderId"] + 2, "items": [moved]})
    elif change == "drop a subcart":
        subcarts.clear()
    elif change == "change the producer":
        subcarts[0]["producer"] = "Fotolabor Nord"
    elif change == "change an item count":
        subcarts[0]["items"][0]["count"] = 5
    elif change == "change an item sku":
        subcarts[0]["items"][0]["sku"] = "12040000"
    elif change == "move an item to another project":
        subcarts[0]["items"][0]["project"] = "prints"
    else:
        subcarts[0]["orderId"] = order["orderId"] + 5
    response = client.post(f"/v1/orders/{order['orderId']}/checkout", json=body)
    assert_error(response, 409, "CONFLICT", "Carts are different")
    unchanged = client.get(f"/v1/orders/{order['orderId']}").json()
    assert unchanged == order
    good = client.post(f"/v1/orders/{order['orderId']}/checkout", json=enriched(unchanged))
    assert good.status_code == 200


def test_checkout_of_an_unknown_order_is_404(client: httpx.Client) -> None:
    order = create(client)
    response = client.post("/v1/orders/99990/checkout", json=enriched(order))
    assert_error(response, 404, "NOT_FOUND", "Order not found")


def test_checkout_after_data_is_409(client: httpx.Client) -> None:
    order = finalized(client)
    response = client.post(f"/v1/orders/{order['orderId']}/checkout", json=enriched(order))
    assert_error(response, 409, "CONFLICT", "Only temporary orders can receive checkout data")


@pytest.mark.parametrize(
    ("field", "value", "status", "fragment"),
    [
        ("qos", "Overnight", 422, "Unknown qos 'Overnight'"),
        ("payment", {"provider": "Cash"}, 422, "Unknown payment provider 'Cash'"),
        ("country", "ZZ", 422, "country 'ZZ'"),
        ("country", "Germany", 400, "deliveryaddress.country"),
        ("price", "59.50", 400, "price"),
        ("price", -1, 400, "price"),
        ("customer", None, 400, "customer"),
        ("cart", None, 400, "cart"),
        ("email", "nobody", 400, "email"),
    ],
)
def test_checkout_checks_the_data_it_takes(client: httpx.Client, field: str, value: Any, status: int, fragment: str) -> None:
    order = create(client)
    body = enriched(order)
    if field == "qos":
        body["cart"]["subcarts"][0]["qos"] = value
    elif field == "payment":
        body["payment"] = value
    elif field == "country":
        body["customer"] = {**CUSTOMER, "deliveryaddress": {**CUSTOMER["deliveryaddress"], "country": value}}
    elif field == "price":
        body["cart"]["subcarts"][0]["items"][0]["price"] = value
    elif field == "email":
        body["customer"] = {**CUSTOMER, "email": value}
    else:
        body[field] = value
    response = client.post(f"/v1/orders/{order['orderId']}/checkout", json=body)
    error = assert_error(response, status, "UNPROCESSABLE_ENTITY" if status == 422 else "BAD_REQUEST")
    assert fragment in error["message"]
    assert client.get(f"/v1/orders/{order['orderId']}").json()["customer"] is None


# -- data -------------------------------------------------------------------------------


def test_data_enqueues_the_order(client: httpx.Client) -> None:
    order = finalized(client)
    assert order["status"] == "Enqueued"
    history = order["statusHistory"]
    assert [e["status"] for e in history] == ["Temporary", "Transferred", "New", "Enqueued"]
    assert all(e["acknowledged"] for e in history)
    assert [e["date"] for e in history] == sorted(e["date"] for e in history)
    (subcart,) = order["cart"]["subcarts"]
    assert subcart["producerOrderId"] == subcart["orderId"]
    assert subcart["producerOrderUniqueIdentifier"] == f"9444{subcart['orderId']:07d}"
    assert client.get(f"/v1/orders/{order['orderId']}").json() == order


def test_repeated_data_is_409_and_keeps_the_first_upload(client: httpx.Client) -> None:
    order = finalized(client)
    big = zip_of({"mug.jpg": b"x" * 4_000_000, "prints.jpg": b"y", "extra.jpg": b"z"})  # answered before it is read
    again = send_data(client, order["orderId"], big)
    assert_error(again, 409, "CONFLICT", "Only temporary orders can receive data")
    (recorded,) = client.get("/_sandbox/orders").json()
    assert [e["name"] for e in recorded["zipEntries"]] == ["mug.jpg", "prints.jpg"]


def test_concurrent_data_uploads_finalize_once(server: Any, client: httpx.Client) -> None:
    order = checked_out(client)
    archive = zip_of({"mug.jpg": b"a" * 100_000, "prints.jpg": b"b" * 100_000})

    def upload(_: int) -> int:
        with httpx.Client(base_url=server.base_url, auth=AUTH) as own:
            return send_data(own, order["orderId"], archive).status_code

    with ThreadPoolExecutor(max_workers=2) as pool:
        statuses = sorted(pool.map(upload, range(2)))
    assert statuses == [200, 409]
    history = client.get(f"/v1/orders/{order['orderId']}").json()["statusHistory"]
    assert [e["status"] for e in history] == ["Temporary", "Transferred", "New", "Enqueued"]


def test_a_lost_data_response_still_finalizes_once() -> None:
    """The answer to /data never arrives; a retry gets 409 and GET shows the order enqueued."""
    faults = FaultConfig(seed=1, lost_response_rate=1.0, paths=("/v1/orders/1230/data",))
    with serve_in_thread(create_app("tophoto", SandboxConfig(faults=faults))) as running, httpx.Client(
        base_url=running.base_url, auth=AUTH
    ) as http:
        order = checked_out(http)
        assert order["orderId"] == 1230
        archive = zip_of({"mug.jpg": b"a", "prints.jpg": b"b"})
        with pytest.raises(httpx.TransportError):
            send_data(http, 1230, archive)
        assert http.get("/v1/orders/1230").json()["status"] == "Enqueued"
        with pytest.raises(httpx.TransportError):
            send_data(http, 1230, archive)
        (recorded,) = http.get("/_sandbox/orders").json()
        assert [e["status"] for e in recorded["statusHistory"]].count("Enqueued") == 1
        assert http.get("/_sandbox/requests").json()["POST /v1/orders/{orderId}/data"] == 2


def test_data_accepts_multipart_mixed_and_accept_zip(client: httpx.Client) -> None:
    order = checked_out(client)
    archive = zip_of({"mug.jpg": b"a", "prints.jpg": b"b"})
    boundary = "tophoto-boundary"
    body = (
        f"--{boundary}\r\nContent-Disposition: attachment; name=\"file\"; filename=\"order.zip\"\r\n"
        f"Content-Type: application/zip\r\n\r\n"
    ).encode() + archive + f"\r\n--{boundary}--\r\n".encode()
    response = client.post(
        f"/v1/orders/{order['orderId']}/data",
        content=body,
        headers={"Content-Type": f"multipart/mixed; boundary={boundary}", "Accept": "application/zip"},
    )
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "Enqueued"


def test_data_streams_a_large_zip(client: httpx.Client) -> None:
    order = checked_out(client)
    big = bytes(range(256)) * (24 * 1024 * 4)  # 24 MiB, beyond the in-memory spool
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        archive.writestr("mug.jpg", big)
        archive.writestr("prints.jpg", b"small")
    response = send_data(client, order["orderId"], buffer.getvalue())
    assert response.status_code == 200, response.text
    (recorded,) = client.get("/_sandbox/orders").json()
    assert {e["name"]: e["size"] for e in recorded["zipEntries"]} == {"mug.jpg": len(big), "prints.jpg": 5}


@pytest.mark.parametrize(
    ("upload", "status", "fragment"),
    [
        (zip_of({"mug.jpg": b"a"}), 422, "missing payload entries: prints.jpg"),
        (b"this is not a zip", 422, "not a valid ZIP"),
        (b"", 422, "not a valid ZIP"),
    ],
)
def test_data_checks_the_zip(client: httpx.Client, upload: bytes, status: int, fragment: str) -> None:
    order = checked_out(client)
    error = assert_error(send_data(client, order["orderId"], upload), status, "UNPROCESSABLE_ENTITY")
    assert fragment in error["message"]
    assert client.get(f"/v1/orders/{order['orderId']}").json()["status"] == "Temporary"


def test_data_refuses_a_corrupt_zip_entry(client: httpx.Client) -> None:
    order = checked_out(client)
    archive = bytearray(zip_of({"mug.jpg": b"A" * 64, "prints.jpg": b"B" * 64}))
    archive[archive.index(b"A" * 64)] = ord("C")  # stored data no longer matches its CRC
    error = assert_error(send_data(client, order["orderId"], bytes(archive)), 422, "UNPROCESSABLE_ENTITY")
    assert "mug.jpg" in error["message"]


def test_data_needs_the_part_called_file(client: httpx.Client) -> None:
    order = checked_out(client)
    archive = zip_of({"mug.jpg": b"a", "prints.jpg": b"b"})
    response = client.post(f"/v1/orders/{order['orderId']}/data", files={"zip": ("order.zip", archive)})
    assert_error(response, 400, "BAD_REQUEST", "Required request part 'file' is not present")
    raw = client.post(f"/v1/orders/{order['orderId']}/data", content=archive, headers={"Content-Type": "application/zip"})
    assert_error(raw, 400, "BAD_REQUEST", "Current request is not a multipart request")
    cut = client.post(
        f"/v1/orders/{order['orderId']}/data",
        content=b"--b\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\nPK",
        headers={"Content-Type": "multipart/form-data; boundary=b"},
    )
    assert_error(cut, 400, "BAD_REQUEST")
    assert client.get(f"/v1/orders/{order['orderId']}").json()["status"] == "Temporary"


def _part(name: str, data: bytes, filename: str | None = None, boundary: str = "b") -> bytes:
    disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename is not None else "")
    return f"--{boundary}\r\nContent-Disposition: {disposition}\r\n\r\n".encode() + data + b"\r\n"


def test_data_takes_the_first_file_part_called_file(client: httpx.Client) -> None:
    order = checked_out(client)
    archive = zip_of({"mug.jpg": b"a", "prints.jpg": b"b"})
    multipart = {"Content-Type": "multipart/form-data; boundary=b"}
    url = f"/v1/orders/{order['orderId']}/data"
    as_text = _part("file", archive) + b"--b--\r\n"  # no filename: a form field, as Spring sees it, not a file
    assert_error(client.post(url, content=as_text, headers=multipart), 400, "BAD_REQUEST", "Required request part 'file' is not present")
    two = _part("note", b"first a note") + _part("file", archive, "order.zip") + _part("file", b"not a zip", "again.zip") + b"--b--\r\n"
    response = client.post(url, content=two, headers=multipart)
    assert response.status_code == 200, response.text
    (recorded,) = client.get("/_sandbox/orders").json()
    assert recorded["zipSize"] == len(archive)


def test_data_reads_a_body_sent_in_odd_chunks_without_length(client: httpx.Client) -> None:
    order = checked_out(client)
    archive = zip_of({"mug.jpg": b"m" * 5000, "prints.jpg": b"p" * 7000})
    body = _part("file", archive, "order.zip", boundary="tp") + b"--tp--\r\n"

    def chunks() -> Iterator[bytes]:  # chunked transfer: the delimiters fall across chunk borders
        start, size = 0, 1
        while start < len(body):
            yield body[start : start + size]
            start, size = start + size, size % 97 + 1

    response = client.post(f"/v1/orders/{order['orderId']}/data", content=chunks(), headers={"Content-Type": "multipart/mixed; boundary=tp"})
    assert response.status_code == 200, response.text
    (recorded,) = client.get("/_sandbox/orders").json()
    assert {e["name"]: e["size"] for e in recorded["zipEntries"]} == {"mug.jpg": 5000, "prints.jpg": 7000}


@pytest.mark.parametrize(
    ("content_type", "body", "reason"),
    [
        ("multipart/form-data", _part("file", b"PK", "a.zip") + b"--b--\r\n", "Missing boundary in multipart."),
        ("multipart/mixed", _part("file", b"PK", "a.zip") + b"--b--\r\n", "Missing boundary in multipart."),
        ("multipart/form-data; boundary=b", b"this is not multipart", "Invalid multipart data."),
        ("multipart/mixed; boundary=b", b"preamble\r\n" + _part("file", b"PK", "a.zip") + b"--b--\r\n", "Invalid multipart data."),
        ("multipart/form-data; boundary=b", b"--b\r\nno colon here\r\n\r\nPK\r\n--b--\r\n", "Invalid multipart data."),
        ("multipart/form-data; boundary=b", b"--b\r\nContent-Disposition: form-data\r\n\r\nPK\r\n--b--\r\n", 'The Content-Disposition header field "name" must be provided.'),
        ("multipart/form-data; boundary=b", _part("file", b"PK", "a.zip") * 11 + b"--b--\r\n", "Too many files. Maximum number of files is 10."),
        ("multipart/form-data; boundary=b", _part("note", b"x" * (1024 * 1024 + 1)) + b"--b--\r\n", "Part exceeded maximum size of 1024KB."),
    ],
    ids=["form-data without boundary", "mixed without boundary", "not multipart", "preamble", "bad header", "no name", "11 files", "huge field"],
)
def test_malformed_data_bodies_are_400(server: Any, client: httpx.Client, content_type: str, body: bytes, reason: str) -> None:
    order = checked_out(client)
    response = client.post(f"/v1/orders/{order['orderId']}/data", content=body, headers={"Content-Type": content_type})
    assert_error(response, 400, "BAD_REQUEST", f"Malformed multipart request: {reason}")
    assert client.get(f"/v1/orders/{order['orderId']}").json()["status"] == "Temporary"
    assert server.app.state.unexpected_errors == 0


def test_data_before_checkout_is_refused(client: httpx.Client) -> None:
    order = create(client)
    response = send_data(client, order["orderId"], zip_of({"mug.jpg": b"a", "prints.jpg": b"b"}))
    error = assert_error(response, 422, "UNPROCESSABLE_ENTITY")
    assert "checkout" in error["message"]


def test_data_for_an_unknown_order_is_404(client: httpx.Client) -> None:
    assert_error(send_data(client, 99990, zip_of({"a": b"a"})), 404, "NOT_FOUND", "Order not found")


# -- read, cancel -----------------------------------------------------------------------


def test_read_unknown_order_is_404(client: httpx.Client) -> None:
    assert_error(client.get("/v1/orders/99990"), 404, "NOT_FOUND", "Order not found")


def test_cancel_then_reads_are_gone(client: httpx.Client) -> None:
    order = create(client)
    path = f"/v1/orders/{order['orderId']}"
    response = client.delete(path)
    assert response.status_code == 204
    assert response.content == b""
    assert_error(client.get(path), 410, "GONE", "Order is canceled")
    assert_error(client.delete(path), 410, "GONE", "Order is canceled")
    assert_error(client.post(f"{path}/checkout", json=enriched(order)), 409, "CONFLICT", "Only temporary orders can receive checkout data")
    (recorded,) = client.get("/_sandbox/orders").json()
    assert recorded["status"] == "Canceled"
    assert [e["status"] for e in recorded["statusHistory"]] == ["Temporary", "Canceled"]


def test_cancel_after_data_is_409_and_unknown_is_404(client: httpx.Client) -> None:
    order = finalized(client)
    assert_error(client.delete(f"/v1/orders/{order['orderId']}"), 409, "CONFLICT", "Only temporary orders can receive data")
    assert_error(client.delete("/v1/orders/99990"), 404, "NOT_FOUND", "Order not found")


# -- production statuses and acknowledgement ---------------------------------------------


def advance(client: httpx.Client, order_id: int, status: str, metadata: dict[str, Any] | None = None) -> dict[str, Any]:
    response = client.post(f"/_sandbox/orders/{order_id}/advance", json={"status": status, "metadata": metadata})
    assert response.status_code == 200, response.text
    return response.json()


def test_acknowledging_a_shipped_entry(client: httpx.Client) -> None:
    order = finalized(client)
    order_id = order["orderId"]
    for status in ("Exporting", "Exported", "Producing", "Produced"):
        advance(client, order_id, status)
    shipped = advance(client, order_id, "Shipped", {"tracking": "00340434161094042557"})
    assert shipped["status"] == "Shipped"
    waiting = [e for e in shipped["statusHistory"] if not e["acknowledged"]]
    assert [e["status"] for e in waiting] == ["Produced", "Shipped"]

    listed = client.get("/v1/portals/1000/orders/unacknowledged").json()
    assert [o["orderId"] for o in listed] == [order_id]
    only_shipped = client.get("/v1/portals/1000/orders/status/Shipped/unacknowledged").json()
    assert [o["orderId"] for o in only_shipped] == [order_id]
    assert client.get("/v1/portals/1000/orders/status/Failed/unacknowledged").json() == []

    entry = waiting[1]
    response = client.put(f"/v1/orders/{order_id}/status", json={**entry, "acknowledged": True})
    assert response.status_code == 200, response.text
    assert response.json() == {**entry, "acknowledged": True}
    assert client.get("/v1/portals/1000/orders/status/Shipped/unacknowledged").json() == []
    again = client.put(f"/v1/orders/{order_id}/status", json={**entry, "acknowledged": True})
    assert again.status_code == 200  # repeating an acknowledgement is harmless

    produced = client.put(f"/v1/orders/{order_id}/status", json={"status": "Produced", "acknowledged": True})
    assert produced.status_code == 200
    assert client.get("/v1/portals/1000/orders/unacknowledged").json() == []


@pytest.mark.parametrize(
    "entry",
    [
        {"status": "Enqueued", "acknowledged": True},  # acknowledged by the server itself
        {"status": "Delivered", "acknowledged": True},  # not in the history
        {"status": "Shipped", "date": 1, "acknowledged": True},  # no entry at that date
    ],
)
def test_entries_that_can_not_be_acknowledged(client: httpx.Client, entry: dict[str, Any]) -> None:
    order = finalized(client)
    advance(client, order["orderId"], "Shipped")
    response = client.put(f"/v1/orders/{order['orderId']}/status", json=entry)
    assert_error(response, 409, "CONFLICT", "Entry can not be acknowledged")


def test_acknowledge_unknown_order_is_404(client: httpx.Client) -> None:
    response = client.put("/v1/orders/99990/status", json={"status": "Shipped", "acknowledged": True})
    assert_error(response, 404, "NOT_FOUND", "Order not found")


def test_status_entry_must_name_a_known_status(client: httpx.Client) -> None:
    order = finalized(client)
    response = client.put(f"/v1/orders/{order['orderId']}/status", json={"status": "Lost"})
    error = assert_error(response, 400, "BAD_REQUEST")
    assert "Shipped" in error["message"]


def test_advance_needs_a_finalized_order(client: httpx.Client) -> None:
    order = create(client)
    response = client.post(f"/_sandbox/orders/{order['orderId']}/advance?status=Producing")
    assert_error(response, 409, "CONFLICT")
    assert_error(client.post("/_sandbox/orders/99990/advance?status=Producing"), 404, "NOT_FOUND")


def test_failed_orders_wait_for_acknowledgement_and_canceled_ones_are_gone(client: httpx.Client) -> None:
    order = finalized(client)
    advance(client, order["orderId"], "Failed", {"reason": "image resolution too low"})
    failed = client.get("/v1/portals/1000/orders/status/Failed/unacknowledged").json()
    assert failed[0]["statusHistory"][-1]["metadata"] == {"reason": "image resolution too low"}
    advance(client, order["orderId"], "Canceled")
    assert_error(client.get(f"/v1/orders/{order['orderId']}"), 410, "GONE", "Order is canceled")


# -- inspection -------------------------------------------------------------------------


def test_inspection_lists_orders_with_their_content(client: httpx.Client) -> None:
    create(client)  # a draft that is never finalized
    order = finalized(client)
    everything = client.get("/_sandbox/orders").json()
    assert [o["status"] for o in everything] == ["Temporary", "Enqueued"]
    (placed,) = client.get("/_sandbox/orders", params={"status": "Enqueued"}).json()
    assert placed["orderId"] == order["orderId"]
    assert placed["items"] == [
        {"sku": "14631000", "productName": "Tasse", "count": 1, "project": "mug", "producer": "Allcop"},
        {"sku": "10150000", "productName": "Fotoabzug 10x15", "count": 2, "project": "prints", "producer": "Allcop"},
    ]
    assert placed["cart"]["subcarts"][0]["items"][0]["productName"] == "Tasse"
    assert placed["payloadNames"] == ["mug.jpg", "prints.jpg"]
    assert placed["zipEntries"] == [{"name": "mug.jpg", "size": 5}, {"name": "prints.jpg", "size": 8}]
    assert placed["customer"]["email"] == CUSTOMER["email"]
    assert placed["customer"]["deliveryaddress"]["country"] == "DE"

    counts = client.get("/_sandbox/requests").json()
    assert counts["POST /v1/orders"] == 2
    assert counts["POST /v1/orders/{orderId}/data"] == 1

    assert client.post("/_sandbox/reset").status_code == 204
    assert client.get("/_sandbox/orders").json() == []
    assert_error(client.get(f"/v1/orders/{order['orderId']}"), 404, "NOT_FOUND")
