"""3YOURMIND in documented_only mode: the sandbox answers only attested fields, and both example specs still order.

Where the Service Panel flow would need a price no document shows, it degrades: no quote,
no amount sent (instead of a guess), and the order is placed all the same.
"""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from _threeyourmind_fidelity import ROOT, placed, run_example

from orderspec.sandbox import SandboxConfig
from orderspec.sandbox.threeyourmind._documented import ENDPOINTS, LABEL, markdown

DOCUMENTED = SandboxConfig(documented_only=True)
SP = "/api/v2.0/service-panel/services/1"
TOKEN = {"Authorization": "Token sandbox-token"}


def test_service_panel_example_orders_without_a_quote(sandbox: Any) -> None:
    running = sandbox("3yourmind", DOCUMENTED)
    result = run_example("3yourmind-service-panel", running)
    [order] = placed(running)
    # what the spec asks for was ordered: names resolved through the labels, post-processing included
    [line] = order["lines"]
    assert (line["materialName"], line["quantity"], [pp["name"] for pp in line["postProcessings"]]) == ("PA12 White", 3, ["Dyeing"])
    assert order["shipping"]["methodName"] == "Standard Shipping" and order["shipping"]["address"]["city"] == "Berlin"
    # no price is documented: no quote, and no amount invented for the order
    assert result.outputs["quote_total"] is None
    assert order["payment"]["authorizedAmount"] is None and order["shippingPrice"] is None
    # the order number is not documented either: the order's id stands in for it
    assert result.outputs["order_number"] == order["id"]


def test_service_panel_without_documented_only_quotes_and_sends_gross_amounts(sandbox: Any) -> None:
    running = sandbox("3yourmind")
    result = run_example("3yourmind-service-panel", running)
    [order] = placed(running)
    assert result.outputs["quote_total"] == pytest.approx(float(order["price"]["totalPrice"]["inclusiveTax"]))
    assert order["payment"]["authorizedAmount"] == order["price"]["totalPrice"]["inclusiveTax"]
    assert order["shippingPrice"] == order["price"]["shippingPrice"]["inclusiveTax"]


def test_user_panel_example_orders_through_the_quote_with_its_documented_total(sandbox: Any) -> None:
    running = sandbox("3yourmind", DOCUMENTED)
    result = run_example("3yourmind-user-panel", running)
    [order] = placed(running)
    assert order["quoteId"] is not None
    assert [(line["materialName"], line["quantity"], line["file"]["unit"]) for line in order["lines"]] == [("PLA", 4, "mm"), ("PA12 Black", 10, "inch")]
    # totalPrice.inclusiveTax is documented (3YD-sdk quick_order_quote): the quote survives, and is what was authorized
    assert result.outputs["quote_total"] == pytest.approx(float(order["price"]["totalPrice"]["inclusiveTax"]))
    assert order["payment"]["authorizedAmount"] == order["price"]["totalPrice"]["inclusiveTax"]


def test_the_inferred_basket_route_degrades_to_no_quote(sandbox: Any) -> None:
    running = sandbox("3yourmind", DOCUMENTED)
    result = run_example("3yourmind-user-panel", running, ordering="basket")
    [order] = placed(running)
    assert order["quoteId"] is None and result.outputs["quote_total"] is None
    assert order["payment"]["authorizedAmount"] is None and order["shippingPrice"] is None


def test_answers_keep_only_attested_fields_and_labels(sandbox: Any) -> None:
    running = sandbox("3yourmind", DOCUMENTED)
    with httpx.Client(base_url=running.base_url, headers=TOKEN) as api:
        offers = api.get(f"{SP}/offers/").json()
        assert set(offers[0]) == {"id", "materialName", "postProcessings"}
        assert set(offers[0]["postProcessings"][0]) == {"id", "name", "colors"}
        assert set(api.get(f"{SP}/shipping-methods/").json()[0]) == {"id", "name"}
        users = api.get(f"{SP}/internal-ordering/users/", params={"search": "Ortega"}).json()
        assert set(users) == {"count", "currentPage", "totalPages", "pageSize", "results"}
        assert set(users["results"][0]) == {"id", "email", "firstName", "lastName"}
        basket = api.post(f"{SP}/baskets/")
        assert basket.status_code == 201 and basket.json() == {"id": basket.json()["id"]}
        assert api.get("/api/v2.0/my-profile/preferences/").json() == {"country": "DE", "currency": "EUR", "language": "en", "unit": "mm"}
        assert api.get("/api/v2.0/currencies/").json() == ["EUR", "USD", "GBP", "CHF"]
        # error answers keep their DRF shape; only successful answers are cut down
        assert api.get(f"{SP}/baskets/999999/").json() == {"detail": "Not found."}
        # an endpoint whose answer no document shows keeps nothing
        assert api.get("/api/v2.0/units/").json() == [{}, {}]


def test_every_table_entry_names_a_route_of_the_sandbox(sandbox: Any) -> None:
    running = sandbox("3yourmind")
    routes = {re.sub(r":\w+}", "}", route.path) for route in running.app.app.routes}
    for operation in ENDPOINTS:
        assert operation.split(" ", 1)[1] in routes, operation


def test_labels_are_only_names_and_their_containers() -> None:
    for endpoint in ENDPOINTS.values():
        for field in endpoint.fields:
            if field.document == LABEL:
                assert field.path.rsplit(".", 1)[-1] in ("name", "materialName", "id"), field


@pytest.mark.parametrize("system", ["3yourmind-service-panel", "3yourmind-user-panel"])
def test_docs_hold_the_generated_tables_of_the_endpoints_the_flow_uses(system: str) -> None:
    text = (ROOT / "docs" / "targets" / f"{system}.md").read_text(encoding="utf-8")
    used = re.findall(r"^#### `([^`]+)`$", text, flags=re.MULTILINE)
    assert used, "the page lists the endpoints it reads"
    start = text.index("<!-- generated from runner/sandbox/threeyourmind/_documented.py")
    assert markdown(used).strip() in text[start:]
