"""The order-spec schema is composed from the descriptors: each system's rules live beside it."""

from __future__ import annotations

import json
from pathlib import Path

from orderspec.spec import order_schema
from orderspec.targets import names
from orderspec.targets._schema import compose_order_schema

SHIPPED = Path(__file__).resolve().parents[2] / "schemas" / "order-spec.schema.json"


def test_the_shipped_schema_is_the_one_the_descriptors_compose() -> None:
    shipped = json.loads(SHIPPED.read_text(encoding="utf-8"))
    assert shipped == compose_order_schema(shipped), "run: python -m orderspec.targets"


def test_every_system_has_its_rules_and_only_registered_systems_do() -> None:
    rules = order_schema()["allOf"]
    assert rules[0]["if"]["properties"]["target"]["properties"]["system"]["enum"] == list(names())
    assert [rule["if"]["properties"]["target"]["properties"]["system"]["const"] for rule in rules[1:]] == list(names())
    fragments = sorted(path.name for path in (Path(__file__).resolve().parents[2] / "runner" / "targets").glob("*.schema.json"))
    assert fragments == sorted(f"{name}.schema.json" for name in names())
