"""``orderspec catalogue`` and the report of every unresolved name, against the sandboxes over loopback."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from clirun import orderspec

from orderspec.catalogue import (
    CatalogueFlowError,
    Source,
    UnresolvedNames,
    explain_unknown_names,
    load_catalogue_flow,
    read_catalogue,
    source_for_system,
    unresolved_names,
)
from orderspec.engine import PickError, flow_from_document, run_flow
from orderspec.errors import OrderspecError
from orderspec.orders import Runtime, SandboxPool, load_orders, plan, prepare
from orderspec.profiles import default_profile
from orderspec.sandbox import SandboxConfig
from orderspec.sandbox.threeyourmind.accounts import DEFAULT_READONLY_TOKEN

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "specs" / "examples"


def spec_copy(tmp_path: Path, example: str, change: Any = None) -> Path:
    """An example spec (with its models and photos) in ``tmp_path``, changed by ``change(data)``."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    for folder in ("models", "photos"):
        if not (tmp_path / folder).exists():
            shutil.copytree(EXAMPLES / folder, tmp_path / folder)
    data = yaml.safe_load((EXAMPLES / example).read_text(encoding="utf-8"))
    if change is not None:
        change(data)
    path = tmp_path / example
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


# -- the command ------------------------------------------------------------------------


def test_ctq_catalogue_lists_every_kind_as_a_spec_writes_it() -> None:
    ran = orderspec("catalogue", "ctq", "--sandbox")
    assert ran.code == 0, ran.stderr
    text = ran.stdout
    assert text.startswith("CTQ catalogue at http://127.0.0.1:")
    for header in ("processes  (items[].process)", "materials  (items[].material)", "qualities  (items[].quality)",
                   "post_processing  (items[].post_processing[])", "shipping_methods  (shipping.method)", "countries  (addresses.*.country)"):  # fmt: skip
        assert header in text
    assert "  PA12 Glass Filled  process SLS  " in text
    assert "  Express delivery   1-2 Business Days, 19.9 EUR excl. VAT" in text


def test_service_panel_catalogue_tells_customers_and_addresses_apart() -> None:
    ran = orderspec("catalogue", "3yourmind-service-panel", "--sandbox")
    assert ran.code == 0, ran.stderr
    assert "maria.ortega@example.com  Maria Ortega" in ran.stdout
    # an address by street, city and country, and whose it is
    assert "Torstraße 125          customer maria.ortega@example.com  10119 Berlin, DE, Ortega Design" in ran.stdout
    assert "Dyeing         material PA12 White" in ran.stdout


def test_tophoto_catalogue_is_the_profiles_sku_list_written_as_yaml_strings() -> None:
    ran = orderspec("catalogue", "tophoto", "--sandbox", "--format", "json")
    assert ran.code == 0, ran.stderr
    document = json.loads(ran.stdout)
    skus = next(kind for kind in document["kinds"] if kind["kind"] == "skus")
    assert skus["field"] == "items[].sku"
    assert {"name": "14631000", "id": None, "detail": "Tasse (11900 tenths of a minor unit)", "within": {}, "fields": {}} in skus["entries"]
    text = orderspec("catalogue", "tophoto", "--sandbox").stdout
    assert "  '14631000'  Tasse" in text  # a SKU must be quoted in YAML to stay text


def test_user_panel_catalogue_json() -> None:
    ran = orderspec("catalogue", "3yourmind-user-panel", "--sandbox", "--format", "json")
    assert ran.code == 0, ran.stderr
    document = json.loads(ran.stdout)
    assert document["system"] == "3yourmind-user-panel" and document["sandbox"] is True and document["spec"] is None
    kinds = {kind["kind"]: [entry["name"] for entry in kind["entries"]] for kind in document["kinds"]}
    assert kinds["materials"] == ["PA12 White", "PA12 Black", "PLA", "Standard Resin"]
    assert kinds["payment_methods"] == ["Invoice", "Credit Card"]
    assert kinds["addresses"] == ["Rosenthaler Straße 40", "Schanzenstraße 12"]
    assert any("per basket line" in note for note in document["notes"])


def test_a_spec_with_unknown_names_lists_each_with_its_closest_match(tmp_path: Path) -> None:
    def wrong(data: dict[str, Any]) -> None:
        data["items"][0]["material"] = "Nylon"
        data["items"][1]["quality"] = "Fien"
        data["shipping"]["method"] = "Express"

    spec = spec_copy(tmp_path, "ctq-bracket.yaml", wrong)
    ran = orderspec("catalogue", str(spec), "--sandbox")
    assert ran.code == 1
    lines = ran.stdout.split("3 names of the spec are not in this catalogue:\n", 1)[1].splitlines()
    assert len(lines) == 3
    assert lines[0].endswith(
        "items[0].material 'Nylon': no material for process 'SLS' matches; closest match 'PA12 Glass Filled'; choose one of 'PA12', 'PA12 Glass Filled'"
    )
    assert "items[1].quality 'Fien': no quality for process 'SLS' matches; closest match 'Fine'" in lines[1]
    assert "shipping.method 'Express': no shipping method matches; closest match 'Express delivery'" in lines[2]
    assert lines[0].startswith(f"  {spec}:28:13: ")  # file, line and column of the name


def test_a_spec_whose_names_all_resolve(tmp_path: Path) -> None:
    spec = spec_copy(tmp_path, "3yourmind-service-panel.yaml")
    ran = orderspec("catalogue", str(spec), "--sandbox", "--format", "json")
    assert ran.code == 0, ran.stderr
    document = json.loads(ran.stdout)
    assert document["unresolved"] == [] and document["spec"] == str(spec)


def test_neither_a_system_nor_a_file_is_a_usage_error(tmp_path: Path) -> None:
    ran = orderspec("catalogue", str(tmp_path / "missing.yaml"))
    assert ran.code == 2
    assert "is neither a built-in system nor a spec file" in ran.stderr and "ctq, 3yourmind-service-panel" in ran.stderr


# -- read-only, paginated ---------------------------------------------------------------


def test_the_catalogue_sends_reads_only_and_follows_every_page(tmp_path: Path, sandbox: Any) -> None:
    """150 customers over two pages of 100, read with the read-only token a write would be refused with."""
    built_in = yaml.safe_load((ROOT / "runner" / "sandbox" / "threeyourmind" / "catalogue.yaml").read_text(encoding="utf-8"))
    built_in["users"] += [
        {"id": 1000 + n, "firstName": "Test", "lastName": f"User {n}", "email": f"user{n}@example.com",
         "addresses": [{"id": 5000 + n, "firstName": "Test", "lastName": f"User {n}", "line1": f"Street {n}", "zipCode": "10115", "city": "Berlin", "country": "DE"}]}
        for n in range(147)
    ]  # fmt: skip
    catalogue_file = tmp_path / "catalogue.yaml"
    catalogue_file.write_text(yaml.safe_dump(built_in, allow_unicode=True), encoding="utf-8")
    running = sandbox("3yourmind", SandboxConfig(catalogue=catalogue_file))
    profile = default_profile("3yourmind-service-panel").with_sandbox(running.base_url)
    source = Source("3yourmind-service-panel", profile, {"secret": DEFAULT_READONLY_TOKEN}, dict(profile.options))
    found = read_catalogue(source)
    customers = found.section("customers")
    assert customers is not None and len(customers.entries) == 150
    addresses = found.section("addresses")
    assert addresses is not None and addresses.entries[-1].within == {"customer": "user146@example.com"}
    requests = httpx.get(f"{running.base_url}/_sandbox/requests").json()
    assert requests and all(key.startswith("GET ") for key in requests)
    assert requests["GET /api/v2.0/service-panel/services/{service_id}/internal-ordering/users/"] == 2
    assert requests["GET /api/v2.0/service-panel/services/{service_id}/internal-ordering/users/{user_id}/addresses/"] == 150


def test_a_catalogue_flow_that_writes_is_refused(tmp_path: Path) -> None:
    flow = tmp_path / "catalogue.yaml"
    flow.write_text(
        "apiVersion: orderspec/v1\nkind: Flow\nname: sneaky\nbase_url: http://127.0.0.1:9\n"
        "steps:\n  - name: list\n    request: {method: GET, url: /materials}\n"
        "  - name: basket\n    request: {method: POST, url: /baskets}\n"
        "outputs:\n  materials: '[]'\n",
        encoding="utf-8",
    )
    with pytest.raises(CatalogueFlowError) as caught:
        load_catalogue_flow(flow)
    assert "step 'basket' has effect create; a catalogue flow sends read requests only" in caught.value.message
    assert caught.value.location is not None and caught.value.location.line == 8


def test_every_built_in_catalogue_flow_only_reads() -> None:
    from orderspec.targets import systems

    for system in systems().values():
        for name in system.catalogue.values():
            load_catalogue_flow(ROOT / "runner" / "flows" / f"{name}.yaml")


# -- plan: every unresolved name at once ----------------------------------------------


def _plan_explained(spec: Path) -> Any:
    runtime = Runtime()
    with SandboxPool() as pool:
        ((label, order),) = load_orders([spec])
        prepared = prepare(order, label=label, sandboxes=pool)
        with explain_unknown_names(prepared, runtime):
            return plan(prepared, runtime)


def test_plan_reports_every_unknown_name_of_a_spec_at_once(tmp_path: Path) -> None:
    def wrong(data: dict[str, Any]) -> None:
        data["customer"]["email"] = "maria@example.com"
        data["addresses"]["shipping"] = {"city": "Munich", "country": "DE"}
        data["items"][0]["post_processing"] = ["Dyeing", "Painting"]
        data["payment"]["method"] = "Cash"

    spec = spec_copy(tmp_path, "3yourmind-service-panel.yaml", wrong)
    with pytest.raises(UnresolvedNames) as caught:
        _plan_explained(spec)
    error = caught.value
    assert [entry.where for entry in error.unresolved] == ["customer.email", "addresses.shipping", "items[0].post_processing[1]", "payment.method"]
    text = str(error)
    assert "4 names are not in the 3YOURMIND Service Panel catalogue (profile 3yourmind-service-panel)" in text
    # the customer: "no customer matches", with what tells the candidates apart
    assert "customer.email 'maria@example.com': no customer matches; closest match 'maria.ortega@example.com'; " in text
    assert "'maria.ortega@example.com' (Maria Ortega)" in text
    # the customer is unknown, so every stored address is a candidate, each by street, city and country
    assert "addresses.shipping 'Munich, DE': no address matches" in text
    assert "'Torstraße 125' (10119 Berlin, DE, Ortega Design)" in text and "'12 Hills Road' (CB2 1PH Cambridge, GB, Khan Robotics Ltd)" in text
    assert "items[0].post_processing[1] 'Painting': no post-processing for material 'PA12 White' matches; closest match 'Polishing'" in text
    assert error.hint is not None and "orderspec catalogue" in error.hint
    assert error.unresolved[0].location is not None and error.unresolved[0].location.line > 1


def test_plan_of_a_good_spec_is_left_alone(tmp_path: Path) -> None:
    planned = _plan_explained(spec_copy(tmp_path, "ctq-bracket.yaml"))
    assert planned.name == "ctq-bracket"


def test_a_stop_at_a_name_no_catalogue_lists_keeps_its_own_error(tmp_path: Path) -> None:
    spec = spec_copy(tmp_path, "ctq-bracket.yaml")
    (tmp_path / "orderspec.yaml").write_text('profiles:\n  ctq:\n    system: ctq\n    options: {api: "2021-04-27"}\n', encoding="utf-8")
    with pytest.raises(OrderspecError) as caught:
        _plan_explained(spec)
    # that API has no discount codes: the flow's own message stands, as no catalogue name is wrong
    assert not isinstance(caught.value, UnresolvedNames)
    assert "unknown discount code 'WELCOME10': the target offers no discount codes" in str(caught.value)


def test_a_stop_that_is_no_unknown_name_is_left_alone(tmp_path: Path) -> None:
    spec = spec_copy(tmp_path, "ctq-bracket.yaml")
    (tmp_path / "orderspec.yaml").write_text("profiles:\n  ctq:\n    system: ctq\n    base_url: http://127.0.0.1:9\n    auth: {kind: none}\n", encoding="utf-8")
    runtime = Runtime()
    ((label, order),) = load_orders([spec])
    prepared = prepare(order, label=label)
    with pytest.raises(OrderspecError) as caught, explain_unknown_names(prepared, runtime):
        plan(prepared, runtime)
    assert not isinstance(caught.value, UnresolvedNames)
    assert "127.0.0.1:9" in str(caught.value)


def test_unresolved_names_of_an_order_against_a_catalogue(tmp_path: Path) -> None:
    def wrong_sku(data: dict[str, Any]) -> None:
        data["items"][0]["sku"] = "99999999"

    ((_, photo),) = load_orders([spec_copy(tmp_path / "photo", "tophoto-mug.yaml", wrong_sku)])

    def other_case(data: dict[str, Any]) -> None:
        data["items"][0]["material"] = "pa12"  # one match ignoring case: pick accepts it, and so does the check

    ((_, model),) = load_orders([spec_copy(tmp_path / "model", "ctq-bracket.yaml", other_case)])
    with SandboxPool() as pool:
        tophoto = read_catalogue(source_for_system("tophoto", sandboxes=pool))
        ctq = read_catalogue(source_for_system("ctq", sandboxes=pool))
    missing = unresolved_names(photo, tophoto)
    assert [(entry.where, entry.name, entry.kind.key) for entry in missing] == [("items[0].sku", "99999999", "skus")]
    assert unresolved_names(model, ctq) == []


def _pick(expression: str) -> str:
    from orderspec._yaml import parse_yaml

    text = f"apiVersion: orderspec/v1\nkind: Flow\nname: pick\nsteps:\n  - name: choose\n    set:\n      chosen: '{expression}'\n"
    flow = flow_from_document(parse_yaml(text, "pick.yaml"), folder=Path.cwd())
    with pytest.raises(PickError) as caught:
        run_flow(flow, {})
    return caught.value.message


def test_pick_after_a_search_says_nothing_matched() -> None:
    searched = _pick('[] | pick("x@example.com", by="email", what="customer", searched=true)')
    assert searched.endswith("no customer matches 'x@example.com'")
    listed = _pick('[] | pick("WELCOME10", what="discount code")')
    assert listed.endswith("unknown discount code 'WELCOME10': the target offers no discount codes")


def test_sandbox_says_which_profile_options_it_replaces(tmp_path: Path) -> None:
    spec = spec_copy(tmp_path, "tophoto-mug.yaml")
    profiles = {"tophoto": {"system": "tophoto", "options": {"skus": [{"sku": "99000000", "title": "Live mug", "processor": "p", "price": 1}], "portal": 1000}}}
    (tmp_path / "orderspec.yaml").write_text(yaml.safe_dump({"profiles": profiles}), encoding="utf-8")
    ran = orderspec("catalogue", str(spec), "--sandbox")
    assert ran.code == 0, ran.stderr  # the sandbox's SKU list, not the profile's production one
    note = [line for line in ran.stderr.splitlines() if line.startswith("note: ")]
    assert note == [
        f"note: --sandbox: profile 'tophoto' ({tmp_path / 'orderspec.yaml'}:2:3): option skus is replaced by the sandbox's own, "
        "as are its base URL and credential; every other setting is kept"
    ]
    planned = orderspec("plan", "--sandbox", str(spec))
    assert planned.code == 0 and "option skus is replaced" in planned.stderr
    quiet = orderspec("plan", "-q", "--sandbox", str(spec))
    assert quiet.code == 0 and quiet.stderr == ""
    # a profile that agrees with the sandbox hears nothing
    assert "note:" not in orderspec("plan", "--sandbox", str(EXAMPLES / "tophoto-mug.yaml")).stderr
