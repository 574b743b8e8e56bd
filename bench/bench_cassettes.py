"""Cassettes: replaying each built-in flow's recorded session in process, against running it live.

    python bench/run.py cassettes

For every built-in system the example spec's flow is recorded once against its sandbox
(started in this process, on loopback); then the same flow is timed live against the
sandbox and replayed from the cassette, both on an instant clock. A replay includes
loading the cassette. The issue asks for at most 50 ms per replay, whatever the live
run takes; the live run is the baseline measured in the same run.
"""

from __future__ import annotations

import base64
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _harness import ROOT, Row, median_seconds

from orderspec.cassettes import record, replay
from orderspec.engine import InstantClock, load_flow, run_flow
from orderspec.orders import default_profile
from orderspec.sandbox.testing import running_sandbox
from orderspec.spec import load_spec

LIMIT_MS = 50.0
SYSTEMS = {
    "ctq": ("ctq", "ctq-bracket.yaml", {"x-api-key": "sandbox-org"}, ["sandbox-org"]),
    "3yourmind-service-panel": ("3yourmind", "3yourmind-service-panel.yaml", {"Authorization": "Token sandbox-token"}, ["sandbox-token"]),
    "3yourmind-user-panel": ("3yourmind", "3yourmind-user-panel.yaml", {"Authorization": "Token sandbox-token"}, ["sandbox-token"]),
    "tophoto": ("tophoto", "tophoto-mug.yaml", {"Authorization": "Basic " + base64.b64encode(b"sandbox:sandbox-secret").decode()}, ["sandbox-secret"]),
}


def _context(system: str, spec: str, base_url: str) -> dict[str, Any]:
    order = load_spec(ROOT / "specs" / "examples" / spec)
    profile = default_profile(system)
    options = {**profile.options, **((order.data.get("target") or {}).get("options") or {})}
    return {"order": order.data, "target": {"system": system, "base_url": base_url, "options": options}, "folder": order.path.parent}


def _measure(system: str, folder: Path) -> Row:
    app, spec, headers, secrets = SYSTEMS[system]
    flow = load_flow(ROOT / "runner" / "flows" / f"{system}.yaml")
    cassette = folder / f"{system}.yaml"
    with running_sandbox(app) as sandbox:
        context = _context(system, spec, sandbox.base_url)

        def live(transport: httpx.BaseTransport) -> Any:
            with httpx.Client(transport=transport, headers=headers) as client:
                result = run_flow(flow, context, client=client, clock=InstantClock())
            assert result.ok, result.error
            return result

        with record(cassette, httpx.HTTPTransport(), secrets=secrets) as recorder:
            recorded = live(recorder)
        requests = recorder.interactions
        with httpx.HTTPTransport() as network:
            live_seconds = median_seconds(lambda: live(network), repeat=5)

    def replayed() -> None:
        with replay(cassette, strict=True) as transport:
            result = run_flow(flow, context, transport=transport, clock=InstantClock())
        assert result.outputs == recorded.outputs

    replay_seconds = median_seconds(replayed, repeat=15, warmup=2)
    replay_ms = replay_seconds * 1000
    verdict = "meets" if replay_ms <= LIMIT_MS else "MISSES"
    return Row(
        name=f"replay {system} ({requests} requests)",
        value=replay_ms,
        unit="ms",
        baseline_name="live run against its sandbox",
        baseline=live_seconds * 1000,
        note=f"{replay_ms:.1f} ms in process, cassette loaded each time: {verdict} the {LIMIT_MS:g} ms limit",
    )


def rows() -> Iterable[Row]:
    with tempfile.TemporaryDirectory(prefix="orderspec-bench-cassettes-") as folder:
        for system in SYSTEMS:
            yield _measure(system, Path(folder))


if __name__ == "__main__":
    for row in rows():
        print(row)
