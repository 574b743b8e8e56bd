"""The shipped schema itself: valid 2020-12, documented, strict; the examples point editors at it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import jsonschema_rs
import pytest

from orderspec._resources import schema_path
from orderspec.spec import order_schema

from .conftest import EXAMPLES

SCHEMA = json.loads(schema_path("order-spec.schema.json").read_text(encoding="utf-8"))


def _declared_properties(schema: Any, where: str = "#") -> Iterator[tuple[str, dict[str, Any], dict[str, Any]]]:
    """(path, property schema, owner) for every property declared outside the per-system conditionals."""
    if not isinstance(schema, dict):
        return
    for name, child in schema.get("properties", {}).items():
        yield f"{where}/properties/{name}", child, schema
        yield from _declared_properties(child, f"{where}/properties/{name}")
    for key in ("items", "additionalProperties"):
        if isinstance(schema.get(key), dict):
            yield from _declared_properties(schema[key], f"{where}/{key}")
    for name, child in schema.get("$defs", {}).items():
        yield from _declared_properties(child, f"#/$defs/{name}")


def test_schema_is_valid_2020_12_with_an_id() -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert SCHEMA["$id"].endswith("/order-spec.schema.json")
    assert order_schema() == SCHEMA


def test_every_property_has_a_title_and_description() -> None:
    missing = []
    for where, child, _owner in _declared_properties(SCHEMA):
        target = SCHEMA["$defs"][child["$ref"].rsplit("/", 1)[1]] if "$ref" in child and "title" not in child else child
        if not target.get("title") or not target.get("description"):
            missing.append(where)
    assert missing == []


def test_every_object_refuses_unknown_keys() -> None:
    open_objects = []
    for where, owner in _objects(SCHEMA):
        if owner.get("additionalProperties") is not False and not where.endswith(("/options", "/labels")):
            open_objects.append(where)
    assert open_objects == []


def _objects(schema: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    yield "#", schema
    for name, child in schema["$defs"].items():
        if child.get("type") == "object" and "properties" in child:
            yield f"#/$defs/{name}", child
    for where, child, _owner in _declared_properties(schema):
        if child.get("type") == "object":
            yield where, child


def test_systems_and_conditionals() -> None:
    assert SCHEMA["$defs"]["target"]["properties"]["system"]["enum"] == [
        "ctq",
        "3yourmind-service-panel",
        "3yourmind-user-panel",
        "tophoto",
    ]
    conditioned = [rule["if"]["properties"]["target"]["properties"]["system"].get("const") for rule in SCHEMA["allOf"]]
    assert conditioned == [None, "ctq", "3yourmind-service-panel", "3yourmind-user-panel", "tophoto"]


@pytest.mark.parametrize("spec", sorted(EXAMPLES.glob("*.yaml")), ids=lambda path: path.name)
def test_examples_point_editors_at_the_schema(spec: Path) -> None:
    first = spec.read_text(encoding="utf-8").splitlines()[0]
    assert first == "# yaml-language-server: $schema=../../schemas/order-spec.schema.json"
    assert (spec.parent / first.split("=", 1)[1]).resolve() == schema_path("order-spec.schema.json").resolve()


@pytest.mark.parametrize("spec", sorted(EXAMPLES.glob("*.yaml")), ids=lambda path: path.name)
def test_both_validators_accept_the_examples(spec: Path) -> None:
    import yaml

    data = yaml.safe_load(spec.read_text(encoding="utf-8"))
    assert jsonschema_rs.validator_for(SCHEMA).is_valid(data)
    assert list(jsonschema.Draft202012Validator(SCHEMA).iter_errors(data)) == []


def test_reference_documents_every_key() -> None:
    reference = (Path(__file__).resolve().parents[2] / "docs" / "spec-format.md").read_text(encoding="utf-8")
    names = {where.rsplit("/", 1)[1] for where, _child, _owner in _declared_properties(SCHEMA)}
    forms = ("`{}`", ".{}`", "`{}.")
    undocumented = sorted(name for name in names if not any(form.format(name) in reference for form in forms))
    assert undocumented == []
