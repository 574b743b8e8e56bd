"""The seed's .http example, converted, runs end to end against a local server."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
import yaml

from orderspec.engine import InstantClock, RequestFailed, load_flow, run_flow
from orderspec.httpfile import import_http

from ._app import ADDRESSES, BASKET, CUSTOMER, LINE, TOKEN
from .conftest import DATA, Server

SEED_TOKEN = "dd247ae0d9cddcefa32e3ef502c4798b6ae531d8"
STEPS = [
    ("GET", "/api/v2.0/service-panel/services/1/internal-ordering/users/"),
    ("POST", "/api/v2.0/service-panel/services/1/baskets/"),
    ("PATCH", f"/api/v2.0/service-panel/services/1/baskets/{BASKET}/"),
    ("GET", f"/api/v2.0/service-panel/services/1/internal-ordering/users/{CUSTOMER}/addresses/"),
    ("GET", "/api/v2.0/service-panel/services/1/payment-methods/"),
    ("GET", "/api/v2.0/service-panel/services/1/shipping-methods/"),
    ("GET", "/api/v2.0/service-panel/services/1/offers/"),
    ("POST", f"/api/v2.0/service-panel/services/1/baskets/{BASKET}/lines/"),
    ("PATCH", f"/api/v2.0/service-panel/services/1/baskets/{BASKET}/lines/{LINE}/"),
    ("POST", "/api/v2.0/files/"),
    ("GET", f"/api/v2.0/service-panel/services/1/baskets/{BASKET}/lines/{LINE}/file-status/"),
    ("POST", "/api/v2.0/service-panel/services/1/internal-ordering/orders/"),
]


def _project(tmp_path: Path) -> Path:
    """The seed's files in a folder of their own: a flow sends files from its folder (or below) only."""
    folder = tmp_path / "project"
    shutil.copytree(DATA, folder)
    return folder


def _convert(tmp_path: Path) -> Path:
    folder = _project(tmp_path)
    flow_file = folder / "service-panel.yaml"
    flow_file.write_text(import_http(folder / "service-panel.http", flow_file).text)
    return flow_file


def _check_requests(server: Server) -> None:
    seen = server.state.requests
    assert server.state.paths() == STEPS
    assert all(r.headers["authorization"] == f"Token {TOKEN}" for r in seen)
    assert seen[0].query == {"search": "Ortega"}
    assert seen[2].json == {"customer_id": CUSTOMER}
    assert seen[8].json == {"offer_id": 31, "postProcessings": [], "unitPrintPrice": "12.34"}
    upload = seen[9].form
    assert upload["file"] == {
        "filename": "test_areas (copy).stl",
        "content_type": "model/x.stl-binary",
        "data": (DATA / "cube_10_inch.stl").read_bytes(),
    }
    assert (upload["basket_id"], upload["line_id"], upload["unit"]) == (str(BASKET), str(LINE), "inch")
    third_address = ADDRESSES[2]["id"]
    assert seen[11].json == {
        "additionalInformation": {"reference": "some test reference"},
        "basketId": BASKET,
        "billingAddressId": third_address,
        "pickupLocationId": None,
        "fees": [],
        "shippingPrice": "12.34",
        "shipping": {"methodId": 21, "addressId": third_address, "deliveryInstructions": "string"},
        "payment": {"methodId": 11, "authorizedAmount": "12.34", "currency": "EUR", "details": {}},
        "voucherCode": None,
        "userId": CUSTOMER,
    }


def test_converted_seed_runs_through_the_engine(tmp_path: Path, service_panel: Server) -> None:
    flow = load_flow(_convert(tmp_path))
    with httpx.Client(timeout=10) as client:
        result = run_flow(
            flow,
            {"vars": {"host": service_panel.base_url}, "secrets": {"token": TOKEN}},
            client=client,
        )
    _check_requests(service_panel)
    assert result.vars["customer_id"] == CUSTOMER
    assert result.vars["line_id"] == LINE


def test_import_http_then_orderspec_run(tmp_path: Path, service_panel: Server) -> None:
    folder = _project(tmp_path)
    flow_file = folder / "service-panel.yaml"
    imported = subprocess.run(
        [sys.executable, "-m", "orderspec", "import-http", str(folder / "service-panel.http"), "-o", str(flow_file)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert imported.returncode == 0, imported.stderr
    env = {**os.environ, "SP_TOKEN": TOKEN}
    done = subprocess.run(
        [sys.executable, "-m", "orderspec", "run", str(flow_file), "--var", f"host={service_panel.base_url}", "--secret", "token=SP_TOKEN"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    _check_requests(service_panel)
    assert TOKEN not in done.stdout + done.stderr


def test_the_seed_token_never_reaches_the_flow(tmp_path: Path) -> None:
    flow_file = _convert(tmp_path)
    text = flow_file.read_text()
    assert SEED_TOKEN not in text
    flow = yaml.safe_load(text)
    assert flow["headers"]["Authorization"] == "Token {{ secrets.token }}"
    assert "token" not in flow["vars"]


def _with_poll_hint(flow_file: Path) -> Path:
    """The converted flow with the importer's poll hint pasted into the status step, as a user would."""
    result = import_http(flow_file.parent / "service-panel.http", flow_file)
    [hint] = [w.message.split("add to this step: ", 1)[1] for w in result.warnings if "reads the analysis status once" in w.message]
    flow = result.conversion.flow
    [status_step] = [step for step in flow["steps"] if step["name"] == "GET file-status"]
    status_step.update(yaml.safe_load(hint))
    flow_file.write_text(yaml.safe_dump(flow, sort_keys=False, allow_unicode=True))
    return flow_file


def test_converted_seed_orders_before_the_analysis_finished_and_the_sandbox_refuses(tmp_path: Path, sandbox) -> None:
    """As written, the seed reads the status once; the sandbox's analysis takes a few reads by default."""
    running = sandbox("3yourmind-service-panel")
    flow = load_flow(_convert(tmp_path))
    with httpx.Client(timeout=10) as client:
        with pytest.raises(RequestFailed) as failed:
            run_flow(flow, {"vars": {"host": running.base_url}, "secrets": {"token": "sandbox-token"}}, client=client)
        assert client.get(f"{running.base_url}/_sandbox/orders").json() == []
    assert failed.value.step == "POST orders" and failed.value.status == 400
    assert "is still being analysed" in failed.value.message


def test_converted_seed_with_the_poll_hint_places_an_order_in_the_3yourmind_sandbox(tmp_path: Path, sandbox) -> None:
    running = sandbox("3yourmind-service-panel")
    flow_file = _project(tmp_path) / "service-panel.yaml"
    flow = load_flow(_with_poll_hint(flow_file))
    with httpx.Client(timeout=10) as client:
        result = run_flow(flow, {"vars": {"host": running.base_url}, "secrets": {"token": "sandbox-token"}}, client=client, clock=InstantClock())
        orders = client.get(f"{running.base_url}/_sandbox/orders").json()
    [status_step] = [step for step in result.steps if step.path == "GET file-status"]
    assert (status_step.attempts, status_step.polls) == (3, 2)  # "analysing" twice (read again each time), then "finished"
    assert len(orders) == 1
    order = orders[0]
    assert order["customer"]["fullName"] == "Maria Ortega"
    assert [(line["file"]["name"], line["file"]["unit"], line["file"]["size"]) for line in order["lines"]] == [
        ("test_areas (copy).stl", "inch", (DATA / "cube_10_inch.stl").stat().st_size)
    ]
    assert order["billingAddress"]["city"] == "Berlin"  # the third address, response.body[2].id
    assert order["additionalInformation"] == {"reference": "some test reference"}
