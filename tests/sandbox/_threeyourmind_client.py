"""A 3YOURMIND sandbox client for tests: token auth, fresh state, and no sandbox bug reached."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import httpx

from orderspec.sandbox.testing import RunningSandbox


@contextmanager
def token_client(server: RunningSandbox, **headers: str) -> Iterator[httpx.Client]:
    """A client with the full-permission token on a reset sandbox; afterwards, no request may have hit the 500 handler."""
    with httpx.Client(base_url=server.base_url, headers={"Authorization": "Token sandbox-token", **headers}) as client:
        assert client.post("/_sandbox/reset").status_code == 204
        yield client
    assert server.app.state.sandbox.unexpected_errors == 0


def wait_for_analysis(client: httpx.Client, status_url: str, *, max_reads: int = 20) -> list[str]:
    """Read the file status until it is no longer "analysing", as the wiki says (periodically); the statuses seen."""
    seen: list[str] = []
    while len(seen) < max_reads:
        seen.append(client.get(status_url).json()["status"])
        if seen[-1] != "analysing":
            break
    return seen
