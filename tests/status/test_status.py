"""``orderspec status``: the state's orders beside their live status on the target."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import pytest
import yaml
from click.testing import CliRunner

from orderspec.cli import cli
from orderspec.orders import apply_specs
from orderspec.sandbox.testing import SandboxFactory
from orderspec.state import Phase, Record, SqliteStore

EXAMPLES = Path(__file__).resolve().parents[2] / "specs" / "examples"
SCHEMAS = Path(__file__).resolve().parents[2] / "schemas" / "output"


@pytest.fixture
def placed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Path, dict[str, Any]]]:
    """The CTQ and to.photo examples placed in sandboxes, and a state that records them."""
    folder = tmp_path / "specs"
    shutil.copytree(EXAMPLES, folder)
    # the sandboxes' own credentials, in the variables the systems' default auth names
    for name, value in {"CTQ_ORGANIZATION_ID": "sandbox-org", "TOPHOTO_USERNAME": "sandbox", "TOPHOTO_PASSWORD": "sandbox-secret"}.items():
        monkeypatch.setenv(name, value)
    factory = SandboxFactory()
    ctq, tophoto = factory("ctq"), factory("tophoto")
    profiles = {
        "ctq": {"system": "ctq", "base_url": ctq.base_url},
        "tophoto": {"system": "tophoto", "base_url": tophoto.base_url},
    }
    (folder / "orderspec.yaml").write_text(yaml.safe_dump({"profiles": profiles}))
    results = {p.name: p for p in apply_specs([folder / "ctq-bracket.yaml", folder / "tophoto-mug.yaml"])}
    with SqliteStore(folder / ".orderspec" / "state.db") as store:
        for name, result in results.items():
            store.save(
                Record(name, result.profile, result.system, "digest", Phase.PLACED, result.order_number, vars={"order_id": result.outputs["order_id"]}),
                "placed",
                f"order {result.order_number}",
            )
        store.save(Record("not-yet", "ctq", "ctq", "digest", Phase.IN_PROGRESS))
    monkeypatch.chdir(folder)
    monkeypatch.delenv("ORDERSPEC_STATE", raising=False)
    try:
        yield folder, {"ctq": ctq.base_url, "tophoto": tophoto.base_url, "orders": results}
    finally:
        factory.close()


def _status(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["status", *args])
    return result.exit_code, result.output + (str(result.exception) if result.exception else "")


def _meets_its_schema(text: str) -> Any:
    schema = json.loads((SCHEMAS / "status.schema.json").read_text(encoding="utf-8"))
    document = json.loads(text)
    jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker()).validate(document)
    return document


def test_each_order_shows_its_state_and_its_live_status(placed: tuple[Path, dict[str, Any]]) -> None:
    code, output = _status("--format", "json")
    assert code == 0, output
    by_name = {entry["name"]: entry for entry in _meets_its_schema(output)["orders"]}
    assert by_name["ctq-bracket"]["phase"] == "placed" and by_name["ctq-bracket"]["live"] == "pending"
    assert by_name["tophoto-mug"]["live"] == "Enqueued"
    assert by_name["not-yet"]["live"] is None and by_name["not-yet"]["note"] == "not placed"
    code, text = _status("ctq-bracket")
    assert code == 0 and text.split()[:5] == ["ctq-bracket", "ctq", "placed", "10001", "pending"]


def test_to_photo_statuses_that_need_acknowledging_are_acknowledged_with_ack(placed: tuple[Path, dict[str, Any]]) -> None:
    _, where = placed
    order_id = where["orders"]["tophoto-mug"].outputs["order_id"]
    for step in ("Exporting", "Producing", "Produced", "Shipped"):
        httpx.post(f"{where['tophoto']}/_sandbox/orders/{order_id}/advance", json={"status": step}, timeout=10).raise_for_status()
    code, text = _status("tophoto-mug")
    assert code == 0 and "Shipped" in text and "to acknowledge: Produced, Shipped (run with --ack)" in text
    code, text = _status("tophoto-mug", "--ack")
    assert code == 0 and "acknowledged: Produced, Shipped" in text
    code, text = _status("tophoto-mug", "--format", "json")
    assert _meets_its_schema(text)["orders"][0]["to_acknowledge"] == []


def test_an_unreachable_target_is_a_note_not_a_failure(placed: tuple[Path, dict[str, Any]]) -> None:
    folder, _ = placed
    profiles = yaml.safe_load((folder / "orderspec.yaml").read_text())
    profiles["profiles"]["ctq"]["base_url"] = "http://127.0.0.1:9"
    (folder / "orderspec.yaml").write_text(yaml.safe_dump(profiles))
    code, output = _status("ctq-bracket", "--format", "json")
    assert code == 0
    [entry] = _meets_its_schema(output)["orders"]
    assert entry["live"] is None and "could not connect" in entry["note"]


def test_a_name_without_state_is_an_error(placed: tuple[Path, dict[str, Any]]) -> None:
    code, output = _status("nothing-here")
    assert code == 1 and "no state for 'nothing-here'" in output
    assert os.path.exists(".orderspec/state.db")
