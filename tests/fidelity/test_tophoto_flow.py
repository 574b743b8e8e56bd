"""The to.photo flow against the to.photo sandbox over loopback: the documented payment provider,
only documented fields, a placed order that stays placed, no guessed quote, same answers for same requests."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import yaml

from orderspec import load_spec
from orderspec.engine import load_flow, run_flow
from orderspec.orders import apply_specs
from orderspec.sandbox import SandboxConfig

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "specs" / "examples"
FLOW = ROOT / "runner" / "flows" / "tophoto.yaml"
LOGIN = ("sandbox", "sandbox-secret")

# the mandator's SKU list and shipping prices (to.photo has no catalogue endpoint), as a profile gives them
SKUS = [
    {"sku": "14631000", "title": "Tasse", "processor": "photo.to.amazonmarketplace.AmazonStandardCupProcessor", "price": 11900},
    {"sku": "10150000", "title": "Fotoabzug 10x15", "processor": "photo.to.amazonmarketplace.AmazonPhotoPrintProcessor", "price": 190},
]
OPTIONS = {"mandator": 0, "portal": 1000, "currency": "EUR", "skus": SKUS, "shipping": [{"qos": "Standard", "price": 3450}, {"qos": "Express", "price": 7950}]}


@dataclass
class Exchange:
    method: str
    path: str
    status: int
    answer: bytes


def _spec(tmp_path: Path, edit: Callable[[dict[str, Any]], None] | None = None) -> Path:
    folder = tmp_path / "spec"
    shutil.copytree(EXAMPLES / "photos", folder / "photos", dirs_exist_ok=True)
    data = yaml.safe_load((EXAMPLES / "tophoto-mug.yaml").read_text(encoding="utf-8"))
    if edit is not None:
        edit(data)
    path = folder / "tophoto.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def run(spec: Path, base_url: str, **options: Any) -> tuple[Any, list[Exchange]]:
    """The flow for ``spec`` with a context as ``orderspec apply`` builds it, and every answer it got."""
    exchanges: list[Exchange] = []

    def record(response: httpx.Response) -> None:
        response.read()
        exchanges.append(Exchange(response.request.method, response.request.url.path, response.status_code, response.content))

    order = load_spec(spec)
    target = {"system": "tophoto", "base_url": base_url, "options": {**OPTIONS, **options}, "profile": "test"}
    with httpx.Client(auth=LOGIN, event_hooks={"response": [record]}, timeout=30) as client:
        result = run_flow(load_flow(FLOW), {"order": order.data, "target": target, "folder": spec.parent}, client=client)
    return result, exchanges


def _orders(base_url: str) -> list[dict[str, Any]]:
    return httpx.get(f"{base_url}/_sandbox/orders", timeout=10).json()


# -- the payment provider ----------------------------------------------------------------


def test_the_payment_provider_is_amazon_unless_the_spec_or_profile_names_another(tmp_path: Path, sandbox: Any) -> None:
    running = sandbox("tophoto")
    run(_spec(tmp_path), running.base_url)
    run(_spec(tmp_path), running.base_url, payment_provider="Paypal")
    run(_spec(tmp_path, lambda data: data.update(payment={"method": "Stripe"})), running.base_url, payment_provider="Paypal")
    assert [order["payment"]["provider"] for order in _orders(running.base_url)] == ["Amazon", "Paypal", "Stripe"]


# -- only what the documents show --------------------------------------------------------


def test_the_example_places_its_order_when_the_sandbox_answers_only_documented_fields(tmp_path: Path, sandbox: Any) -> None:
    running = sandbox("tophoto", SandboxConfig(documented_only=True))
    result, exchanges = run(_spec(tmp_path), running.base_url)
    [order] = _orders(running.base_url)
    assert result.ok and result.outputs["order_id"] == order["orderId"] and order["status"] == "Enqueued"
    assert [(p["processor"]["metadata"]["sku"], p["count"]) for p in order["projects"]] == [("14631000", 1), ("10150000", 2)]
    assert sorted(e["name"] for e in order["zipEntries"]) == sorted(p["name"] for p in order["payload"])
    [subcart] = order["cart"]["subcarts"]
    assert (subcart["paymentOrderId"], subcart["qos"], subcart["shipping"]) == ("shop-order-1001", "Standard", 3450)
    assert [(i["sku"], i["count"], i["price"]) for i in subcart["items"]] == [("14631000", 1, 11900), ("10150000", 2, 190)]
    assert order["customer"]["deliveryaddress"]["city"] == "München"
    assert result.outputs["quote_total"] == 15.73 and result.outputs["producer_orders"] == [subcart["producerOrderUniqueIdentifier"]]
    assert [f"{e.method} {e.status}" for e in exchanges] == ["POST 200", "POST 200", "POST 200", "GET 200"]


def test_the_example_applies_through_orderspec_apply_in_that_mode(tmp_path: Path, sandbox: Any, monkeypatch: Any) -> None:
    running = sandbox("tophoto", SandboxConfig(documented_only=True))
    monkeypatch.setenv("TEST_TP_USER", LOGIN[0])
    monkeypatch.setenv("TEST_TP_PASSWORD", LOGIN[1])
    spec = _spec(tmp_path)
    auth = {"kind": "basic", "username_env": "TEST_TP_USER", "env": "TEST_TP_PASSWORD"}
    profiles = {"profiles": {"tophoto": {"system": "tophoto", "base_url": running.base_url, "auth": auth}}}
    (spec.parent / "orderspec.yaml").write_text(yaml.safe_dump(profiles), encoding="utf-8")
    [placed] = apply_specs([spec])
    [order] = _orders(running.base_url)
    assert str(placed.order_number) == str(order["orderId"]) and order["status"] == "Enqueued"


def test_the_order_stays_placed_when_the_answers_after_the_upload_lack_what_the_flow_reads(tmp_path: Path, sandbox: Any) -> None:
    withheld = {"POST /v1/orders/{orderId}/data": ["status", "cart"], "GET /v1/orders/{orderId}": ["status", "cart"]}
    running = sandbox("tophoto", SandboxConfig(documented_only=True, options={"withhold_fields": withheld}))
    result, exchanges = run(_spec(tmp_path), running.base_url)
    [order] = _orders(running.base_url)
    assert "status" not in json.loads(exchanges[2].answer) and "cart" not in json.loads(exchanges[3].answer)
    assert result.ok and order["status"] == "Enqueued"
    assert result.outputs["order_id"] == order["orderId"]
    assert (result.outputs["status"], result.outputs["producer_orders"]) == (None, [])


# -- no quote rather than a guess ----------------------------------------------------------


def test_a_sku_without_a_price_in_the_profile_leaves_no_quote(tmp_path: Path, sandbox: Any) -> None:
    running = sandbox("tophoto")
    unpriced = [SKUS[0], {key: value for key, value in SKUS[1].items() if key != "price"}]
    result, _ = run(_spec(tmp_path), running.base_url, skus=unpriced)
    assert result.ok and result.vars["quote_total"] is None
    assert len(_orders(running.base_url)) == 1


# -- the same requests get the same answers --------------------------------------------------


def test_two_fresh_sandboxes_answer_the_same_requests_identically(tmp_path: Path, sandbox: Any) -> None:
    spec = _spec(tmp_path)
    answers = []
    for _ in range(2):
        running = sandbox("tophoto")
        _, exchanges = run(spec, running.base_url)
        refused = httpx.get(f"{running.base_url}/v1/orders/999", auth=LOGIN, timeout=10)
        answers.append([(e.method, e.path, e.status, e.answer) for e in exchanges] + [("GET", "/v1/orders/999", refused.status_code, refused.content)])
    assert answers[0] == answers[1]
    created = json.loads(answers[0][0][3])
    assert created["orderdate"] == 1_527_580_800_000 and created["statusHistory"][0]["date"] > created["orderdate"]
    assert json.loads(answers[0][-1][3])["timestamp"].startswith("2018-05-29 08:00:")
