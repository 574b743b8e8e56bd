"""Requests per second each sandbox serves: a simple GET of an order over one keep-alive connection.

The sandbox runs under uvicorn in a thread of this process; the client is a separate
process speaking plain HTTP/1.1 over a raw socket, so the figure is the server's, not
the client library's. Issue 4 asks for at least 2,000 requests/s per sandbox; the
baseline column is that figure, and a bare Starlette app is measured alongside for scale.
"""

from __future__ import annotations

import base64
import importlib.util
import statistics
import subprocess
import sys
from collections.abc import Callable, Iterable
from urllib.parse import urlsplit

import httpx
from _harness import Row
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route

from runner.sandbox import APPS
from runner.sandbox._server import serve_in_thread
from runner.sandbox.testing import running_sandbox

TARGET = 2000.0
REQUESTS = 3000
ROUNDS = 3

_CLIENT = r"""
import socket, sys, time
host, port, path, count = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
headers = "".join(f"{line}\r\n" for line in sys.argv[5:])
request = f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\n{headers}\r\n".encode()
sock = socket.create_connection((host, port))
sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
buffer = b""
def one():
    global buffer
    sock.sendall(request)
    while b"\r\n\r\n" not in buffer:
        buffer += sock.recv(65536)
    head, _, rest = buffer.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    while len(rest) < length:
        rest += sock.recv(65536)
    buffer = rest[length:]
    if status != 200:
        raise SystemExit(f"unexpected status {status} for {path}")
for _ in range(200):
    one()
started = time.perf_counter()
for _ in range(count):
    one()
print(count / (time.perf_counter() - started))
"""


def _rate(base_url: str, path: str, headers: dict[str, str]) -> float:
    parts = urlsplit(base_url)
    argv = [sys.executable, "-c", _CLIENT, parts.hostname or "127.0.0.1", str(parts.port), path, str(REQUESTS)]
    argv += [f"{name}: {value}" for name, value in headers.items()]
    rates = []
    for _ in range(ROUNDS):
        result = subprocess.run(argv, capture_output=True, text=True, timeout=120)
        if result.returncode != 0:
            raise RuntimeError(f"benchmark client failed: {result.stderr.strip()}")
        rates.append(float(result.stdout))
    return statistics.median(rates)


def _ctq(client: httpx.Client) -> tuple[str, dict[str, str]]:
    headers = {"x-api-key": "sandbox-org", "language": "en"}
    order_id = client.post("/get-signed-urls", json=["bracket.stl"], headers=headers).json()["order_id"]
    return f"/orders/{order_id}", headers


def _threeyourmind(client: httpx.Client) -> tuple[str, dict[str, str]]:
    headers = {"Authorization": "Token sandbox-token"}
    answer = client.post("/api/v2.0/user-panel/baskets/", json={}, headers=headers)
    answer.raise_for_status()
    return f"/api/v2.0/user-panel/baskets/{answer.json()['id']}/", headers


def _tophoto(client: httpx.Client) -> tuple[str, dict[str, str]]:
    headers = {"Authorization": "Basic " + base64.b64encode(b"sandbox:sandbox-secret").decode(), "Accept": "application/json"}
    body = {
        "version": "1.0",
        "mandator": 0,
        "portal": 1000,
        "locale": "de_DE",
        "order_url": "https://shop.example.com/callback",
        "projects": [
            {
                "identifier": "mug",
                "count": 1,
                "processor": {
                    "identifier": "photo.to.amazonmarketplace.AmazonStandardCupProcessor",
                    "metadata": {"sku": "14631000"},
                },
            }
        ],
        "bunches": [{"project": "mug", "items": [{"type": "Payload", "mimetype": "image/jpeg", "reference": "mug.jpg"}]}],
        "payload": [{"name": "mug.jpg", "mimetype": "image/jpeg"}],
    }
    answer = client.post("/v1/orders", json=body, headers=headers)
    answer.raise_for_status()
    return f"/v1/orders/{answer.json()['orderId']}", headers


# system -> (what is fetched, how to create it and where to GET it)
SYSTEMS: dict[str, tuple[str, Callable[[httpx.Client], tuple[str, dict[str, str]]]]] = {
    "ctq": ("GET /orders/{order_id}", _ctq),
    "3yourmind": ("GET /api/v2.0/user-panel/baskets/{id}/", _threeyourmind),
    "tophoto": ("GET /v1/orders/{orderId}", _tophoto),
}


def _bare() -> float:
    async def order(request: object) -> JSONResponse:
        return JSONResponse({"id": 1, "status": "active", "items": []})

    with serve_in_thread(Starlette(routes=[Route("/orders/1", order)])) as running:
        return _rate(running.base_url, "/orders/1", {})


def rows() -> Iterable[Row]:
    yield Row(
        "sandbox: bare Starlette GET (scale)",
        _bare(),
        "req/s",
        baseline_name="issue target",
        baseline=TARGET,
        aim=1.0,
        higher_is_better=True,
    )
    for system, (what, setup) in SYSTEMS.items():
        if importlib.util.find_spec(APPS[system]) is None:
            yield Row(f"sandbox: {system}", 0.0, "req/s", note="sandbox not present yet, skipped")
            continue
        with running_sandbox(system) as running, httpx.Client(base_url=running.base_url) as client:
            path, headers = setup(client)
            rate = _rate(running.base_url, path, headers)
        yield Row(
            f"sandbox: {system}",
            rate,
            "req/s",
            baseline_name="issue target",
            baseline=TARGET,
            aim=1.0,
            higher_is_better=True,
            note=f"{what}, one keep-alive connection, median of {ROUNDS} x {REQUESTS} requests",
        )
