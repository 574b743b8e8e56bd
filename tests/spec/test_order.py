"""The validated Order: normalised data, resolved paths, digest, and the library API."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import orderspec
from orderspec.errors import OrderspecError
from orderspec.spec import Order, SpecError, load_spec, validate_paths

from .conftest import CTQ, CUSTOM_FLOW, EXAMPLES, TOPHOTO, USER_PANEL, WriteSpec


def test_data_has_defaults_and_absolute_paths(write_spec: WriteSpec, folder: Path) -> None:
    order = load_spec(write_spec(USER_PANEL))
    item = order.data["items"][0]
    assert item == {
        "file": "models/bracket.stl",
        "path": str(folder / "models" / "bracket.stl"),
        "material": "PLA",
        "unit": "mm",
        "quantity": 1,
        "post_processing": [],
    }
    assert Path(item["path"]).is_absolute()
    assert order.files == (folder / "models" / "bracket.stl",)
    assert (order.name, order.system, order.flow, order.profile) == ("test-order", "3yourmind-user-panel", None, None)
    assert order.path == folder / "spec.yaml"


def test_billing_defaults_to_shipping(write_spec: WriteSpec) -> None:
    order = load_spec(write_spec(CTQ))
    assert order.data["addresses"]["billing"] == order.data["addresses"]["shipping"]


def test_photo_paths(write_spec: WriteSpec, folder: Path) -> None:
    text = TOPHOTO.replace("files: [photos/mug.jpg]", "files: [photos/mug.jpg, photos/print-2.png]")
    order = load_spec(write_spec(text))
    assert order.data["items"][0]["paths"] == [str(folder / "photos" / "mug.jpg"), str(folder / "photos" / "print-2.png")]
    assert order.files == (folder / "photos" / "mug.jpg", folder / "photos" / "print-2.png")


def test_custom_flow_is_resolved(write_spec: WriteSpec, folder: Path) -> None:
    order = load_spec(write_spec(CUSTOM_FLOW))
    assert order.system is None
    assert order.flow == folder / "flows" / "custom.yaml"
    assert order.data["target"]["flow_path"] == str(folder / "flows" / "custom.yaml")
    assert order.data["target"]["options"] == {"anything": "goes"}


def test_data_is_plain_json(write_spec: WriteSpec) -> None:
    order = load_spec(write_spec(CTQ))
    assert json.loads(json.dumps(order.data)) == order.data


def test_digest_ignores_formatting_and_comments(write_spec: WriteSpec) -> None:
    first = load_spec(write_spec(CTQ, name="a.yaml")).digest
    reformatted = "# a comment\n" + CTQ.replace("post_processing: [Dyeing]", "post_processing:\n      - Dyeing")
    assert load_spec(write_spec(reformatted, name="b.yaml")).digest == first
    assert len(first) == 64


def test_digest_follows_values_and_model_bytes(write_spec: WriteSpec, folder: Path) -> None:
    path = write_spec(CTQ)
    first = load_spec(path).digest
    assert load_spec(write_spec(CTQ, replace=("quantity: 2", "quantity: 3"))).digest != first
    path = write_spec(CTQ)
    assert load_spec(path).digest == first
    model = folder / "models" / "bracket.stl"
    model.write_bytes(model.read_bytes()[:-1] + b"\x01")
    assert load_spec(path).digest != first


def test_digest_follows_an_option_named_path(write_spec: WriteSpec) -> None:
    first = load_spec(write_spec(CUSTOM_FLOW, replace=("anything: goes", "path: /v1/orders"))).digest
    assert load_spec(write_spec(CUSTOM_FLOW, replace=("anything: goes", "path: /v2/orders"))).digest != first


def test_explicit_default_does_not_change_the_digest(write_spec: WriteSpec) -> None:
    without = load_spec(write_spec(USER_PANEL)).digest
    assert (
        load_spec(write_spec(USER_PANEL, replace=("material: PLA", "material: PLA\n    quantity: 1\n    unit: mm"))).digest
        == without
    )


def test_load_spec_raises_with_every_problem(write_spec: WriteSpec) -> None:
    path = write_spec(CTQ.replace("unit: mm", "unit: cm").replace("country: DE", "country: XX"))
    with pytest.raises(SpecError) as caught:
        load_spec(path)
    error = caught.value
    assert isinstance(error, OrderspecError) and error.exit_code == 1
    assert [problem.code for problem in error.problems] == ["country.unknown", "schema.enum"]
    assert str(error).splitlines() == [
        f"{path}:16:14: $.addresses.shipping.country: 'XX' is not an ISO 3166-1 alpha-2 country code"
        " (use an ISO 3166-1 alpha-2 code such as 'DE', 'AT', 'GB' or 'US')",
        f"{path}:19:11: $.items[0].unit: 'cm' is not an allowed value (did you mean 'mm'? allowed values: 'mm', 'inch')",
    ]


def test_load_spec_of_bad_yaml(write_spec: WriteSpec) -> None:
    path = write_spec("apiVersion: orderspec/v1\nkind: Order\nkind: Order\n")
    with pytest.raises(SpecError) as caught:
        load_spec(path)
    assert (
        str(caught.value)
        == f"{path}:3:1: $: duplicate key 'kind' (first written on line 2) (YAML keeps only one of them; remove or rename one)"
    )


def test_unchanged_file_is_parsed_once(write_spec: WriteSpec) -> None:
    path = write_spec(CTQ)
    first = load_spec(path)
    second = load_spec(path)
    assert first.document is second.document
    assert first.data == second.data


def test_examples_are_valid_orders() -> None:
    report = validate_paths([EXAMPLES])
    assert report.ok, [str(problem) for problem in report.problems]
    systems = {order.system: order for order in report.orders}
    assert set(systems) == {"ctq", "3yourmind-user-panel", "3yourmind-service-panel", "tophoto"}
    assert [item["quantity"] for item in systems["ctq"].data["items"]] == [2, 1]
    assert systems["ctq"].data["discount_code"] == "WELCOME10"
    assert systems["3yourmind-service-panel"].data["customer"]["search"] == "Maria Ortega"
    assert [item["unit"] for item in systems["3yourmind-user-panel"].data["items"]] == ["mm", "inch"]
    assert [len(item["paths"]) for item in systems["tophoto"].data["items"]] == [1, 2]


def test_public_names_on_the_package() -> None:
    assert orderspec.load_spec is load_spec
    assert orderspec.Order is Order
    assert orderspec.validate_paths is validate_paths


def test_changing_order_data_does_not_leak_into_the_next_load(write_spec: WriteSpec) -> None:
    path = write_spec(CTQ)
    first = load_spec(path)
    first.data["customer"]["name"] = "Someone Else"
    first.data["items"][0]["post_processing"].append("Polishing")
    second = load_spec(path)
    assert second.data["customer"]["name"] == "Jane Doe"
    assert second.data["items"][0]["post_processing"] == ["Dyeing"]
