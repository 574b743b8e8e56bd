"""The seed's .http example, imported with `orderspec import-http` and run with `orderspec run`,
places the same order in the 3YOURMIND sandbox as the built-in Service Panel flow."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

from orderspec.orders import apply_specs
from orderspec.sandbox import SandboxConfig

from .conftest import ROOT, placed_orders, profile_for, write_profiles

SEED_HTTP = ROOT / "tests" / "httpfile" / "data" / "service-panel.http"
SEED_MODEL = ROOT / "tests" / "httpfile" / "data" / "cube_10_inch.stl"

# The seed's choices, written as a spec: user "Ortega", the third address (Berlin), the
# first payment method, shipping method and offer, one line in inches, no post-processing.
SPEC = {
    "apiVersion": "orderspec/v1",
    "kind": "Order",
    "metadata": {"name": "seed-service-panel"},
    "target": {"system": "3yourmind-service-panel", "options": {"service_id": 1}},
    "customer": {"search": "Ortega", "email": "maria.ortega@example.com"},
    "addresses": {"shipping": {"city": "Berlin", "country": "DE"}},
    "items": [{"file": "cube_10_inch.stl", "unit": "inch", "material": "PA12 White", "quantity": 1}],
    "shipping": {"method": "Standard Shipping", "instructions": "string"},
    "payment": {"method": "Invoice"},
    "reference": "some test reference",
}


def _run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [sys.executable, "-m", "orderspec", *args], capture_output=True, text=True, timeout=120, env={**os.environ, **(env or {})}
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done


def _what_was_ordered(order: dict[str, Any]) -> dict[str, Any]:
    """An order as the sandbox recorded it, without ids, prices and file names that differ by construction."""
    return {
        "customer": order["customer"]["email"],
        "lines": [
            (line["offerName"], line["materialName"], line["quantity"], [pp["name"] for pp in line["postProcessings"]], line["file"]["unit"], line["file"]["sha256"])
            for line in order["lines"]
        ],
        "billing": order["billingAddressId"],
        "shipping": (order["shipping"]["methodName"], order["shipping"]["addressId"], order["shipping"]["deliveryInstructions"]),
        "payment": (order["payment"]["methodName"], order["payment"]["currency"]),
        "voucher": order["voucherCode"],
        "reference": order["additionalInformation"]["reference"],
    }


def test_imported_seed_places_the_same_order_as_the_built_in_flow(tmp_path: Path, sandbox, monkeypatch) -> None:
    # the seed reads the analysis status once (import-http warns); here only the orders are compared
    running = sandbox("3yourmind-service-panel", SandboxConfig(analysis_polls=0))
    requests = tmp_path / "requests"  # the .http file with its model: a flow sends files from its own folder only
    requests.mkdir()
    shutil.copy(SEED_HTTP, requests / SEED_HTTP.name)
    shutil.copy(SEED_MODEL, requests / SEED_MODEL.name)
    flow = requests / "seed.yaml"
    _run("import-http", str(requests / SEED_HTTP.name), "-o", str(flow))
    _run("run", str(flow), "--var", f"host={running.base_url}", "--secret", "token=SEED_TOKEN", env={"SEED_TOKEN": "sandbox-token"})

    folder = tmp_path / "specs"
    folder.mkdir()
    shutil.copy(SEED_MODEL, folder / "cube_10_inch.stl")
    spec = folder / "seed.yaml"
    spec.write_text(yaml.safe_dump(SPEC, sort_keys=False))
    write_profiles(folder, {"3yourmind-service-panel": profile_for("3yourmind-service-panel", running.base_url)})
    monkeypatch.setenv("TYM_TOKEN", "sandbox-token")
    apply_specs([spec])

    imported, built_in = placed_orders(running.base_url)
    assert imported["basketId"] != built_in["basketId"]
    assert _what_was_ordered(imported) == _what_was_ordered(built_in)
    assert _what_was_ordered(built_in)["lines"][0][:3] == ("PA12 White (SLS)", "PA12 White", 1)
