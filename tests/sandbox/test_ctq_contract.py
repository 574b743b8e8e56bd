"""The CTQ sandbox keeps to the seed-era Swagger, and its strict check catches what would not."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import jsonschema
import pytest
import yaml
from _ctq_requests import ADDRESS, HEADERS, OCTET, SLS_PA12

from orderspec.sandbox import FaultConfig, SandboxConfig, SandboxConfigError
from orderspec.sandbox.ctq._catalogue import BUILT_IN
from orderspec.sandbox.testing import cube_stl, running_sandbox

storage = httpx.Client(verify=False)

# the research copy sits beside the checkout (``../shared/reference``) on the machine it was made on
SWAGGER = Path(__file__).resolve().parents[3] / "shared" / "reference" / "ctq-widget-api.v1.2021-02-19-seed.yaml"
SHIPPED = BUILT_IN.parent / "ctq-widget-api.v1.2021-02-19-seed.yaml"


def _swagger() -> dict[str, Any]:
    return yaml.safe_load(SHIPPED.read_text(encoding="utf-8"))


def _check(document: dict[str, Any], method: str, path: str, response: httpx.Response) -> None:
    """Validate an answer with the Swagger, independently of the sandbox's own checker."""
    answers = document["paths"][path][method.lower()]["responses"]
    if str(response.status_code) not in answers:
        assert response.status_code in (422, 500), f"{method} {path}: undocumented {response.status_code}"
        schema: dict[str, Any] = {"$ref": "#/definitions/" + ("invalid_body_error" if response.status_code == 422 else "error")}
    else:
        schema = answers[str(response.status_code)].get("schema") or {}
    validator = jsonschema.Draft4Validator({**schema, "definitions": document["definitions"]})
    validator.validate(response.json())


def test_the_shipped_swagger_is_the_reference_copy() -> None:
    if not SWAGGER.exists():
        pytest.skip("reference copy not present on this machine")
    assert SHIPPED.read_bytes() == SWAGGER.read_bytes()


def test_every_answer_of_a_whole_order_conforms_to_the_swagger(sandbox: Any) -> None:
    document = _swagger()
    running = sandbox("ctq")
    with httpx.Client(base_url=running.base_url, headers=HEADERS) as api:
        calls: list[tuple[str, str, httpx.Response]] = []

        def call(method: str, template: str, url: str, **kwargs: Any) -> httpx.Response:
            response = api.request(method, url, **kwargs)
            calls.append((method, template, response))
            return response

        call("GET", "/info", "/info")
        created = call("POST", "/get-signed-urls", "/get-signed-urls", json=["bracket.stl", "lid.stl"]).json()
        order_id = created["order_id"]
        for item in created["items"]:
            storage.put(item["model"]["signed_url"], content=cube_stl(), headers=OCTET)
        ids = [item["id"] for item in created["items"]]
        order = "/orders/{order_id}"
        call("PATCH", order, f"/orders/{order_id}", json={"items": [{"id": i, **SLS_PA12} for i in ids]})
        call(
            "PATCH",
            order,
            f"/orders/{order_id}",
            json={"items": [{"id": ids[0], "quantity": 2, "postproduction_id": "sls-dyeing"}]},
        )
        call("GET", order, f"/orders/{order_id}")
        call("POST", "/orders/{order_id}/apply-discount/{code}", f"/orders/{order_id}/apply-discount/WELCOME10")
        call("POST", "/orders/{order_id}/apply-discount/{code}", f"/orders/{order_id}/apply-discount/NOPE")
        call("POST", "/orders/{order_id}/place-order", f"/orders/{order_id}/place-order", json={"full_name": "x"})
        call("POST", "/orders/{order_id}/place-order", f"/orders/{order_id}/place-order", json=ADDRESS)
        call("POST", "/orders/{order_id}/place-order", f"/orders/{order_id}/place-order", json=ADDRESS)
        call("GET", order, f"/orders/{order_id}")
        call("GET", order, "/orders/missing")
        call("PATCH", order, "/orders/missing", json={"items": []})
        call("DELETE", order, "/orders/missing")
        call("GET", "/info", "/info", headers={"language": ""})
        other = call("POST", "/get-signed-urls", "/get-signed-urls", json=["a.stl"]).json()["order_id"]
        call("DELETE", order, f"/orders/{other}")
        assert {response.status_code for _, _, response in calls} == {200, 404, 422}
        for method, template, response in calls:
            _check(document, method, template, response)


def test_a_request_breaking_the_swagger_gets_the_documented_422(sandbox: Any) -> None:
    running = sandbox("ctq")
    with httpx.Client(base_url=running.base_url, headers=HEADERS) as api:
        order_id = api.post("/get-signed-urls", json=["a.stl"]).json()["order_id"]
        refused = api.patch(f"/orders/{order_id}", json={"items": [{"id": 5, "color_id": ["white"]}]})
        assert refused.status_code == 422
        assert refused.json() == {"errors": [{"items[0].color_id": "Invalid value"}, {"items[0].id": "Invalid value"}]}
        refused = api.get("/info", params={"debug": "1"})
        assert refused.status_code == 422 and refused.json() == {"errors": [{"debug": "Invalid value"}]}


def _broken_catalogue(tmp_path: Path, change: str) -> Path:
    text = BUILT_IN.read_text(encoding="utf-8")
    path = tmp_path / "catalogue.yaml"
    if change == "no description":
        text = text.replace("    description: Selective laser sintering", "    comment: Selective laser sintering", 1)
    elif change == "negative price":
        text = text.replace("setup_price: 4.5", "setup_price: -40", 1)
    path.write_text(text, encoding="utf-8")
    return path


def test_an_answer_breaking_the_swagger_fails_loudly(sandbox: Any, tmp_path: Path) -> None:
    running = sandbox("ctq", SandboxConfig(catalogue=_broken_catalogue(tmp_path, "no description")))
    with httpx.Client(base_url=running.base_url, headers=HEADERS) as api:
        answer = api.get("/info")
        assert answer.status_code == 500
        assert "breaks the CTQ Swagger" in answer.json()["error"] and "description" in answer.json()["error"]
        (violation,) = api.get("/_sandbox/contract").json()["violations"]
        assert violation["operation"] == "GET /info" and violation["status"] == 200


def test_a_computed_answer_breaking_the_swagger_fails_loudly(sandbox: Any, tmp_path: Path) -> None:
    running = sandbox("ctq", SandboxConfig(catalogue=_broken_catalogue(tmp_path, "negative price")))
    with httpx.Client(base_url=running.base_url, headers=HEADERS) as api:
        created = api.post("/get-signed-urls", json=["a.stl"]).json()
        storage.put(created["items"][0]["model"]["signed_url"], content=cube_stl(), headers=OCTET)
        answer = api.patch(f"/orders/{created['order_id']}", json={"items": [{"id": created["items"][0]["id"], **SLS_PA12}]})
        assert answer.status_code == 500 and "price_exc_vat" in answer.json()["error"]


def test_without_strict_mode_answers_are_sent_unchecked(sandbox: Any, tmp_path: Path) -> None:
    running = sandbox("ctq", SandboxConfig(catalogue=_broken_catalogue(tmp_path, "no description"), strict=False))
    with httpx.Client(base_url=running.base_url, headers=HEADERS) as api:
        answer = api.get("/info")
        assert answer.status_code == 200 and "description" not in answer.json()["settings"][0]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("settings: [{id: sls}]\n", "incomplete or malformed"),
        ("vat: [\n", "cannot be read"),
        ("- just a list\n", "not a mapping"),
    ],
)
def test_a_broken_catalogue_is_refused_when_the_sandbox_starts(tmp_path: Path, text: str, expected: str) -> None:
    path = tmp_path / "catalogue.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SandboxConfigError, match=expected), running_sandbox("ctq", SandboxConfig(catalogue=path)):
        pass


def test_injected_server_errors_have_the_swagger_error_shape_on_every_operation(sandbox: Any) -> None:
    document = _swagger()
    running = sandbox("ctq", SandboxConfig(faults=FaultConfig(error_rate=1.0, error_statuses=(500,))))
    with httpx.Client(base_url=running.base_url, headers=HEADERS) as api:
        for method, template, url in [
            ("POST", "/get-signed-urls", "/get-signed-urls"),
            ("GET", "/info", "/info"),
            ("GET", "/orders/{order_id}", "/orders/x"),
            ("PATCH", "/orders/{order_id}", "/orders/x"),
            ("DELETE", "/orders/{order_id}", "/orders/x"),
            ("POST", "/orders/{order_id}/apply-discount/{code}", "/orders/x/apply-discount/WELCOME10"),
            ("POST", "/orders/{order_id}/place-order", "/orders/x/place-order"),
        ]:
            response = api.request(method, url, json={"items": []})
            assert response.status_code == 500
            _check(document, method, template, response)
