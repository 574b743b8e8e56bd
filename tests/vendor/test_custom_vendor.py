"""An order on a vendor the repository does not otherwise know, from a flow file, a profile and a spec only."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from orderspec.engine import InstantClock
from orderspec.orders import ApplyFailed, PlanFailed, Runtime, apply_specs, plan_specs
from orderspec.sandbox import RunningSandbox, serve_in_thread

from ._printhub import MATERIALS, TOKEN, create_app

DATA = Path(__file__).resolve().parent / "printhub"


@pytest.fixture
def printhub() -> Iterator[RunningSandbox]:
    with serve_in_thread(create_app()) as running:
        yield running


@pytest.fixture
def folder(tmp_path: Path, printhub: RunningSandbox, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copytree(DATA, tmp_path / "printhub")
    profiles = tmp_path / "printhub" / "orderspec.yaml"
    profiles.write_text(profiles.read_text().replace("http://127.0.0.1:9/", printhub.base_url + "/"))
    monkeypatch.setenv("PRINTHUB_TOKEN", TOKEN)
    return tmp_path / "printhub"


def _orders(printhub: RunningSandbox) -> list[dict[str, object]]:
    return httpx.get(f"{printhub.base_url}/_test/orders").json()  # type: ignore[no-any-return]


def test_plan_reads_every_page_and_resolves_the_material(folder: Path, printhub: RunningSandbox) -> None:
    [planned] = plan_specs([folder / "cube.yaml"], runtime=Runtime(clock=InstantClock()))
    assert planned.system == "custom" and planned.profile == "printhub"
    assert planned.would_run == ("models", "quote", "order")
    seen = httpx.get(f"{printhub.base_url}/_test/requests").json()
    assert seen == ["GET /v1/materials?", "GET /v1/materials?page=2", "GET /v1/materials?page=3"]  # reads only
    assert _orders(printhub) == []


def test_apply_places_one_order_with_the_bearer_token_and_the_idempotency_key(folder: Path, printhub: RunningSandbox) -> None:
    runtime = Runtime(clock=InstantClock())
    [placed] = apply_specs([folder / "cube.yaml"], runtime=runtime)
    assert placed.order_number == "PH-1001"
    assert str(placed.quote) == "13.12 EUR"  # 12.5 cm3 x 0.35 EUR x 3, rounded by the flow
    [order] = _orders(printhub)
    petg = next(m for m in MATERIALS if m["name"] == "PETG Clear")
    assert order["key"] == "orderspec-printhub-cube"
    assert order["lines"] == [{"upload_id": "u1", "material_id": petg["id"], "quantity": 3}]
    # the order waited for processing: two "processing" answers, then "ready"
    seen = httpx.get(f"{printhub.base_url}/_test/requests").json()
    assert seen.count("GET /v1/uploads/u1?") == 3


def test_the_budget_stops_before_the_order(folder: Path, printhub: RunningSandbox) -> None:
    spec = folder / "cube.yaml"
    spec.write_text(spec.read_text().replace("max_total: 20", "max_total: 10"))
    with pytest.raises(ApplyFailed) as caught:
        apply_specs([spec], runtime=Runtime(clock=InstantClock()))
    assert "quoted total 13.12 EUR exceeds the budget of 10.00 EUR by 3.12 EUR" in str(caught.value)
    assert _orders(printhub) == []


def test_an_unknown_material_lists_the_valid_names(folder: Path, printhub: RunningSandbox) -> None:
    spec = folder / "cube.yaml"
    spec.write_text(spec.read_text().replace("PETG Clear", "PETG Klar"))
    with pytest.raises(PlanFailed) as caught:
        plan_specs([spec], runtime=Runtime(clock=InstantClock()))
    assert "unknown material 'PETG Klar'" in str(caught.value) and "'PETG Clear'" in str(caught.value)


def test_a_wrong_token_is_a_401_naming_the_step(folder: Path, printhub: RunningSandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PRINTHUB_TOKEN", "ph-revoked-4410")
    with pytest.raises(PlanFailed) as caught:
        plan_specs([folder / "cube.yaml"], runtime=Runtime(clock=InstantClock()))
    assert "step 'materials' failed" in str(caught.value) and "401" in str(caught.value)
    assert "ph-revoked-4410" not in str(caught.value)
