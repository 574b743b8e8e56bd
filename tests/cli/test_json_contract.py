"""``--format json`` is a contract: the real output of every command, run against the sandboxes, meets its published schema."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from clirun import orderspec

from orderspec.state import Phase, Record, open_store

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "specs" / "examples"
SCHEMAS = ROOT / "schemas" / "output"


def meets(name: str, text: str) -> Any:
    """The JSON document ``text``, checked against ``schemas/output/<name>.schema.json``."""
    schema = json.loads((SCHEMAS / f"{name}.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    document = json.loads(text)
    jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker()).validate(document)
    return document


def test_every_schema_is_shipped_with_an_id() -> None:
    names = sorted(path.name for path in SCHEMAS.glob("*.schema.json"))
    assert names == [f"{name}.schema.json" for name in ("apply", "catalogue", "plan", "run", "state-list", "state-show", "status", "validate")]
    for path in SCHEMAS.glob("*.schema.json"):
        assert json.loads(path.read_text(encoding="utf-8"))["$id"] == f"https://orderspec.dev/schemas/output/{path.name}"


def _broken(tmp_path: Path) -> Path:
    for folder in ("models", "photos"):
        shutil.copytree(EXAMPLES / folder, tmp_path / folder)
    data = yaml.safe_load((EXAMPLES / "ctq-bracket.yaml").read_text(encoding="utf-8"))
    data["items"][0]["material"] = "Nylon"
    spec = tmp_path / "ctq-bracket.yaml"
    spec.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return spec


def test_validate(tmp_path: Path) -> None:
    good = orderspec("validate", "--format", "json", str(EXAMPLES))
    assert meets("validate", good.stdout)["valid"] is True
    (tmp_path / "bad.yaml").write_text("apiVersion: orderspec/v1\nkind: Order\nmetadata: {name: Bad}\ntarget: {system: ctq}\nitems: []\n", encoding="utf-8")
    bad = orderspec("validate", "--format", "json", str(tmp_path / "bad.yaml"))
    document = meets("validate", bad.stdout)
    assert bad.code == 1 and document["specs"][0]["problems"]


def test_plan(tmp_path: Path) -> None:
    planned = orderspec("plan", "--sandbox", "--format", "json", str(EXAMPLES))
    assert planned.code == 0, planned.stderr
    assert len(meets("plan", planned.stdout)["orders"]) == 4
    failed = orderspec("plan", "--sandbox", "--format", "json", str(_broken(tmp_path)))
    assert failed.code == 1
    assert meets("plan", failed.stdout)["failed"][0]["name"] == "ctq-bracket"


def test_apply() -> None:
    applied = orderspec("apply", "--sandbox", "--yes", "--format", "json", str(EXAMPLES))
    assert applied.code == 0, applied.stderr
    placed = meets("apply", applied.stdout)["placed"]
    assert len(placed) == 4
    # order numbers are text, to.photo's too (its API answers a number)
    assert all(isinstance(entry["order_number"], str) for entry in placed)
    assert {entry["name"]: entry["order_number"] for entry in placed}["tophoto-mug"] == "1230"


def test_apply_with_a_failure(tmp_path: Path) -> None:
    failed = orderspec("apply", "--sandbox", "--yes", "--format", "json", str(_broken(tmp_path)))
    assert failed.code == 1
    document = meets("apply", failed.stdout)
    assert document["placed"] == [] and document["failed"][0]["spec"].endswith("ctq-bracket.yaml")


@pytest.mark.parametrize("ok", [True, False], ids=["passed", "failed"])
def test_run(tmp_path: Path, sandbox: Any, ok: bool) -> None:
    running = sandbox("ctq")
    flow = tmp_path / "info.yaml"
    flow.write_text(
        'apiVersion: orderspec/v1\nkind: Flow\nname: info\nbase_url: "{{ target.base_url }}"\n'
        "steps:\n  - name: info\n    request:\n      method: GET\n      url: /info\n"
        '      headers: {x-api-key: "{{ secrets.organization }}", language: en}\n'
        "    capture: {currency: response.body.currency.code}\noutputs:\n  currency: vars.currency\n",
        encoding="utf-8",
    )
    from orderspec.sandbox.ctq.accounts import organization

    key = organization({}) if ok else "no-such-organization"
    ran = orderspec("run", str(flow), "--base-url", running.base_url, "--secret", "organization=CTQ_ORG", "--format", "json", env={"CTQ_ORG": key})
    document = meets("run", ran.stdout)
    assert document["ok"] is ok and ran.code == (0 if ok else 1)
    assert document["outputs"] == ({"currency": "EUR"} if ok else {})
    assert key not in ran.stdout  # the secret is masked in the report


def test_catalogue(tmp_path: Path) -> None:
    for system in ("ctq", "3yourmind-service-panel", "3yourmind-user-panel", "tophoto"):
        ran = orderspec("catalogue", system, "--sandbox", "--format", "json")
        assert ran.code == 0, ran.stderr
        assert meets("catalogue", ran.stdout)["unresolved"] is None
    spec = orderspec("catalogue", str(_broken(tmp_path)), "--sandbox", "--format", "json")
    assert spec.code == 1
    unresolved = meets("catalogue", spec.stdout)["unresolved"]
    assert [(entry["path"], entry["closest"]) for entry in unresolved] == [("items[0].material", "PA12 Glass Filled")]


def test_state_list_and_show(tmp_path: Path) -> None:
    state = tmp_path / "state.db"
    with open_store(str(state), root=tmp_path) as store:
        record = Record("ctq-bracket", "ctq", system="ctq", digest="0" * 64, spec="specs/ctq-bracket.yaml")
        store.save(record, "planned")
        store.save(record.evolve(phase=Phase.PLACED, order_number="10001", remote_ids={"order_id": "o-1"}), "placed", "order 10001")
    listed = orderspec("state", "list", "--state", str(state), "--format", "json")
    assert listed.code == 0, listed.stderr
    assert [entry["order_number"] for entry in meets("state-list", listed.stdout)] == ["10001"]
    shown = orderspec("state", "show", "ctq-bracket", "--state", str(state), "--format", "json")
    assert shown.code == 0, shown.stderr
    assert [entry["action"] for entry in meets("state-show", shown.stdout)["history"]] == ["planned", "placed"]
