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
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from urllib.parse import urlsplit

import httpx
from _harness import Row
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route

from orderspec.sandbox import APPS
from orderspec.sandbox._server import serve_in_thread
from orderspec.sandbox.testing import running_sandbox

TARGET = 2000.0
REQUESTS = 3000
ROUNDS = 3
UPLOADS = 1000
STL_BYTES = 16 * 1024
BIG_BYTES = 32 * 1024 * 1024
BOUNDARY = "bench-boundary-7d3f"

_CLIENT = r"""
import socket, sys, time
host, port, method, path, body_file, expected, count = sys.argv[1:8]
port, expected, count = int(port), int(expected), int(count)
body = open(body_file, "rb").read() if body_file != "-" else b""
headers = "".join(f"{line}\r\n" for line in sys.argv[8:])
if body:
    headers += f"Content-Length: {len(body)}\r\n"
request = f"{method} {path} HTTP/1.1\r\nHost: {host}:{port}\r\n{headers}\r\n".encode() + body
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
    if status != expected:
        raise SystemExit(f"unexpected status {status} for {method} {path}: {rest[:length]!r}")
for _ in range(min(200, count)):
    one()
started = time.perf_counter()
for _ in range(count):
    one()
print(count / (time.perf_counter() - started))
"""


def _rate(
    base_url: str,
    path: str,
    headers: dict[str, str],
    *,
    method: str = "GET",
    body: Path | None = None,
    expected: int = 200,
    count: int = REQUESTS,
) -> float:
    """Requests per second over one keep-alive connection, median of ``ROUNDS`` client runs."""
    parts = urlsplit(base_url)
    argv = [sys.executable, "-c", _CLIENT, parts.hostname or "127.0.0.1", str(parts.port), method, path]
    argv += [str(body) if body else "-", str(expected), str(count)]
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


def _upload_body(folder: Path, size: int) -> Path:
    """A multipart upload as the engine sends it: the form field ``unit`` and a ``file`` part."""
    path = folder / f"upload-{size}.bin"
    with path.open("wb") as out:
        out.write(f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="unit"\r\n\r\nmm\r\n'.encode())
        out.write(f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="part.stl"\r\n'.encode())
        out.write(b"Content-Type: model/x.stl-binary\r\n\r\n")
        block = bytes(range(256)) * 4096
        for start in range(0, size, len(block)):
            out.write(block[: min(len(block), size - start)])
        out.write(f"\r\n--{BOUNDARY}--\r\n".encode())
    return path


def _upload_rows() -> Iterable[Row]:
    """Multipart uploads to 3YOURMIND's ``/upload/``: many small ones, and a large one spooled to disk."""
    headers = {"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}
    with tempfile.TemporaryDirectory() as folder, running_sandbox("3yourmind") as running:
        small = _rate(running.base_url, "/upload/", headers, method="POST", body=_upload_body(Path(folder), STL_BYTES), expected=201, count=UPLOADS)
        yield Row(
            "sandbox: 3yourmind 16 KiB multipart upload",
            small,
            "req/s",
            note=f"POST /upload/ with unit and a 16 KiB file part, one keep-alive connection, median of {ROUNDS} x {UPLOADS}",
        )
        big = _rate(running.base_url, "/upload/", headers, method="POST", body=_upload_body(Path(folder), BIG_BYTES), expected=201, count=3)
        yield Row(
            "sandbox: 3yourmind 32 MiB multipart upload",
            big * BIG_BYTES / (1 << 20),
            "MiB/s",
            note=f"POST /upload/ with a 32 MiB file part, median of {ROUNDS} x 3",
        )


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
    if importlib.util.find_spec(APPS["3yourmind"]) is not None:
        yield from _upload_rows()
