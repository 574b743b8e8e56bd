"""Through ``orderspec apply``: the profile option ``api: "2021-04-27"`` picks the later CTQ flow and
sandbox mode, and the CTQ example places its order against a sandbox that answers only documented fields."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from orderspec.orders import SandboxPool, apply_specs
from orderspec.sandbox import SandboxConfig

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "specs" / "examples"


def _folder(tmp_path: Path, profiles: dict[str, Any]) -> Path:
    """A copy of the examples with an ``orderspec.yaml`` holding ``profiles``."""
    folder = tmp_path / "specs"
    shutil.copytree(EXAMPLES, folder)
    (folder / "orderspec.yaml").write_text(yaml.safe_dump({"profiles": profiles}, sort_keys=False), encoding="utf-8")
    return folder


def test_the_api_option_chooses_the_later_flow_and_sandbox(tmp_path: Path) -> None:
    later = {"system": "ctq", "base_url": "https://widget.api.cadtoquote.com/api/v1", "options": {"api": "2021-04-27", "language": "en"}}
    later["auth"] = {"kind": "header", "header": "organization_id", "env": "CTQ_ORGANIZATION_ID"}
    folder = _folder(tmp_path, {"ctq": later})
    spec = yaml.safe_load((folder / "ctq-bracket.yaml").read_text(encoding="utf-8"))
    del spec["discount_code"]  # the 2021-04-27 API has no discount
    (folder / "ctq-bracket.yaml").write_text(yaml.safe_dump(spec, allow_unicode=True, sort_keys=False), encoding="utf-8")
    with SandboxPool() as pool:
        [placed] = apply_specs([folder / "ctq-bracket.yaml"], sandboxes=pool)
        [running] = pool.apps()
        info = httpx.get(f"{running.base_url}/api/v1/info", headers={"organization_id": "sandbox-org", "language": "en"}, timeout=10)
        requests = httpx.get(f"{running.base_url}/_sandbox/requests", timeout=10).json()
    assert placed.order_number == "10001"
    assert "processes" in info.json() and "settings" not in info.json()
    assert not any("apply-discount" in key for key in requests)


def test_the_example_applies_against_a_sandbox_answering_only_documented_fields(tmp_path: Path, sandbox: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    running = sandbox("ctq", SandboxConfig(documented_only=True))
    monkeypatch.setenv("TEST_CTQ_ORG", "sandbox-org")
    auth = {"kind": "header", "header": "x-api-key", "env": "TEST_CTQ_ORG"}
    folder = _folder(tmp_path, {"ctq": {"system": "ctq", "base_url": running.base_url, "auth": auth}})
    [placed] = apply_specs([folder / "ctq-bracket.yaml"])
    [order] = httpx.get(f"{running.base_url}/_sandbox/orders", timeout=10).json()
    assert placed.order_number == order["order_number"] and order["status"] == "pending"
    assert placed.quote is not None and float(placed.quote.total) > order["subtotal_inc_vat"]
