"""Each example spec, applied against its sandbox over loopback, places exactly the order it asks for."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from orderspec.orders import SandboxPool, apply_specs, plan_specs

from .conftest import EXAMPLES, SPECS, placed_orders


@pytest.fixture
def pool() -> Iterator[SandboxPool]:
    with SandboxPool() as sandboxes:
        yield sandboxes


def _apply(system: str, pool: SandboxPool) -> tuple[object, list[dict]]:
    [placed] = apply_specs([EXAMPLES / SPECS[system]], sandboxes=pool)
    [running] = pool.apps()
    return placed, placed_orders(running.base_url)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_ctq_example(pool: SandboxPool) -> None:
    placed, orders = _apply("ctq", pool)
    assert len(orders) == 1
    order = orders[0]
    assert placed.order_number == order["order_number"] == "10001"
    assert order["status"] == "pending"
    items = [
        (i["model"]["filename"], i["quantity"], i["process_name"], i["material_name"], i["quality_name"], i["color_name"], i["postproduction_name"])
        for i in order["items"]
    ]
    assert items == [
        ("bracket.stl", 2, "SLS", "PA12", "Standard", "White", "Dyeing"),
        ("cube.stl", 1, "SLS", "PA12", "Standard", "White", None),
    ]
    assert [i["model"]["bytes"] for i in order["items"]] == [(EXAMPLES / "models" / n).stat().st_size for n in ("bracket.stl", "cube.stl")]
    assert order["discount_code"] == "WELCOME10" and order["total_discount"] > 0
    assert order["shipping_option_name"] == "Express delivery"
    customer = order["customer"]
    assert (customer["full_name"], customer["street_address"], customer["postal_code"], customer["city"], customer["country_id"]) == (
        "Jonas Weber",
        "Invalidenstraße 117",
        "10115",
        "Berlin",
        "DE",
    )
    assert customer["email"] == "jonas.weber@example.com"
    assert customer["special_requests"] == "Please pack the brackets separately."
    # the quote the budget gate compared: subtotal incl. VAT plus shipping incl. VAT
    assert float(placed.quote.total) == pytest.approx(order["subtotal_inc_vat"] + order["shipping_price"] * 1.19, abs=0.01)


def test_ctq_requests_pass_the_sandbox_strict_swagger_check(pool: SandboxPool) -> None:
    _apply("ctq", pool)
    [running] = pool.apps()
    contract = httpx.get(f"{running.base_url}/_sandbox/contract", timeout=10).json()
    assert contract == {"violations": [], "unexpected_errors": []}


def test_service_panel_example(pool: SandboxPool) -> None:
    placed, orders = _apply("3yourmind-service-panel", pool)
    assert len(orders) == 1
    order = orders[0]
    assert placed.order_number == order["number"]
    assert order["panel"] == "service-panel"
    assert order["customer"]["email"] == "maria.ortega@example.com"
    [line] = order["lines"]
    assert (line["materialName"], line["offerName"], line["quantity"]) == ("PA12 White", "PA12 White (SLS)", 3)
    assert [pp["name"] for pp in line["postProcessings"]] == ["Dyeing"]
    assert (line["file"]["unit"], line["file"]["sha256"]) == ("mm", _sha256(EXAMPLES / "models" / "bracket.stl"))
    assert (order["shipping"]["address"]["city"], order["shipping"]["address"]["country"]) == ("Berlin", "DE")
    assert order["billingAddress"]["city"] == "Berlin"
    assert order["shipping"]["methodName"] == "Standard Shipping"
    assert order["payment"]["methodName"] == "Invoice"
    assert order["additionalInformation"] == {"reference": "PO-2024-0042"}


def test_user_panel_example(pool: SandboxPool) -> None:
    placed, orders = _apply("3yourmind-user-panel", pool)
    assert len(orders) == 1
    order = orders[0]
    assert placed.order_number == order["number"]
    assert order["panel"] == "user-panel"
    lines = [(line["materialName"], line["quantity"], line["file"]["unit"], line["file"]["sha256"]) for line in order["lines"]]
    assert lines == [
        ("PLA", 4, "mm", _sha256(EXAMPLES / "models" / "cube.stl")),
        ("PA12 Black", 10, "inch", _sha256(EXAMPLES / "models" / "spacer-inch.stl")),
    ]
    assert order["shipping"]["methodName"] == "Express Shipping"
    assert order["payment"]["methodName"] == "Credit Card"
    assert order["additionalInformation"] == {"reference": "workshop-spares"}
    # the authorised amount is the basket price the User Panel quoted
    assert order["payment"]["authorizedAmount"] == order["price"]["totalPrice"]["inclusiveTax"]


def test_tophoto_example(pool: SandboxPool) -> None:
    placed, orders = _apply("tophoto", pool)
    assert len(orders) == 1
    order = orders[0]
    assert placed.order_number == str(order["orderId"])  # order numbers are always text
    assert order["status"] == "Enqueued"
    assert [s["status"] for s in order["statusHistory"]] == ["Temporary", "Transferred", "New", "Enqueued"]
    assert (order["locale"], order["order_url"]) == ("de_DE", "https://shop.example.com/hooks/tophoto")
    projects = [(p["processor"]["metadata"]["sku"], p["count"], p["processor"]["identifier"]) for p in order["projects"]]
    assert projects == [
        ("14631000", 1, "photo.to.amazonmarketplace.AmazonStandardCupProcessor"),
        ("10150000", 2, "photo.to.amazonmarketplace.AmazonPhotoPrintProcessor"),
    ]
    sizes = {entry["name"]: entry["size"] for entry in order["zipEntries"]}
    photos = EXAMPLES / "photos"
    assert sorted(sizes.values()) == sorted((photos / n).stat().st_size for n in ("mug.jpg", "print-1.jpg", "print-2.png"))
    assert sorted(sizes) == sorted(p["name"] for p in order["payload"])
    delivery = order["customer"]["deliveryaddress"]
    assert (delivery["firstname"], delivery["lastname"], delivery["street"], delivery["housenumber"], delivery["zipcode"], delivery["city"], delivery["country"]) == (
        "Anna",
        "Schmidt",
        "Leopoldstraße",
        "42",
        "80802",
        "München",
        "DE",
    )
    [subcart] = order["cart"]["subcarts"]
    assert subcart["paymentOrderId"] == "shop-order-1001"
    assert (subcart["qos"], subcart["shipping"]) == ("Standard", 3450)
    assert [(i["sku"], i["count"], i["price"]) for i in subcart["items"]] == [("14631000", 1, 11900), ("10150000", 2, 190)]


def test_all_examples_in_one_run_place_one_order_each(pool: SandboxPool) -> None:
    placed = apply_specs([EXAMPLES], sandboxes=pool)
    assert sorted(p.name for p in placed) == ["3yd-service-panel-bracket", "3yd-user-panel-parts", "ctq-bracket", "tophoto-mug"]
    counts = sorted(len(placed_orders(running.base_url)) for running in pool.apps())
    assert counts == [1, 1, 2]  # both 3YOURMIND panels live in one sandbox app


def test_plan_resolves_names_and_creates_nothing(pool: SandboxPool) -> None:
    planned = {p.system: p for p in plan_specs([EXAMPLES], sandboxes=pool)}
    assert planned["ctq"].resolved["shipping_option"] == "express-delivery"
    assert planned["ctq"].resolved["items"][0] == {"process_id": "sls", "material_id": "sls-pa12", "quality_id": "sls-standard"}
    assert planned["ctq"].resolved["item_options"][0] == {"color_id": "white", "postproduction_id": "sls-dyeing"}
    service = planned["3yourmind-service-panel"]
    assert (service.resolved["customer_id"], service.resolved["offer_ids"], service.resolved["shipping_address_id"]) == (101, [21], 203)
    assert planned["tophoto"].resolved["processors"][0] == "photo.to.amazonmarketplace.AmazonStandardCupProcessor"
    # the mandator's prices from the profile: a mug, two prints twice, standard shipping
    assert (str(planned["tophoto"].quote), planned["tophoto"].quote_source) == ("15.73 EUR", "catalogue")
    assert any("per basket line" in note for note in planned["3yourmind-user-panel"].notes)
    assert planned["ctq"].would_run[-1] == "place order"
    for running in pool.apps():
        assert placed_orders(running.base_url) == []
    baskets = httpx.get(f"{pool.apps()[0].base_url}/api/v2.0/user-panel/baskets/", headers={"Authorization": "Token sandbox-token"}).json()
    assert baskets["count"] == 0


def test_plan_quote_prices_a_draft_and_deletes_it(pool: SandboxPool) -> None:
    [entry] = plan_specs([EXAMPLES / SPECS["ctq"]], sandboxes=pool, quote=True)
    [placed] = apply_specs([EXAMPLES / SPECS["ctq"]], sandboxes=pool)
    assert entry.quote_source == "draft"
    assert entry.quote == placed.quote
    assert entry.over_budget is None
    assert any("was deleted" in note for note in entry.notes)
    [running] = pool.apps()
    assert len(placed_orders(running.base_url)) == 1
