"""The CTQ sandbox over real HTTP: every endpoint, every documented status, the inferences."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from _ctq_requests import ADDRESS as _STANDARD_ADDRESS
from _ctq_requests import HEADERS, OCTET, SLS_PA12

from orderspec.sandbox import SandboxConfig
from orderspec.sandbox.testing import RunningSandbox, cube_stl, running_sandbox

ADDRESS = {
    **_STANDARD_ADDRESS,
    "company": "Weber Feinmechanik GmbH",
    "phone": "+49 30 1234567",
    "shipping_option": "express-delivery",
}

# signed URLs are plain loopback http; one client without the API headers serves them all
storage = httpx.Client(verify=False)


@pytest.fixture(scope="module")
def ctq() -> Iterator[RunningSandbox]:
    with running_sandbox("ctq") as running:
        yield running


@pytest.fixture
def api(ctq: RunningSandbox) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=ctq.base_url, headers=HEADERS) as client:
        client.post("/_sandbox/reset")
        yield client
        contract = client.get("/_sandbox/contract").json()
        assert contract == {"violations": [], "unexpected_errors": []}, "a request reached a sandbox bug or broke the Swagger"


def new_order(api: httpx.Client, *names: str, upload: bool = True) -> tuple[str, list[dict[str, Any]]]:
    response = api.post("/get-signed-urls", json=list(names or ["bracket.stl"]))
    assert response.status_code == 200, response.text
    body = response.json()
    if upload:
        for item in body["items"]:
            assert storage.put(item["model"]["signed_url"], content=cube_stl(), headers=OCTET).status_code == 200
    return body["order_id"], body["items"]


def sliced_order(api: httpx.Client, count: int = 1, **settings: Any) -> tuple[str, list[str]]:
    order_id, items = new_order(api, *[f"part-{n}.stl" for n in range(count)])
    ids = [item["id"] for item in items]
    response = api.patch(f"/orders/{order_id}", json={"items": [{"id": i, **SLS_PA12, **settings} for i in ids]})
    assert response.status_code == 200, response.text
    return order_id, ids


def errors(response: httpx.Response) -> dict[str, str]:
    assert response.status_code == 422, response.text
    return {key: value for entry in response.json()["errors"] for key, value in entry.items()}


# -- /info -----------------------------------------------------------------------------


def test_info_lists_the_agreed_catalogue_without_internal_prices(api: httpx.Client) -> None:
    info = api.get("/info").json()
    processes = {p["name"]: p for p in info["settings"]}
    assert set(processes) == {"SLS", "FDM"}
    assert {m["name"] for m in processes["SLS"]["materials"]} == {"PA12", "PA12 Glass Filled"}
    assert {m["name"] for m in processes["FDM"]["materials"]} == {"PLA", "PETG"}
    assert {q["name"] for q in processes["SLS"]["qualities"]} == {"Standard", "Fine"}
    assert {q["name"] for q in processes["FDM"]["qualities"]} == {"Draft", "Standard", "Fine"}
    for process in processes.values():
        assert {c["name"] for c in process["colors"]} >= {"White", "Black", "Grey"}
        assert {p["name"] for p in process["postproductions"]} >= {"Sand blasting", "Dyeing"}
        assert all(isinstance(option["id"], str) for option in process["materials"] + process["qualities"])
    assert {s["name"] for s in info["shipping_options"]} == {"Standard delivery", "Express delivery"}
    assert {"DE", "AT", "NL", "FR", "US", "GB"} <= {c["id"] for c in info["supported_countries"]}
    assert {lang["code"] for lang in info["supported_languages"]} == {"en", "de"}
    assert info["currency"]["code"] == "EUR"
    defaults = info["default_settings"]
    sls = processes["SLS"]
    assert defaults["process_id"] == sls["id"]
    assert next(m["name"] for m in sls["materials"] if m["id"] == defaults["material_id"]) == "PA12"
    assert next(q["name"] for q in sls["qualities"] if q["id"] == defaults["quality_id"]) == "Standard"
    text = api.get("/info").text
    assert "price_per_cm3" not in text and "WELCOME10" not in text and "setup_price" not in text


def test_the_later_base_path_serves_the_same_api(api: httpx.Client) -> None:
    order_id, _ = new_order(api, upload=False)
    assert api.get(f"/api/v1/orders/{order_id}").status_code == 200
    assert api.get("/api/v1/info").json() == api.get("/info").json()


# -- auth and language -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"language": "en"}, {"x-api-key": "Header parameter API Key isn't specified"}),
        ({"x-api-key": "someone-else", "language": "en"}, {"x-api-key": "Organization with the specified ID not found"}),
        ({"x-api-key": "sandbox-org"}, {"language": "Parameter is missing"}),
        ({"x-api-key": "sandbox-org", "language": "fr"}, {"language": "Language isn't supported"}),
        ({}, {"x-api-key": "Header parameter API Key isn't specified", "language": "Parameter is missing"}),
    ],
)
def test_credential_and_language_problems_are_422_on_every_operation(
    ctq: RunningSandbox, headers: dict[str, str], expected: dict[str, str]
) -> None:
    with httpx.Client(base_url=ctq.base_url, headers=headers) as client:
        for method, path in [
            ("GET", "/info"),
            ("GET", "/orders/x"),
            ("PATCH", "/orders/x"),
            ("DELETE", "/orders/x"),
            ("POST", "/get-signed-urls"),
            ("POST", "/orders/x/apply-discount/WELCOME10"),
            ("POST", "/orders/x/place-order"),
        ]:
            assert errors(client.request(method, path)) == expected, (method, path)


def test_the_auth_header_name_and_organization_are_configurable(sandbox: Any) -> None:
    running = sandbox("ctq", SandboxConfig(options={"auth_header": "organization_id"}, credentials={"organization_id": "org-42"}))
    with httpx.Client(base_url=running.base_url, headers={"language": "de"}) as client:
        assert client.get("/info", headers={"organization_id": "org-42"}).status_code == 200
        assert errors(client.get("/info", headers={"x-api-key": "org-42"})) == {"organization_id": "Parameter is missing"}
        assert errors(client.get("/info", headers={"organization_id": "sandbox-org"})) == {
            "organization_id": "Organization with the specified ID not found"
        }


# -- get-signed-urls and the storage behind them ------------------------------------------


def test_signed_urls_create_an_order_with_one_item_per_file(api: httpx.Client, ctq: RunningSandbox) -> None:
    body = api.post("/get-signed-urls", json=["car.stl", "duck.STL"]).json()
    assert [item["model"]["filename"] for item in body["items"]] == ["car.stl", "duck.STL"]
    for item in body["items"]:
        assert item["model"]["signed_url"].startswith(f"{ctq.base_url}/_storage/{body['order_id']}/")
        assert "signature=" in item["model"]["signed_url"] and "expires=" in item["model"]["signed_url"]
        assert item["model"]["units"] == "mm" and item["quantity"] == 1
    order = api.get(f"/orders/{body['order_id']}").json()
    assert order["status"] == "active" and len(order["items"]) == 2


def test_signed_urls_with_order_id_add_items_to_that_order(api: httpx.Client) -> None:
    order_id, _ = new_order(api, upload=False)
    added = api.post("/get-signed-urls", params={"order_id": order_id}, json=["lid.stl"]).json()
    assert added["order_id"] == order_id
    assert [i["model"]["filename"] for i in api.get(f"/orders/{order_id}").json()["items"]] == ["bracket.stl", "lid.stl"]


def test_signed_urls_refusals(api: httpx.Client) -> None:
    assert api.post("/get-signed-urls", params={"order_id": "nope"}, json=["a.stl"]).json() == {
        "error": "Order with the specified ID not found"
    }
    assert api.post("/get-signed-urls", params={"order_id": "nope"}, json=["a.stl"]).status_code == 404
    assert errors(api.post("/get-signed-urls", params={"order_id": ""}, json=["a.stl"])) == {"order_id": "Invalid value"}
    assert errors(api.post("/get-signed-urls", json=["photo.jpg"])) == {"body[0]": "Only STL objects are supported for now"}
    assert errors(api.post("/get-signed-urls", json=[])) == {"body": "Invalid value"}
    assert errors(api.post("/get-signed-urls", json={"files": ["a.stl"]})) == {"body": "Invalid value"}
    assert errors(api.post("/get-signed-urls", json=["a.stl", 7])) == {"[1]": "Invalid value"}
    assert errors(api.post("/get-signed-urls", json=["../a.stl"])) == {"body[0]": "Invalid value"}
    assert errors(api.post("/get-signed-urls", params={"unknown": "1"}, json=["a.stl"])) == {"unknown": "Invalid value"}


@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        (b"", "application/json"),
        (b'["a.stl"', "application/json"),
        (b"\xff\xfe\x00", "application/json"),
        (b'["a.stl"]', "text/plain"),
        (b'["a.stl"]', "application/x-www-form-urlencoded"),
        (b"[" + b'"a.stl",' * 200_000 + b'"b.stl"]', "application/json"),
        (b"null", "application/json"),
        (b"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]", "application/json"),
    ],
)
def test_malformed_bodies_get_the_422_shape(api: httpx.Client, content: bytes, content_type: str) -> None:
    response = api.post("/get-signed-urls", content=content, headers={"Content-Type": content_type})
    assert response.status_code == 422
    assert all(len(entry) == 1 for entry in response.json()["errors"])


def test_upload_and_download_through_signed_urls(api: httpx.Client) -> None:
    _, items = new_order(api, upload=False)
    model = items[0]["model"]
    data = cube_stl(25.0)
    put = storage.put(model["signed_url"], content=data, headers=OCTET)
    assert put.status_code == 200 and put.content == b""
    download = storage.get(model["url"], headers=OCTET)
    assert download.status_code == 200 and download.content == data


def test_storage_refuses_wrong_content_type_and_tampered_urls(api: httpx.Client) -> None:
    _, items = new_order(api, upload=False)
    model = items[0]["model"]
    refused = storage.put(model["signed_url"], content=cube_stl(), headers={"Content-Type": "model/stl"})
    assert refused.status_code == 403
    assert "<Code>SignatureDoesNotMatch</Code>" in refused.text and refused.headers["content-type"].startswith("application/xml")
    assert storage.put(model["signed_url"], content=cube_stl()).status_code == 403
    assert storage.put(model["signed_url"].replace("signature=", "signature=0"), content=b"x", headers=OCTET).status_code == 403
    assert storage.put(model["url"], content=b"x", headers=OCTET).status_code == 403, "a download URL cannot upload"
    assert storage.put(model["signed_url"].split("?")[0], content=b"x", headers=OCTET).status_code == 400
    missing = storage.get(model["url"], headers=OCTET)
    assert missing.status_code == 404 and "<Code>NoSuchKey</Code>" in missing.text


def test_bodies_beyond_the_limits_are_refused_without_being_read_whole(api: httpx.Client) -> None:
    names = [f"{'x' * 1020}.stl" for _ in range(1100)]  # over 1 MiB of JSON
    assert errors(api.post("/get-signed-urls", json=names)) == {"body": "Request body is too large"}
    _, items = new_order(api, upload=False)

    def chunks() -> Iterator[bytes]:  # no Content-Length: the 64 MiB limit holds while streaming
        for _ in range(65):
            yield b"\0" * (1 << 20)

    refused = storage.put(items[0]["model"]["signed_url"], content=chunks(), headers=OCTET)
    assert refused.status_code == 400 and "<Code>EntityTooLarge</Code>" in refused.text


def test_signed_urls_expire(sandbox: Any) -> None:
    running = sandbox("ctq", SandboxConfig(options={"signed_url_seconds": 1}))
    with httpx.Client(base_url=running.base_url, headers=HEADERS) as client:
        url = client.post("/get-signed-urls", json=["a.stl"]).json()["items"][0]["model"]["signed_url"]
    expires = int(url.split("expires=")[1].split("&")[0])
    time.sleep(max(0.0, expires - time.time()) + 0.05)
    expired = storage.put(url, content=cube_stl(), headers=OCTET)
    assert expired.status_code == 403 and "<Code>AccessDenied</Code>" in expired.text and "expired" in expired.text


# -- PATCH: slicing and configuration -------------------------------------------------------


def test_first_slicing_requires_process_material_and_quality(api: httpx.Client) -> None:
    order_id, items = new_order(api)
    refused = api.patch(f"/orders/{order_id}", json={"items": [{"id": items[0]["id"], "process_id": "sls", "quantity": 2}]})
    assert errors(refused) == {"items[0].material_id": "Parameter is missing", "items[0].quality_id": "Parameter is missing"}
    assert api.get(f"/orders/{order_id}").json()["items"][0]["quantity"] == 1, "a refused PATCH changes nothing"


def test_slicing_requires_the_upload_first(api: httpx.Client) -> None:
    order_id, items = new_order(api, upload=False)
    refused = api.patch(f"/orders/{order_id}", json={"items": [{"id": items[0]["id"], **SLS_PA12}]})
    assert errors(refused) == {"items[0].id": "Model hasn't been uploaded"}


def test_a_file_that_is_not_stl_cannot_be_sliced(api: httpx.Client) -> None:
    order_id, items = new_order(api, upload=False)
    storage.put(items[0]["model"]["signed_url"], content=b"%PDF-1.4 not a model", headers=OCTET)
    refused = api.patch(f"/orders/{order_id}", json={"items": [{"id": items[0]["id"], **SLS_PA12}]})
    assert "not a valid STL" in errors(refused)["items[0].id"]


def test_slicing_prices_the_item_from_the_catalogue(api: httpx.Client) -> None:
    order_id, items = new_order(api)  # a 10 mm cube: 1 cm³
    answer = api.patch(f"/orders/{order_id}", json={"items": [{"id": items[0]["id"], **SLS_PA12, "quantity": 2}]})
    assert answer.status_code == 200
    item = answer.json()["items"][0]
    # SLS setup 4.50 + 1 cm³ × PA12 0.38 €/cm³ × Standard 1.0, twice; VAT 19 %
    assert item["price_exc_vat"] == 9.76 and item["price_inc_vat"] == 11.61 and item["additional_cost"] == 0
    assert item["model"]["size"] == {"length": 10.0, "width": 10.0, "height": 10.0}
    assert item["material_cost_difference"] == [{"material_id": "sls-pa12-gf", "value": 0.28}]
    assert item["process_id"] == "sls" and item["print_time"] > 0
    order = api.get(f"/orders/{order_id}").json()
    assert order["subtotal_exc_vat"] == 9.76 and order["lead_time"] == 6
    assert order["min_order_surcharge"] == 10.24  # minimum order value 20.00


def test_configuring_updates_only_the_listed_items(api: httpx.Client) -> None:
    order_id, ids = sliced_order(api, count=2)
    answer = api.patch(
        f"/orders/{order_id}",
        json={"items": [{"id": ids[0], "quantity": 3, "color_id": "black", "postproduction_id": "sls-dyeing"}]},
    ).json()
    assert [item["id"] for item in answer["items"]] == [ids[0]]
    item = answer["items"][0]
    assert item["quantity"] == 3 and item["color_id"] == "black"
    assert item["additional_cost"] == 12.0 and item["price_exc_vat"] == 14.64
    assert answer["subtotal_exc_vat"] == 14.64 + 12.0 + 4.88


def test_switching_process_drops_options_the_new_process_lacks(api: httpx.Client) -> None:
    order_id, ids = sliced_order(api, postproduction_id="sls-sand-blasting", color_id="grey")
    fdm = {"process_id": "fdm", "material_id": "fdm-petg", "quality_id": "fdm-draft"}
    item = api.patch(f"/orders/{order_id}", json={"items": [{"id": ids[0], **fdm}]}).json()["items"][0]
    assert (item["process_id"], item["material_id"], item["color_id"]) == ("fdm", "fdm-petg", "grey")
    assert "postproduction_id" not in item and item["additional_cost"] == 0
    # FDM: setup 2.00 + 1 cm³ × PETG 0.16 €/cm³ × Draft 0.8
    assert item["price_exc_vat"] == 2.13
    refused = api.patch(f"/orders/{order_id}", json={"items": [{"id": ids[0], "process_id": "sls"}]})
    assert errors(refused) == {"items[0].material_id": "Invalid value"}, "the material must fit the new process"


def test_units_in_inches_scale_the_volume(api: httpx.Client) -> None:
    order_id, items = new_order(api)
    item = api.patch(
        f"/orders/{order_id}", json={"items": [{"id": items[0]["id"], **SLS_PA12, "model": {"units": "in"}}]}
    ).json()["items"][0]
    assert item["model"]["units"] == "in"
    assert item["price_exc_vat"] == round(4.5 + 1000 * 16.387064 * 0.38, 2)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"process_id": "sla"}, {"items[0].process_id": "Invalid value"}),
        ({"material_id": "fdm-pla"}, {"items[0].material_id": "Invalid value"}),
        ({"quality_id": "fdm-draft"}, {"items[0].quality_id": "Invalid value"}),
        ({"color_id": "purple"}, {"items[0].color_id": "Invalid value"}),
        ({"postproduction_id": "fdm-dyeing"}, {"items[0].postproduction_id": "Invalid value"}),
        ({"quantity": 0}, {"items[0].quantity": "Invalid value"}),
        ({"quantity": "2"}, {"items[0].quantity": "Invalid value"}),
        ({"model": {"units": "cm"}}, {"items[0].model.units": "Invalid value"}),
    ],
)
def test_patch_refuses_options_outside_the_catalogue(api: httpx.Client, change: dict[str, Any], expected: dict[str, str]) -> None:
    order_id, ids = sliced_order(api)
    assert errors(api.patch(f"/orders/{order_id}", json={"items": [{"id": ids[0], **change}]})) == expected


def test_patch_refusals(api: httpx.Client) -> None:
    order_id, _ids = sliced_order(api)
    assert api.patch("/orders/nope", json={"items": []}).status_code == 404
    unknown = api.patch(f"/orders/{order_id}", json={"items": [{"id": "nope", "quantity": 2}]})
    assert unknown.status_code == 404 and unknown.json() == {"error": "Item with the specified ID not found"}
    assert errors(api.patch(f"/orders/{order_id}", json={"items": [{"quantity": 2}]})) == {"items[0].id": "Invalid value"}
    assert errors(api.patch(f"/orders/{order_id}", json={})) == {"items": "Invalid value"}
    assert errors(api.patch(f"/orders/{order_id}", content=b"{", headers={"Content-Type": "application/json"})) == {
        "body": "Invalid value"
    }


def test_slow_slicing_takes_the_configured_time(sandbox: Any) -> None:
    running = sandbox("ctq", SandboxConfig(analysis_seconds=0.4))
    with httpx.Client(base_url=running.base_url, headers=HEADERS) as client:
        order_id, items = new_order(client)
        started = time.monotonic()
        answer = client.patch(f"/orders/{order_id}", json={"items": [{"id": items[0]["id"], **SLS_PA12}]})
        assert answer.status_code == 200 and time.monotonic() - started >= 0.4
        started = time.monotonic()
        client.patch(f"/orders/{order_id}", json={"items": [{"id": items[0]["id"], "quantity": 2}]})
        assert time.monotonic() - started < 0.4, "a quantity change does not slice again"


def test_failed_slicing(sandbox: Any) -> None:
    running = sandbox("ctq", SandboxConfig(analysis_failure="failed"))
    with httpx.Client(base_url=running.base_url, headers=HEADERS) as client:
        order_id, items = new_order(client)
        refused = client.patch(f"/orders/{order_id}", json={"items": [{"id": items[0]["id"], **SLS_PA12}]})
        assert errors(refused) == {"items[0].id": "Model could not be sliced (failed)"}


def test_info_has_been_changed_once_on_patch_then_on_place_order(sandbox: Any) -> None:
    running = sandbox("ctq", SandboxConfig(options={"info_changed_once": True}))
    with httpx.Client(base_url=running.base_url, headers=HEADERS) as client:
        order_id, items = new_order(client)
        change = {"items": [{"id": items[0]["id"], **SLS_PA12}]}
        first = client.patch(f"/orders/{order_id}", json=change)
        assert first.status_code == 500 and first.json() == {"error": "Info has been changed"}
        assert client.get(f"/orders/{order_id}").json()["items"][0]["price_exc_vat"] == 0, "nothing was applied"
        assert client.patch(f"/orders/{order_id}", json=change).status_code == 200
        assert client.post(f"/orders/{order_id}/place-order", json=ADDRESS).status_code == 200, "only once"


def test_info_has_been_changed_on_place_order(sandbox: Any) -> None:
    running = sandbox("ctq", SandboxConfig(options={"info_changed_once": "place-order"}))
    with httpx.Client(base_url=running.base_url, headers=HEADERS) as client:
        order_id, _ = sliced_order(client)
        first = client.post(f"/orders/{order_id}/place-order", json=ADDRESS)
        assert first.status_code == 500 and first.json() == {"error": "Info has been changed"}
        assert client.get("/_sandbox/orders").json() == []
        assert client.post(f"/orders/{order_id}/place-order", json=ADDRESS).status_code == 200


# -- DELETE -------------------------------------------------------------------------------


def test_delete_an_item_then_the_order(api: httpx.Client) -> None:
    order_id, ids = sliced_order(api, count=2)
    assert api.delete(f"/orders/{order_id}", params={"item_id": ids[0]}).status_code == 200
    assert [item["id"] for item in api.get(f"/orders/{order_id}").json()["items"]] == [ids[1]]
    missing = api.delete(f"/orders/{order_id}", params={"item_id": ids[0]})
    assert missing.status_code == 404 and missing.json() == {"error": "Item with the specified ID not found"}
    assert api.delete(f"/orders/{order_id}").status_code == 200
    gone = api.get(f"/orders/{order_id}")
    assert gone.status_code == 404 and gone.json() == {"error": "Order with the specified ID not found"}
    assert api.delete(f"/orders/{order_id}").status_code == 404


# -- discounts ------------------------------------------------------------------------------


def test_a_valid_discount_code_lowers_the_subtotal(api: httpx.Client) -> None:
    order_id, _ids = sliced_order(api, quantity=10)
    before = api.get(f"/orders/{order_id}").json()
    answer = api.post(f"/orders/{order_id}/apply-discount/WELCOME10")
    assert answer.status_code == 200
    body = answer.json()
    assert body["total_discount"] == round(before["subtotal_exc_vat"] * 0.10, 2)
    assert body["subtotal_exc_vat"] == round(before["subtotal_exc_vat"] - body["total_discount"], 2)
    assert set(body) == {"total_discount", "subtotal_inc_vat", "subtotal_exc_vat", "min_order_surcharge"}
    assert api.get(f"/orders/{order_id}").json()["subtotal_exc_vat"] == body["subtotal_exc_vat"]


def test_an_invalid_discount_code_is_refused(api: httpx.Client) -> None:
    order_id, _ = sliced_order(api)
    for code in ("SUMMER50", "welcome10"):
        refused = api.post(f"/orders/{order_id}/apply-discount/{code}")
        assert refused.status_code == 404 and refused.json() == {"error": "Discount code not found"}
    assert api.post("/orders/nope/apply-discount/WELCOME10").json() == {"error": "Order with the specified ID not found"}


# -- place-order ------------------------------------------------------------------------------


def test_place_order_returns_an_order_number_and_ends_editing(api: httpx.Client) -> None:
    order_id, ids = sliced_order(api, postproduction_id="sls-dyeing", color_id="white")
    placed = api.post(f"/orders/{order_id}/place-order", json={**ADDRESS, "discount_code": "WELCOME10"})
    assert placed.status_code == 200 and placed.json() == {"order_number": "10001"}
    assert api.get(f"/orders/{order_id}").json()["status"] == "pending"
    not_active = {"order_id": "Order isn't active"}
    assert errors(api.post(f"/orders/{order_id}/place-order", json=ADDRESS)) == not_active
    assert errors(api.patch(f"/orders/{order_id}", json={"items": [{"id": ids[0], "quantity": 5}]})) == not_active
    assert errors(api.delete(f"/orders/{order_id}")) == not_active
    assert errors(api.post(f"/orders/{order_id}/apply-discount/WELCOME10")) == not_active
    assert errors(api.post("/get-signed-urls", params={"order_id": order_id}, json=["more.stl"])) == not_active


def test_placed_orders_are_listed_with_readable_names(api: httpx.Client) -> None:
    assert api.get("/_sandbox/orders").json() == []
    order_id, _ = sliced_order(api, postproduction_id="sls-dyeing", color_id="white")
    api.post(f"/orders/{order_id}/place-order", json={**ADDRESS, "discount_code": "WELCOME10"})
    (order,) = api.get("/_sandbox/orders").json()
    assert order["order_id"] == order_id and order["order_number"] == "10001" and order["status"] == "pending"
    assert order["shipping_option_name"] == "Express delivery" and order["country_name"] == "Germany"
    assert order["discount_code"] == "WELCOME10" and order["total_discount"] > 0
    assert order["customer"]["full_name"] == "Jonas Weber" and order["customer"]["city"] == "Berlin"
    (item,) = order["items"]
    assert (item["process_name"], item["material_name"], item["quality_name"]) == ("SLS", "PA12", "Standard")
    assert (item["color_name"], item["postproduction_name"]) == ("White", "Dyeing")
    assert item["model"]["filename"] == "part-0.stl" and item["model"]["bytes"] == len(cube_stl())


def test_place_order_refusals(api: httpx.Client) -> None:
    assert api.post("/orders/nope/place-order", json=ADDRESS).status_code == 404
    order_id, _items = new_order(api)
    assert errors(api.post(f"/orders/{order_id}/place-order", json=ADDRESS)) == {"items[0]": "Item hasn't been configured"}
    order_id, _ = sliced_order(api)
    missing = errors(api.post(f"/orders/{order_id}/place-order", json={"full_name": "Jonas Weber"}))
    assert set(missing) == {"country_id", "postal_code", "city", "street_address", "email", "shipping_option"}
    wrong = {**ADDRESS, "country_id": "Germany", "shipping_option": "Express delivery", "email": "jonas", "discount_code": "X"}
    assert errors(api.post(f"/orders/{order_id}/place-order", json=wrong)) == {
        "country_id": "Invalid value",
        "shipping_option": "Invalid value",
        "email": "Invalid value",
        "discount_code": "Discount code not found",
    }
    assert errors(api.post(f"/orders/{order_id}/place-order", json={**ADDRESS, "full_name": 42})) == {
        "full_name": "Invalid value"
    }
    assert api.get("/_sandbox/orders").json() == []
    empty_id, empty_items = new_order(api, upload=False)
    api.delete(f"/orders/{empty_id}", params={"item_id": empty_items[0]["id"]})
    assert errors(api.post(f"/orders/{empty_id}/place-order", json=ADDRESS)) == {"order_id": "Order has no items"}


# -- inspection and the rest ---------------------------------------------------------------------


def test_reset_and_request_counts(api: httpx.Client) -> None:
    order_id, _ = sliced_order(api)
    api.post(f"/orders/{order_id}/place-order", json=ADDRESS)
    counts = api.get("/_sandbox/requests").json()
    assert counts["POST /orders/{order_id}/place-order"] == 1 and counts["PUT /_storage/{object}"] == 1
    reset = storage.post(f"{api.base_url}/_sandbox/reset")  # no credentials needed
    assert reset.status_code == 204
    assert api.get("/_sandbox/orders").json() == [] and api.get(f"/orders/{order_id}").status_code == 404
    assert api.get("/_sandbox/requests").json() == {"GET /orders/{order_id}": 1}


def test_unknown_paths_and_methods_answer_in_the_vendor_error_shape(api: httpx.Client) -> None:
    missing = api.get("/orders")
    assert missing.status_code == 404 and missing.json() == {"error": "Not found"}
    wrong = api.put("/info")
    assert wrong.status_code == 405 and wrong.json() == {"error": "Method not allowed"}
