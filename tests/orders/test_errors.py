"""Every documented error reaches the user as one message naming the spec and the step."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest

from orderspec.orders import ApplyFailed, Runtime, apply_specs, plan_specs
from orderspec.sandbox import FaultConfig, SandboxConfig
from orderspec.spec import SpecError

from .conftest import placed_orders, profile_for, write_profiles


def _apply_failure(spec: Path) -> str:
    with pytest.raises(ApplyFailed) as caught:
        apply_specs([spec])
    [failure] = caught.value.failures
    message = str(caught.value)
    assert message == failure.message
    assert message.startswith(f"{spec}: ")
    assert "Traceback" not in message  # one message per spec; unknown names are listed one per line
    return message


def _setup(system: str, specs, sandbox, config: SandboxConfig | None = None, edit=None, **profile) -> tuple[Path, str]:
    running = sandbox(system, config)
    spec = specs(system, edit)
    write_profiles(spec.parent, {system: profile_for(system, running.base_url, **profile)})
    return spec, running.base_url


def test_wrong_token_is_a_401_at_the_first_step(specs, sandbox, sandbox_env, monkeypatch) -> None:
    spec, _ = _setup("3yourmind-service-panel", specs, sandbox)
    monkeypatch.setenv("TYM_TOKEN", "not-the-token")
    message = _apply_failure(spec)
    assert "step 'find customer' failed" in message
    assert "401 Unauthorized" in message and "Invalid token." in message
    assert "not-the-token" not in message


def test_wrong_tophoto_password_is_a_401(specs, sandbox, sandbox_env, monkeypatch) -> None:
    spec, _ = _setup("tophoto", specs, sandbox)
    monkeypatch.setenv("TP_PASSWORD", "wrong-password")
    message = _apply_failure(spec)
    assert "step 'create order' failed" in message and "401" in message
    assert "to.photo refused the credentials" in message


def test_wrong_ctq_organization_is_a_422_naming_the_header(specs, sandbox, sandbox_env, monkeypatch) -> None:
    spec, _ = _setup("ctq", specs, sandbox)
    monkeypatch.setenv("CTQ_ORG", "other-org")
    message = _apply_failure(spec)
    assert "step 'info' failed" in message and "422" in message
    assert "Organization with the specified ID not found" in message


def test_ctq_auth_header_variant_comes_from_the_profile(specs, sandbox, sandbox_env) -> None:
    config = SandboxConfig(options={"auth_header": "organization_id"})
    spec, base_url = _setup("ctq", specs, sandbox, config, auth={"header": "organization_id"})
    [placed] = apply_specs([spec])
    assert [o["order_number"] for o in placed_orders(base_url)] == [placed.order_number]


def test_unknown_service_is_a_404(specs, sandbox, sandbox_env) -> None:
    def other_service(data: dict) -> None:
        data["target"]["options"]["service_id"] = 99

    spec, _ = _setup("3yourmind-user-panel", specs, sandbox, edit=other_service)
    message = _apply_failure(spec)
    assert "step 'payment methods' failed" in message and "404 Not Found" in message


def test_conflict_at_checkout_is_a_409_and_the_draft_is_deleted(specs, sandbox, sandbox_env) -> None:
    faults = FaultConfig(error_rate=1.0, error_statuses=(409,), paths=("/v1/orders/*/checkout",))
    spec, base_url = _setup("tophoto", specs, sandbox, SandboxConfig(faults=faults))
    message = _apply_failure(spec)
    assert "step 'checkout' failed" in message and "409 Conflict" in message
    assert "the order is no longer temporary, or its cart changed" in message
    order_id = re.search(r"the draft order (\d+) was deleted", message).group(1)
    gone = httpx.get(f"{base_url}/v1/orders/{order_id}", auth=("sandbox", "sandbox-secret"))
    assert gone.status_code == 410
    assert [o["status"] for o in placed_orders(base_url)] == ["Canceled"]


def test_gone_order_is_a_410(specs, sandbox, sandbox_env) -> None:
    faults = FaultConfig(error_rate=1.0, error_statuses=(410,), paths=("/v1/orders/*/data",))
    spec, _ = _setup("tophoto", specs, sandbox, SandboxConfig(faults=faults))
    message = _apply_failure(spec)
    assert "step 'finalize' failed" in message and "410 Gone" in message


def test_refused_discount_code(specs, sandbox, sandbox_env) -> None:
    def bad_code(data: dict) -> None:
        data["discount_code"] = "SUMMER99"

    spec, base_url = _setup("ctq", specs, sandbox, edit=bad_code)
    message = _apply_failure(spec)
    assert "step 'apply discount' failed" in message and "404" in message
    assert "the discount code was refused" in message
    assert re.search(r"the draft order \w+ was deleted", message)
    assert placed_orders(base_url) == []


def test_unprocessable_order_is_a_422(specs, sandbox, sandbox_env) -> None:
    faults = FaultConfig(error_rate=1.0, error_statuses=(422,), paths=("/v1/orders",))
    spec, _ = _setup("tophoto", specs, sandbox, SandboxConfig(faults=faults))
    message = _apply_failure(spec)
    assert "step 'create order' failed" in message and "422" in message


def test_failed_analysis_stops_at_once(specs, sandbox, sandbox_env) -> None:
    spec, base_url = _setup("3yourmind-service-panel", specs, sandbox, SandboxConfig(analysis_failure="failed"))
    message = _apply_failure(spec)
    assert "lines[0]/wait for analysis" in message
    assert "failed" in message
    assert placed_orders(base_url) == []


def test_unknown_material_fails_before_anything_is_created(specs, sandbox, sandbox_env) -> None:
    def typo(data: dict) -> None:
        data["items"][1]["material"] = "PA 12"
        data["shipping"]["method"] = "Expres delivery"

    spec, base_url = _setup("ctq", specs, sandbox, edit=typo)
    with pytest.raises(ApplyFailed) as caught:
        apply_specs([spec])
    message = str(caught.value)
    # every unknown name of the spec at once, each where the spec writes it
    assert "2 names are not in the CTQ catalogue" in message
    assert "items[1].material 'PA 12': no material for process 'SLS' matches; closest match 'PA12'" in message
    assert "shipping.method 'Expres delivery': no shipping method matches; closest match 'Express delivery'" in message
    assert "draft" not in message  # the create step never ran: there is nothing to delete
    assert placed_orders(base_url) == []


def test_unknown_offer_on_the_service_panel_creates_no_basket(specs, sandbox, sandbox_env) -> None:
    def typo(data: dict) -> None:
        data["items"][0]["material"] = "PA12 Whit"

    spec, base_url = _setup("3yourmind-service-panel", specs, sandbox, edit=typo)
    message = _apply_failure(spec)
    assert "items[0].material 'PA12 Whit': no material matches; closest match 'PA12 White'" in message
    baskets = httpx.get(
        f"{base_url}/api/v2.0/service-panel/services/1/baskets/", headers={"Authorization": "Token sandbox-token"}
    ).json()
    assert baskets["count"] == 0


def test_unknown_shipping_method_in_plan(specs, sandbox, sandbox_env) -> None:
    def typo(data: dict) -> None:
        data["shipping"]["method"] = "Expres Shipping"

    spec, _ = _setup("3yourmind-user-panel", specs, sandbox, edit=typo)
    with pytest.raises(Exception) as caught:
        plan_specs([spec])
    assert "shipping.method 'Expres Shipping': no shipping method matches; closest match 'Express Shipping'" in str(caught.value)


def test_unknown_sku_fails_before_any_request(specs, sandbox_env) -> None:
    def typo(data: dict) -> None:
        data["items"][0]["sku"] = "14631001"

    spec = specs("tophoto", typo)
    write_profiles(spec.parent, {"tophoto": profile_for("tophoto", "http://127.0.0.1:9")})  # nothing listens there
    message = _apply_failure(spec)
    assert "items[0].sku '14631001': no SKU matches; closest match '14631000'" in message


def test_budget_gate_stops_before_placing(specs, sandbox, sandbox_env) -> None:
    def small_budget(data: dict) -> None:
        data["budget"] = {"max_total": 20, "currency": "EUR"}

    spec, base_url = _setup("ctq", specs, sandbox, edit=small_budget)
    message = _apply_failure(spec)
    match = re.search(r"stopped before step 'place order': the quoted total (\d+\.\d\d) EUR exceeds the budget of 20\.00 EUR by (\d+\.\d\d) EUR", message)
    assert match, message
    assert float(match.group(2)) == pytest.approx(float(match.group(1)) - 20, abs=0.01)
    assert "the draft order" in message and "was deleted" in message
    assert placed_orders(base_url) == []


def test_missing_credential_variable_is_named(specs, monkeypatch) -> None:
    spec = specs("ctq")
    write_profiles(spec.parent, {"ctq": profile_for("ctq", "http://127.0.0.1:9")})
    monkeypatch.delenv("CTQ_ORG", raising=False)
    with pytest.raises(ApplyFailed) as caught:
        apply_specs([spec])
    assert "needs the environment variable CTQ_ORG" in str(caught.value)
    assert "--sandbox" in str(caught.value)


def test_unreachable_target_names_the_step(specs, sandbox_env) -> None:
    spec = specs("ctq")
    write_profiles(spec.parent, {"ctq": profile_for("ctq", "http://127.0.0.1:9")})
    message = _apply_failure(spec)
    assert "step 'info'" in message and "could not connect" in message


def test_unknown_profile_lists_the_defined_ones(specs) -> None:
    def named(data: dict) -> None:
        data["target"]["profile"] = "prod"

    spec = specs("ctq", named)
    write_profiles(spec.parent, {"ctq-dev": profile_for("ctq", "http://127.0.0.1:9")})
    # found while loading, before anything is sent, and located where the spec names it
    with pytest.raises(SpecError) as caught:
        apply_specs([spec])
    assert f"{spec}:10:12: $.target.profile: no profile 'prod'" in str(caught.value)
    assert "profiles defined: ctq-dev" in str(caught.value)


def test_unknown_material_on_the_user_panel_deletes_the_draft_basket(specs, sandbox, sandbox_env) -> None:
    def typo(data: dict) -> None:
        data["items"][1]["material"] = "PA12 Blak"

    spec, base_url = _setup("3yourmind-user-panel", specs, sandbox, edit=typo)
    message = _apply_failure(spec)
    assert "step 'lines[1]/material'" in message and "closest match: 'PA12 Black'" in message
    basket = re.search(r"the draft basket (\d+) was deleted", message).group(1)
    gone = httpx.get(f"{base_url}/api/v2.0/user-panel/baskets/{basket}/", headers={"Authorization": "Token sandbox-token"})
    assert gone.status_code == 404


def test_catalogue_reads_are_retried_on_503(specs, sandbox, sandbox_env) -> None:
    faults = FaultConfig(seed=3, error_rate=0.5, error_statuses=(503,), paths=("/info",))
    spec, base_url = _setup("ctq", specs, sandbox, SandboxConfig(faults=faults))
    retried: list[str] = []
    [placed] = apply_specs([spec], runtime=Runtime(events=lambda _, event: retried.append(event.step) if event.kind == "step_retried" else None))
    assert retried and set(retried) <= {"info", "resolve items[0]/catalogue", "resolve items[1]/catalogue"}
    assert [o["order_number"] for o in placed_orders(base_url)] == [placed.order_number]


def test_plan_shows_a_quote_over_budget(specs) -> None:
    from orderspec.orders import SandboxPool
    from orderspec.orders._render import plan_text

    def small_budget(data: dict) -> None:
        data["budget"] = {"max_total": 50, "currency": "EUR"}

    spec = specs("3yourmind-service-panel", small_budget)
    with SandboxPool() as pool:
        [entry] = plan_specs([spec], sandboxes=pool)
    assert float(entry.over_budget) == pytest.approx(float(entry.quote.total) - 50)
    assert f"budget:    50.00 EUR (EXCEEDED by {entry.over_budget:.2f} EUR)" in plan_text([entry])
