"""Both CTQ flows against the CTQ sandbox over loopback, each held to the Swagger of its era.

``ctq.yaml`` follows the seed's Swagger (2021-02-19), ``ctq-2021-04-27.yaml`` the later
one; the sandbox speaks either (``options["api"]``). Every request a flow sends is checked
here against the vendor's Swagger file, independently of the sandbox's own checker, and
with every object closed: a key the Swagger does not list is a failure too.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import pytest
import yaml

from orderspec import load_spec
from orderspec.engine import PickError, load_flow, run_flow
from orderspec.sandbox import SandboxConfig

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "specs" / "examples"
FLOWS = ROOT / "runner" / "flows"
REFERENCE = ROOT / "runner" / "sandbox" / "ctq"
SEED_SWAGGER = REFERENCE / "ctq-widget-api.v1.2021-02-19-seed.yaml"
LATER_SWAGGER = REFERENCE / "ctq-widget-api.v1.2021-04-27-main.yaml"
ORGANIZATION = "sandbox-org"


@dataclass(frozen=True)
class Era:
    flow: str
    swagger: Path
    header: str
    base_path: str
    options: dict[str, object] = field(default_factory=dict)


SEED = Era("ctq", SEED_SWAGGER, "x-api-key", "")
LATER = Era("ctq-2021-04-27", LATER_SWAGGER, "organization_id", "/api/v1", {"api": "2021-04-27"})


@dataclass
class Exchange:
    method: str
    url: httpx.URL
    headers: httpx.Headers
    body: bytes
    status: int
    answer: bytes


def _spec(tmp_path: Path, edit: Callable[[dict[str, Any]], None] | None = None) -> Path:
    """A copy of the CTQ example (with its models), edited."""
    folder = tmp_path / "spec"
    shutil.copytree(EXAMPLES / "models", folder / "models", dirs_exist_ok=True)
    data = yaml.safe_load((EXAMPLES / "ctq-bracket.yaml").read_text(encoding="utf-8"))
    if edit is not None:
        edit(data)
    path = folder / "ctq.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _for_later_api(data: dict[str, Any]) -> None:
    """The example without what the 2021-04-27 API cannot take: a discount code."""
    del data["discount_code"]


def run(era: Era, spec: Path, base_url: str, **kwargs: Any) -> tuple[Any, list[Exchange]]:
    """The era's flow for ``spec`` (a context as ``orderspec apply`` builds it), and every exchange it had."""
    order = load_spec(spec)
    exchanges: list[Exchange] = []

    def record(response: httpx.Response) -> None:
        response.read()
        request = response.request
        try:
            sent = request.content
        except httpx.RequestNotRead:  # a streamed upload: its bytes are not kept
            sent = b""
        exchanges.append(Exchange(request.method, request.url, request.headers, sent, response.status_code, response.content))

    context = {
        "order": order.data,
        "target": {"system": "ctq", "base_url": base_url + era.base_path, "options": {"language": "en", "units": "mm"}, "profile": "test"},
        "folder": spec.parent,
    }
    with httpx.Client(headers={era.header: ORGANIZATION}, event_hooks={"response": [record]}, timeout=30) as client:
        result = run_flow(load_flow(FLOWS / f"{era.flow}.yaml"), context, client=client, **kwargs)
    return result, exchanges


# -- the Swagger, read independently of the sandbox ----------------------------------------


class Swagger:
    def __init__(self, path: Path) -> None:
        self.document = yaml.safe_load(path.read_text(encoding="utf-8"))
        self.definitions = _closed(self.document.get("definitions", {}))
        self.header = self.document["securityDefinitions"]["Organization ID"]["name"]
        self.base_path = self.document.get("basePath", "")
        self.routes = [
            (method.upper(), template, re.compile("^" + re.sub(r"\{[^}]+\}", "[^/]+", template) + "$"), spec)
            for template, entry in self.document["paths"].items()
            for method, spec in entry.items()
            if method != "parameters"
        ]

    def problems(self, exchange: Exchange) -> list[str]:
        """What is wrong with one request, as the Swagger sees it."""
        path = exchange.url.path
        if not path.startswith(self.base_path):
            return [f"{path} is not under the base path {self.base_path!r}"]
        path = path[len(self.base_path) :] or "/"
        found = [(template, spec) for method, template, pattern, spec in self.routes if method == exchange.method and pattern.match(path)]
        if not found:
            return [f"{exchange.method} {path} is not an operation of the Swagger"]
        template, spec = found[0]
        parameters = [*(self.document["paths"][template].get("parameters") or []), *(spec.get("parameters") or [])]
        problems = []
        query = {p["name"] for p in parameters if p["in"] == "query"}
        problems += [f"query parameter {name!r} is not documented" for name in exchange.url.params if name not in query]
        if not exchange.headers.get(self.header):
            problems.append(f"no {self.header} header")
        if not exchange.headers.get("language"):
            problems.append("no language header")
        body = next((p for p in parameters if p["in"] == "body"), None)
        if body is None:
            if exchange.body:
                problems.append("a body where the Swagger documents none")
            return problems
        if exchange.headers.get("content-type", "").split(";")[0] != "application/json":
            problems.append("the body is not sent as application/json")
        validator = jsonschema.Draft4Validator({**_closed(body["schema"]), "definitions": self.definitions})
        problems += [f"body {list(error.absolute_path)}: {error.message}" for error in validator.iter_errors(json.loads(exchange.body))]
        return problems


def _closed(schema: Any) -> Any:
    """``schema`` with every object that lists properties refusing any other key."""
    if isinstance(schema, dict):
        closed = {key: _closed(value) for key, value in schema.items()}
        if "properties" in schema and "additionalProperties" not in schema:
            closed["additionalProperties"] = False
        return closed
    if isinstance(schema, list):
        return [_closed(value) for value in schema]
    return schema


def _api_requests(exchanges: list[Exchange]) -> list[Exchange]:
    return [e for e in exchanges if not e.url.path.startswith("/_storage/")]


@pytest.mark.parametrize(
    ("era", "edit"),
    [pytest.param(SEED, None, id="seed flow, seed Swagger"), pytest.param(LATER, _for_later_api, id="2021-04-27 flow, 2021-04-27 Swagger")],
)
def test_every_request_of_the_flow_validates_against_the_swagger_of_its_era(era: Era, edit: Any, tmp_path: Path, sandbox: Any) -> None:
    running = sandbox("ctq", SandboxConfig(options=era.options))
    result, exchanges = run(era, _spec(tmp_path, edit), running.base_url)
    assert result.ok and result.outputs["order_number"] == "10001"
    swagger = Swagger(era.swagger)
    requests = _api_requests(exchanges)
    operations = [(e.method, e.url.path) for e in requests]
    assert len(operations) >= 6
    assert {e.status for e in requests} == {200}
    for exchange in requests:
        assert swagger.problems(exchange) == [], f"{exchange.method} {exchange.url}"
    uploads = [e for e in exchanges if e.url.path.startswith("/_storage/")]
    assert len(uploads) == 2 and all(e.method == "PUT" and e.headers["content-type"] == "application/octet-stream" for e in uploads)
    contract = httpx.get(f"{running.base_url}/_sandbox/contract", timeout=10).json()
    assert contract == {"violations": [], "unexpected_errors": []}


def test_the_seed_flow_uses_the_seed_only_operations(tmp_path: Path, sandbox: Any) -> None:
    running = sandbox("ctq")
    _, exchanges = run(SEED, _spec(tmp_path), running.base_url)
    paths = [f"{e.method} {e.url.path}" for e in _api_requests(exchanges)]
    assert any(p.endswith("/apply-discount/WELCOME10") for p in paths)
    place = next(e for e in exchanges if e.url.path.endswith("/place-order"))
    assert json.loads(place.body)["discount_code"] == "WELCOME10"


def test_a_seed_request_breaks_the_later_swagger(tmp_path: Path, sandbox: Any) -> None:
    """The check is not vacuous: what the seed flow sends is not all the later API knows."""
    running = sandbox("ctq")
    _, exchanges = run(replace(SEED, base_path="/api/v1"), _spec(tmp_path), running.base_url)
    later = Swagger(LATER_SWAGGER)
    problems = [problem for exchange in _api_requests(exchanges) for problem in later.problems(exchange)]
    assert any("apply-discount" in problem and "not an operation" in problem for problem in problems)
    assert any("no organization_id header" in problem for problem in problems)
    assert any("'discount_code'" in problem for problem in problems)


def test_the_later_flow_reads_the_later_info(tmp_path: Path, sandbox: Any) -> None:
    running = sandbox("ctq", SandboxConfig(options={"api": "2021-04-27"}))

    def pickup_and_finishing(data: dict[str, Any]) -> None:
        _for_later_api(data)
        data["shipping"]["method"] = "Pickup in Zagreb"
        data["items"][1]["post_processing"] = ["Sand blasting"]
        data["items"][1]["color"] = "Black"

    result, _ = run(LATER, _spec(tmp_path, pickup_and_finishing), running.base_url)
    assert result.outputs["resolved"]["shipping_option"] == "pickup-zagreb"
    [order] = httpx.get(f"{running.base_url}/_sandbox/orders", timeout=10).json()
    assert [(i["postproduction_name"], i["color_name"]) for i in order["items"]] == [("Dyeing", "White"), ("Sand blasting", "Black")]
    assert order["shipping_option_name"] == "Pickup in Zagreb" and order["shipping_price"] == 0
    assert (order["customer"]["country_id"], order["discount_code"]) == ("DE", None)
    # pickup costs nothing: the quote is the subtotal plus the surcharge, if any
    expected = order["subtotal_inc_vat"] + order["min_order_surcharge"] * 1.19
    assert float(result.outputs["quote_total"]) == pytest.approx(expected, abs=0.01)


@pytest.mark.parametrize(
    ("edit", "step", "message"),
    [
        pytest.param(None, "no discount", "unknown discount code 'WELCOME10': the target offers no discount codes", id="discount code"),
        pytest.param(
            lambda data: (_for_later_api(data), data["items"][0].update(unit="inch")),
            "resolve items[0]/catalogue",
            "unknown unit (this API slices every model in /info default_units) 'inch'; valid names: 'mm'",
            id="model in inches",
        ),
    ],
)
def test_the_later_flow_stops_before_creating_what_that_api_cannot_take(
    edit: Any, step: str, message: str, tmp_path: Path, sandbox: Any
) -> None:
    running = sandbox("ctq", SandboxConfig(options={"api": "2021-04-27"}))
    with pytest.raises(PickError) as caught:
        run(LATER, _spec(tmp_path, edit), running.base_url)
    assert caught.value.step == step and message in caught.value.message
    requests = httpx.get(f"{running.base_url}/_sandbox/requests", timeout=10).json()
    assert set(requests) == {"GET /info"}, "nothing may be created before the flow knows it cannot finish"


def test_the_later_sandbox_answers_in_the_later_shapes(tmp_path: Path, sandbox: Any) -> None:
    running = sandbox("ctq", SandboxConfig(options={"api": "2021-04-27"}))
    headers = {"organization_id": ORGANIZATION, "language": "en"}
    with httpx.Client(base_url=running.base_url + "/api/v1", headers=headers, timeout=10) as api:
        info = api.get("/info").json()
        assert "settings" not in info and "supported_units" not in info
        assert {p["name"] for p in info["processes"]} == {"SLS", "FDM"}
        assert {c["name"] for c in info["processes"][0]["materials"][0]["colors"]} >= {"White", "Black"}
        assert info["default_language"] == {"code": "en", "name": "English", "native_name": "English"}
        assert {o["type"] for o in info["shipping_options"]} == {"delivery", "pickup"}
        assert next(c for c in info["supported_countries"] if c["code"] == "HR")["shipping_zone"] == "HR"
        assert api.post("/orders/x/apply-discount/WELCOME10").status_code == 404
        assert api.get("/info", headers={"organization_id": ""}).json() == {"errors": [{"organization_id": "Parameter is missing"}]}
        created = api.post("/get-signed-urls", json=["a.stl"]).json()
        assert "print_time" not in created["items"][0] and created["items"][0]["created_at"]["_nanoseconds"] == "0"
        order = api.get(f"/orders/{created['order_id']}").json()
        model = order["items"][0]["model"]
        assert httpx.get(model["thumbnail_small"], timeout=10).headers["content-type"] == "image/png"
        assert order["created_at"]["_seconds"].isdigit()
    contract = httpx.get(f"{running.base_url}/_sandbox/contract", timeout=10).json()
    assert contract == {"violations": [], "unexpected_errors": []}


# -- the quote -------------------------------------------------------------------------------


def _small_order(data: dict[str, Any]) -> None:
    """One 10 mm cube, no discount: far below the sandbox's minimum order value of 20.00."""
    data["items"] = [data["items"][1]]
    del data["discount_code"], data["budget"]


@pytest.mark.parametrize("era", [pytest.param(SEED, id="seed"), pytest.param(LATER, id="2021-04-27")])
def test_the_quote_adds_the_minimum_order_surcharge(era: Era, tmp_path: Path, sandbox: Any) -> None:
    running = sandbox("ctq", SandboxConfig(options=era.options))
    result, exchanges = run(era, _spec(tmp_path, _small_order), running.base_url)
    quoted = json.loads(next(e.answer for e in exchanges if e.method == "GET" and "/orders/" in e.url.path))
    assert quoted["min_order_surcharge"] > 10
    [order] = httpx.get(f"{running.base_url}/_sandbox/orders", timeout=10).json()
    assert order["min_order_surcharge"] == quoted["min_order_surcharge"]
    # subtotal incl. VAT, then surcharge and express shipping, both net, with 19 % VAT
    expected = order["subtotal_inc_vat"] + (order["min_order_surcharge"] + order["shipping_price"]) * 1.19
    assert result.vars["quote_total"] == pytest.approx(expected, abs=0.01)
    assert result.vars["quote_total"] > order["subtotal_inc_vat"] + order["shipping_price"] * 1.19 + 10


def test_the_budget_gate_sees_the_surcharged_quote_before_placing(tmp_path: Path, sandbox: Any) -> None:
    running = sandbox("ctq")
    seen: list[float] = []
    run(SEED, _spec(tmp_path, _small_order), running.base_url, gate=lambda pending: seen.append(pending.vars["quote_total"]))
    [order] = httpx.get(f"{running.base_url}/_sandbox/orders", timeout=10).json()
    assert seen == [pytest.approx(order["subtotal_inc_vat"] + (order["min_order_surcharge"] + order["shipping_price"]) * 1.19, abs=0.01)]


# -- the same requests get the same answers --------------------------------------------------

_SIGNATURE = re.compile(r"expires=\d+&signature=[0-9a-f]+")


def _normalised(exchanges: list[Exchange], base_url: str) -> list[tuple[str, str, int, str]]:
    """Each exchange with the sandbox's address and the signed URLs' time-bound query left out."""

    def clean(text: str) -> str:
        return _SIGNATURE.sub("expires=E&signature=S", text.replace(base_url, "http://sandbox"))

    return [(e.method, clean(str(e.url)), e.status, clean(e.answer.decode())) for e in exchanges]


@pytest.mark.parametrize(
    ("era", "edit"), [pytest.param(SEED, None, id="seed"), pytest.param(LATER, _for_later_api, id="2021-04-27")]
)
def test_two_fresh_sandboxes_answer_the_same_requests_identically(era: Era, edit: Any, tmp_path: Path, sandbox: Any) -> None:
    spec = _spec(tmp_path, edit)
    runs = []
    for _ in range(2):
        running = sandbox("ctq", SandboxConfig(options=era.options))
        _, exchanges = run(era, spec, running.base_url)
        runs.append(_normalised(exchanges, running.base_url))
    assert len(runs[0]) >= 8
    assert runs[0] == runs[1]
    ids = re.findall(r'"order_id":"([A-Za-z0-9]+)"', runs[0][1][3])
    assert ids and len(ids[0]) == 20


# -- only what the Swagger shows -----------------------------------------------------------


@pytest.mark.parametrize(
    ("era", "edit"), [pytest.param(SEED, None, id="seed"), pytest.param(LATER, _for_later_api, id="2021-04-27")]
)
def test_the_example_places_its_order_when_the_sandbox_answers_only_documented_fields(era: Era, edit: Any, tmp_path: Path, sandbox: Any) -> None:
    running = sandbox("ctq", SandboxConfig(documented_only=True, options=era.options))
    result, _ = run(era, _spec(tmp_path, edit), running.base_url)
    [order] = httpx.get(f"{running.base_url}/_sandbox/orders", timeout=10).json()
    assert result.outputs["order_number"] == order["order_number"] == "10001" and order["status"] == "pending"
    items = [(i["model"]["filename"], i["quantity"], i["material_name"], i["color_name"], i["postproduction_name"]) for i in order["items"]]
    assert items == [("bracket.stl", 2, "PA12", "White", "Dyeing"), ("cube.stl", 1, "PA12", "White", None)]
    assert (order["shipping_option_name"], order["customer"]["city"]) == ("Express delivery", "Berlin")
    assert order["discount_code"] == ("WELCOME10" if era is SEED else None)
    expected = order["subtotal_inc_vat"] + (order["min_order_surcharge"] + order["shipping_price"]) * 1.19
    assert result.outputs["quote_total"] == pytest.approx(expected, abs=0.01)


@pytest.mark.parametrize("era", [pytest.param(SEED, id="seed"), pytest.param(LATER, id="2021-04-27")])
def test_a_placed_order_without_its_number_is_reported_by_its_order_id(era: Era, tmp_path: Path, sandbox: Any) -> None:
    withheld = {"POST /orders/{order_id}/place-order": ["order_number"]}
    running = sandbox("ctq", SandboxConfig(documented_only=True, options={**era.options, "withhold_fields": withheld}))
    result, exchanges = run(era, _spec(tmp_path, None if era is SEED else _for_later_api), running.base_url)
    assert json.loads(exchanges[-1].answer) == {}
    [order] = httpx.get(f"{running.base_url}/_sandbox/orders", timeout=10).json()
    assert result.ok and order["status"] == "pending"
    assert result.outputs["order_number"] == result.outputs["order_id"] == order["order_id"]


def test_a_field_no_swagger_lists_is_left_out(tmp_path: Path, sandbox: Any) -> None:
    catalogue = tmp_path / "catalogue.yaml"
    text = (REFERENCE / "catalogue.yaml").read_text(encoding="utf-8")
    catalogue.write_text(text + "\nfree_pickup_hint: Ask for pickup at the counter.\n", encoding="utf-8")
    headers = {"x-api-key": ORGANIZATION, "language": "en"}
    invented = httpx.get(f"{sandbox('ctq', SandboxConfig(catalogue=catalogue)).base_url}/info", headers=headers, timeout=10).json()
    documented = httpx.get(f"{sandbox('ctq', SandboxConfig(catalogue=catalogue, documented_only=True)).base_url}/info", headers=headers, timeout=10).json()
    assert invented["free_pickup_hint"] == "Ask for pickup at the counter."
    assert "free_pickup_hint" not in documented
    assert {key: value for key, value in invented.items() if key != "free_pickup_hint"} == documented


@pytest.mark.parametrize(("era", "edit"), [pytest.param(SEED, None, id="seed"), pytest.param(LATER, _for_later_api, id="2021-04-27")])
def test_without_a_shipping_price_there_is_no_quote_and_the_order_is_still_placed(era: Era, edit: Any, tmp_path: Path, sandbox: Any) -> None:
    withheld = {"GET /info": ["shipping_options[].price"]}
    running = sandbox("ctq", SandboxConfig(documented_only=True, options={**era.options, "withhold_fields": withheld}))
    gate: list[Any] = []
    result, _ = run(era, _spec(tmp_path, edit), running.base_url, gate=lambda pending: gate.append(pending.vars.get("quote_total", "unset")))
    assert gate == [None] and result.outputs["quote_total"] is None
    [order] = httpx.get(f"{running.base_url}/_sandbox/orders", timeout=10).json()
    assert result.outputs["order_number"] == order["order_number"]
