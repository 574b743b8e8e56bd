"""The CTQ sandbox in the mode of the 2021-04-27 Swagger (``options["api"] = "2021-04-27"``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import jsonschema
import pytest
import yaml
from _ctq_requests import ADDRESS, OCTET, SLS_PA12

from orderspec.sandbox import SandboxConfig, SandboxConfigError
from orderspec.sandbox.ctq._catalogue import BUILT_IN
from orderspec.sandbox.testing import cube_stl, running_sandbox

LATER = SandboxConfig(options={"api": "2021-04-27"})
HEADERS = {"organization_id": "sandbox-org", "language": "en"}
SHIPPED = BUILT_IN.parent / "ctq-widget-api.v1.2021-04-27-main.yaml"
REFERENCE = Path(__file__).resolve().parents[3] / "shared" / "reference" / SHIPPED.name
storage = httpx.Client()


def _api(running: Any, **headers: str) -> httpx.Client:
    return httpx.Client(base_url=running.base_url + "/api/v1", headers={**HEADERS, **headers}, timeout=10)


def _order(api: httpx.Client, *names: str) -> tuple[str, list[str]]:
    created = api.post("/get-signed-urls", json=list(names or ["part.stl"])).json()
    for item in created["items"]:
        assert storage.put(item["model"]["signed_url"], content=cube_stl(), headers=OCTET).status_code == 200
    return created["order_id"], [item["id"] for item in created["items"]]


def test_the_shipped_swagger_is_the_reference_copy() -> None:
    if not REFERENCE.exists():
        pytest.skip("reference copy not present on this machine")
    assert SHIPPED.read_bytes() == REFERENCE.read_bytes()


def test_every_answer_of_a_whole_order_conforms_to_the_later_swagger(sandbox: Any) -> None:
    document = yaml.safe_load(SHIPPED.read_text(encoding="utf-8"))
    running = sandbox("ctq", LATER)

    def check(method: str, template: str, response: httpx.Response) -> None:
        schema = document["paths"][template][method.lower()]["responses"][str(response.status_code)].get("schema") or {}
        body = response.json()
        if template == "/info":  # the Swagger draws the one shipping_options array as two pseudo-keys
            schema = {**schema, "required": [k for k in schema["required"] if not k.startswith("shipping_options")]}
            kinds = {"delivery": "shipping_options (delivery)", "pickup": "shipping_options (pickup)"}
            for option in body["shipping_options"]:
                jsonschema.Draft4Validator(schema["properties"][kinds[option["type"]]]["items"]).validate(option)
        jsonschema.Draft4Validator({**schema, "definitions": document["definitions"]}).validate(body)

    with _api(running) as api:
        check("GET", "/info", api.get("/info"))
        created = api.post("/get-signed-urls", json=["a.stl", "b.stl"])
        check("POST", "/get-signed-urls", created)
        order = "/orders/{order_id}"
        order_id = created.json()["order_id"]
        for item in created.json()["items"]:
            storage.put(item["model"]["signed_url"], content=cube_stl(), headers=OCTET)
        ids = [item["id"] for item in created.json()["items"]]
        check("GET", order, api.get(f"/orders/{order_id}"))
        check("PATCH", order, api.patch(f"/orders/{order_id}", json={"items": [{"id": i, **SLS_PA12} for i in ids]}))
        configured = api.patch(f"/orders/{order_id}", json={"items": [{"id": ids[0], "postproduction_id": "sls-dyeing", "color_id": "black"}]})
        check("PATCH", order, configured)
        check("GET", order, api.get(f"/orders/{order_id}"))
        check("POST", "/orders/{order_id}/place-order", api.post(f"/orders/{order_id}/place-order", json=ADDRESS))
    item = configured.json()["items"][0]
    assert {d["postproduction_id"]: d["value"] for d in item["postproduction_cost_difference"]} == {"sls-sand-blasting": "-1.50"}
    assert item["updated_at"]["_seconds"] > item["created_at"]["_seconds"]


def test_units_cannot_be_patched_and_a_discount_code_buys_nothing(sandbox: Any) -> None:
    running = sandbox("ctq", LATER)
    with _api(running) as api:
        order_id, [item_id] = _order(api)
        patched = api.patch(f"/orders/{order_id}", json={"items": [{"id": item_id, **SLS_PA12, "model": {"units": "in"}}]})
        assert patched.status_code == 200 and patched.json()["items"][0]["model"]["units"] == "mm"
        before = api.get(f"/orders/{order_id}").json()["subtotal_exc_vat"]
        assert api.post(f"/orders/{order_id}/place-order", json={**ADDRESS, "discount_code": "WELCOME10"}).status_code == 200
    [placed] = httpx.get(f"{running.base_url}/_sandbox/orders", timeout=10).json()
    assert (placed["discount_code"], placed["subtotal_exc_vat"]) == (None, before)


def test_place_order_takes_a_pickup_option_and_a_country_code(sandbox: Any) -> None:
    running = sandbox("ctq", LATER)
    with _api(running) as api:
        order_id, [item_id] = _order(api)
        api.patch(f"/orders/{order_id}", json={"items": [{"id": item_id, **SLS_PA12}]})
        answer = api.post(f"/orders/{order_id}/place-order", json={**ADDRESS, "country_id": "HR", "shipping_option": "pickup-zagreb"})
        assert answer.json() == {"order_number": "10001"}
    [placed] = httpx.get(f"{running.base_url}/_sandbox/orders", timeout=10).json()
    assert (placed["shipping_option_name"], placed["shipping_price"], placed["country_name"]) == ("Pickup in Zagreb", 0, "Croatia")


def test_the_seed_api_knows_no_pickup(sandbox: Any) -> None:
    running = sandbox("ctq")
    headers = {"x-api-key": "sandbox-org", "language": "en"}
    with httpx.Client(base_url=running.base_url, headers=headers, timeout=10) as api:
        order_id, [item_id] = _order(api)
        api.patch(f"/orders/{order_id}", json={"items": [{"id": item_id, **SLS_PA12}]})
        refused = api.post(f"/orders/{order_id}/place-order", json={**ADDRESS, "shipping_option": "pickup-zagreb"})
        assert refused.json() == {"errors": [{"shipping_option": "Invalid value"}]}
        info = api.get("/info").json()
        assert "pickup" not in str(info) and "native_name" not in str(info) and "shipping_zone" not in str(info)


def test_a_reset_sandbox_hands_out_the_ids_of_a_fresh_one(sandbox: Any) -> None:
    running = sandbox("ctq", LATER)
    other = sandbox("ctq", SandboxConfig(options={"api": "2021-04-27", "seed": 7}))
    with _api(running) as api, _api(other) as seeded:
        first = api.post("/get-signed-urls", json=["a.stl"]).json()
        api.post("/get-signed-urls", json=["b.stl"])
        httpx.post(f"{running.base_url}/_sandbox/reset", timeout=10)
        again = api.post("/get-signed-urls", json=["a.stl"]).json()
        assert (again["order_id"], again["items"][0]["created_at"]) == (first["order_id"], first["items"][0]["created_at"])
        assert seeded.post("/get-signed-urls", json=["a.stl"]).json()["order_id"] != first["order_id"]


@pytest.mark.parametrize("options", [{"api": "2022-01-01"}, {"seed": "x"}, {"clock_start": -1}, {"withhold_fields": ["order_number"]}])
def test_options_it_cannot_use_stop_the_sandbox_from_starting(options: dict[str, object]) -> None:
    with pytest.raises(SandboxConfigError, match="cannot start"), running_sandbox("ctq", SandboxConfig(options=options)):
        pass
