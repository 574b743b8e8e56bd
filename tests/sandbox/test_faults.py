"""Fault injection in front of a sandbox: what a client sees, and that a seed repeats it."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from _ctq_requests import ADDRESS, HEADERS, OCTET, SLS_PA12
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route

from orderspec.errors import OrderspecError
from orderspec.sandbox import FaultConfig, FaultMiddleware, SandboxConfig, create_app, load_config
from orderspec.sandbox._server import serve_in_thread
from orderspec.sandbox.testing import cube_stl


def _ctq(sandbox: Any, **faults: Any) -> httpx.Client:
    running = sandbox("ctq", SandboxConfig(faults=FaultConfig(**faults)))
    return httpx.Client(base_url=running.base_url, headers=HEADERS, verify=False)


def _outcomes(client: httpx.Client, count: int) -> list[str]:
    seen = []
    for _ in range(count):
        try:
            seen.append(str(client.get("/info").status_code))
        except httpx.TransportError as exc:
            seen.append(type(exc).__name__)
    return seen


def test_error_answers_use_the_configured_statuses_and_spare_inspection(sandbox: Any) -> None:
    with _ctq(sandbox, error_rate=1.0, error_statuses=(503,)) as client:
        answer = client.get("/info")
        assert answer.status_code == 503 and answer.json() == {"error": "Service Unavailable"}
        assert client.post("/get-signed-urls", json=["a.stl"]).status_code == 503
        assert client.get("/_sandbox/orders").status_code == 200
        assert client.get("/_sandbox/requests").json() == {}, "an error answer never reaches the vendor app"


def test_a_dropped_connection_does_nothing(sandbox: Any) -> None:
    with _ctq(sandbox, drop_rate=1.0, paths=("/get-signed-urls",)) as client:
        with pytest.raises(httpx.RemoteProtocolError, match="Server disconnected without sending a response"):
            client.post("/get-signed-urls", json=["a.stl"])
        assert client.get("/info").status_code == 200, "other paths are not affected"
        assert client.get("/_sandbox/requests").json() == {"GET /info": 1}


def test_a_lost_response_places_the_order_without_telling_the_client(sandbox: Any) -> None:
    with _ctq(sandbox, lost_response_rate=1.0, paths=("/orders/*/place-order",)) as client:
        created = client.post("/get-signed-urls", json=["a.stl"]).json()
        client.put(created["items"][0]["model"]["signed_url"], content=cube_stl(), headers=OCTET)
        order = f"/orders/{created['order_id']}"
        assert client.patch(order, json={"items": [{"id": created["items"][0]["id"], **SLS_PA12}]}).status_code == 200
        with pytest.raises(httpx.RemoteProtocolError):
            client.post(f"{order}/place-order", json=ADDRESS)
        (placed,) = client.get("/_sandbox/orders").json()
        assert placed["order_id"] == created["order_id"] and placed["status"] == "pending"
        assert client.get(order).json()["status"] == "pending", "what a careful client checks before retrying"


def test_a_pattern_with_a_method_matches_that_method_and_the_whole_path(sandbox: Any) -> None:
    with _ctq(sandbox, error_rate=1.0, error_statuses=(503,), paths=("POST /orders/*/place-order", "GET /info")) as client:
        assert client.get("/info").status_code == 503
        assert client.get("/info/more").status_code != 503, "the whole path, not a prefix"
        assert client.post("/orders/x/place-order", json=ADDRESS).status_code == 503
        assert client.get("/orders/x/place-order").status_code != 503, "another method"
        assert client.post("/get-signed-urls", json=["a.stl"]).status_code == 200


def test_lost_responses_can_be_kept_to_creating_requests_while_errors_hit_all(sandbox: Any) -> None:
    faults = {"seed": 5, "error_rate": 0.3, "lost_response_rate": 0.4, "error_statuses": (503,)}
    with _ctq(sandbox, lost_response_paths=("POST /get-signed-urls",), **faults) as client:
        seen = _outcomes(client, 40)
        assert set(seen) == {"200", "503"}, "no lost answer on GET /info"
        creates = []
        for _ in range(20):
            try:
                creates.append(str(client.post("/get-signed-urls", json=["a.stl"]).status_code))
            except httpx.RemoteProtocolError:
                creates.append("lost")
        assert {"200", "503", "lost"} == set(creates)
        counts = client.get("/_sandbox/faults").json()
        assert counts["lost_response"] == creates.count("lost") and counts["error"] == seen.count("503") + creates.count("503")
        carried_out = client.get("/_sandbox/requests").json()["POST /get-signed-urls"]
        assert carried_out == creates.count("200") + creates.count("lost"), "a lost answer's request was carried out"


def test_the_same_seed_gives_the_same_faults(sandbox: Any) -> None:
    faults = {"error_rate": 0.3, "drop_rate": 0.2, "error_statuses": (500, 503)}
    with _ctq(sandbox, seed=7, **faults) as first, _ctq(sandbox, seed=7, **faults) as second:
        one, two = _outcomes(first, 40), _outcomes(second, 40)
    assert one == two
    assert {"200", "500", "503", "RemoteProtocolError"} <= set(one)
    with _ctq(sandbox, seed=8, **faults) as other:
        assert _outcomes(other, 40) != one


def test_fault_counts_are_inspectable_and_reset_repeats_the_sequence(sandbox: Any) -> None:
    with _ctq(sandbox, seed=3, error_rate=0.5, error_statuses=(500,)) as client:
        first = _outcomes(client, 20)
        counts = client.get("/_sandbox/faults").json()
        assert counts == {"latency": 0, "error": first.count("500"), "drop": 0, "lost_response": 0}
        assert client.post("/_sandbox/reset").status_code == 204
        assert client.get("/_sandbox/faults").json()["error"] == 0
        assert _outcomes(client, 20) == first


def test_latency_delays_every_affected_answer(sandbox: Any) -> None:
    with _ctq(sandbox, latency_ms=150, paths=("/info",)) as client:
        started = time.monotonic()
        assert client.get("/info").status_code == 200
        assert time.monotonic() - started >= 0.15
        started = time.monotonic()
        client.get("/orders/x")
        assert time.monotonic() - started < 0.15


def test_a_vendor_app_can_shape_injected_errors() -> None:
    async def hello(request: Any) -> JSONResponse:
        return JSONResponse({"hello": "world"})

    app = Starlette(routes=[Route("/hello", hello)])
    faults = FaultConfig(error_rate=1.0, error_statuses=(500,))
    wrapped = FaultMiddleware(app, faults, error_body=lambda status, message: {"status": status, "errors": [message]})
    with serve_in_thread(wrapped) as running, httpx.Client(verify=False) as client:
        answer = client.get(f"{running.base_url}/hello")
    assert answer.status_code == 500 and answer.json() == {"status": 500, "errors": ["Internal Server Error"]}
    assert wrapped.counts["error"] == 1


# -- configuration files ---------------------------------------------------------------------


def test_a_config_file_maps_onto_sandbox_config(tmp_path: Path) -> None:
    (tmp_path / "my-catalogue.yaml").write_text("{}", encoding="utf-8")
    path = tmp_path / "sandbox.yaml"
    path.write_text(
        "catalogue: my-catalogue.yaml\n"
        "analysis_seconds: 2\n"
        "options: {auth_header: organization_id}\n"
        "faults: {seed: 7, error_rate: 0.1, error_statuses: [503], lost_response_rate: 0.05, paths: [/orders],\n"
        "  lost_response_paths: [POST /v1/orders, POST /v1/orders/*/data]}\n",
        encoding="utf-8",
    )
    config = load_config(path)
    assert config.catalogue == tmp_path / "my-catalogue.yaml"
    assert config.analysis_seconds == 2 and config.options == {"auth_header": "organization_id"}
    assert config.faults == FaultConfig(
        seed=7,
        error_rate=0.1,
        error_statuses=(503,),
        lost_response_rate=0.05,
        paths=("/orders",),
        lost_response_paths=("POST /v1/orders", "POST /v1/orders/*/data"),
    )


def test_credentials_written_as_numbers_are_accepted_as_written(tmp_path: Path) -> None:
    path = tmp_path / "sandbox.yaml"
    path.write_text("credentials: {organization_id: 4711}\n", encoding="utf-8")
    with serve_in_thread(create_app("ctq", load_config(path))) as running:
        answer = httpx.get(f"{running.base_url}/info", headers={**HEADERS, "x-api-key": "4711"})
    assert answer.status_code == 200


@pytest.mark.parametrize(
    ("text", "message", "line"),
    [
        ("fault: {}\n", "unknown sandbox setting 'fault'", 1),
        ("credentials:\n  token: [a]\n", "credentials.token must be text", 2),
        ("strict: true\nfaults:\n  error_rate: 2\n", "faults.error_rate must be between 0 and 1", 3),
        ("faults:\n  error_statuses: [200]\n", "error_statuses must list HTTP error statuses", 2),
        ("faults: {drop_rate: 0.6, error_rate: 0.6}\n", "add up to 1.2", 1),
        ("faults: {paths: [orders]}\n", "paths must list path prefixes", 1),
        ("faults: {lost_response_paths: [post /orders]}\n", "lost_response_paths must list path prefixes", 1),
        ("analysis_seconds: soon\n", "analysis_seconds must be a number", 1),
        ("faults:\n  error_rate: .nan\n", "faults.error_rate must be a number, not nan", 2),
        ("analysis_seconds: .inf\n", "analysis_seconds must be a number, not inf", 1),
        ("- 1\n", "not a mapping", 1),
    ],
)
def test_a_bad_config_file_names_the_place(tmp_path: Path, text: str, message: str, line: int) -> None:
    path = tmp_path / "sandbox.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(OrderspecError) as caught:
        load_config(path)
    assert message in str(caught.value) and f"sandbox.yaml:{line}:" in str(caught.value)


@pytest.mark.parametrize(("name", "value"), [("error_rate", float("nan")), ("drop_rate", float("inf")), ("lost_response_rate", 1.5), ("latency_ms", float("nan")), ("latency_ms", -1)])
def test_fault_settings_given_in_python_are_checked_too(name: str, value: float) -> None:
    """A NaN rate compares false with every draw: unchecked it would silently inject nothing."""
    from orderspec.sandbox import SandboxConfigError

    with pytest.raises(SandboxConfigError, match=f"faults.{name} must be a number"):
        FaultConfig(**{name: value})

