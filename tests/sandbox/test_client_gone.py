"""A client that goes away while sending its body (an apply killed mid-request) is no sandbox failure.

The sandbox must neither count it among its own bugs (the tests insist those stay at zero)
nor log a traceback for it, and it keeps answering the next client.
"""

from __future__ import annotations

import base64
import socket
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from orderspec.sandbox import create_app
from orderspec.sandbox._server import serve_in_thread

BASIC = "Basic " + base64.b64encode(b"sandbox:sandbox-secret").decode()


def _ctq_bugs(running: Any) -> int:
    return len(httpx.get(f"{running.base_url}/_sandbox/contract").json()["unexpected_errors"])


def _threeyourmind_bugs(running: Any) -> int:
    return int(running.app.app.state.sandbox.unexpected_errors)


def _tophoto_bugs(running: Any) -> int:
    return int(running.app.state.unexpected_errors)


CASES = {
    "ctq": ("/get-signed-urls", {"x-api-key": "sandbox-org", "language": "en"}, _ctq_bugs),
    "3yourmind": ("/api/v2.0/user-panel/baskets/", {"Authorization": "Token sandbox-token"}, _threeyourmind_bugs),
    "tophoto": ("/v1/orders", {"Authorization": BASIC}, _tophoto_bugs),
}


def _requests(running: Any) -> int:
    return sum(httpx.get(f"{running.base_url}/_sandbox/requests").json().values())


def _post_half_a_body(base_url: str, path: str, headers: dict[str, str]) -> None:
    """Send headers announcing 1000 bytes of JSON, then 10 of them, then hang up."""
    address = urlsplit(base_url)
    lines = [f"POST {path} HTTP/1.1", f"Host: {address.netloc}", "Content-Type: application/json", "Content-Length: 1000"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    with socket.create_connection((address.hostname, address.port), timeout=5) as connection:
        connection.sendall(("\r\n".join(lines) + "\r\n\r\n").encode() + b'{"items": ')
        time.sleep(0.2)  # the request reaches its endpoint, which waits for the rest of the body


@pytest.mark.parametrize("app", list(CASES))
def test_a_client_gone_mid_body_is_no_sandbox_bug(app: str, caplog: pytest.LogCaptureFixture) -> None:
    path, headers, bugs = CASES[app]
    count: Callable[[Any], int] = bugs
    with serve_in_thread(create_app(app)) as running:
        before = _requests(running)
        _post_half_a_body(running.base_url, path, headers)
        deadline = time.monotonic() + 5
        while _requests(running) == before and time.monotonic() < deadline:
            time.sleep(0.02)
        assert _requests(running) == before + 1, "the half-sent request never reached its endpoint"
        time.sleep(0.3)  # the endpoint learns that the client is gone
        assert count(running) == 0, "a client hanging up was counted as a sandbox bug"
        assert not [record for record in caplog.records if record.exc_info or "unexpected" in record.getMessage()]
        assert httpx.get(f"{running.base_url}/_sandbox/orders").status_code == 200
