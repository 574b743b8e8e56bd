"""Cassettes: replaying recorded sessions in process and as a whole ``orderspec apply --replay``.

    python bench/run.py cassettes

1. For every built-in system the example spec's flow is recorded once against its sandbox
   (started in this process, on loopback); then the same flow is timed live against the
   sandbox and replayed from the cassette, both on an instant clock. A replay includes
   loading the cassette; the live run is the baseline.
2. Every committed cassette (``cassettes/``) is replayed as the pytest plugin's item does:
   ``orderspec.testing.replay_spec`` validates the spec, plans and applies it offline on an
   instant clock and checks the outcome. The baseline is the same plan and apply against
   the spec's sandbox in this process.
3. Whole process: ``orderspec apply --replay`` of the CTQ example against ``orderspec
   validate`` of the same spec, both timed in this run.

The issue asks for at most 50 ms per replay in process, no sleeping, and a whole-process
replay within 1.5x the whole-process validate.
"""

from __future__ import annotations

import base64
import os
import statistics
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _harness import ROOT, Row, median_seconds, orderspec_argv, process_seconds

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


def _committed(spec: Path) -> Row:
    """Replay of a committed cassette (plan, then apply, from the cassette), against the same on the sandbox.

    The spec is validated and prepared once, as for the live baseline; the note adds the
    whole test item of the pytest plugin (validate, prepare, replay, compare the outcome).
    """
    from orderspec.orders import Runtime, SandboxPool, apply, load_orders, plan, prepare
    from orderspec.testing import OrderCassettes, replay_spec

    label, order = load_orders([spec])[0]
    item = replay_spec(spec)  # the outcome must be the recorded one
    with SandboxPool(offline=True) as offline:
        prepared = prepare(order, label=label, sandboxes=offline, offline=True)

    def replayed() -> None:
        with OrderCassettes("replay", strict=True) as cassettes:
            runtime = cassettes.runtime()  # an instant clock: a poll that slept would cost seconds
            cassettes.placed(apply(plan(prepared, runtime), runtime))

    replay_seconds = median_seconds(replayed, repeat=15, warmup=2)
    item_seconds = median_seconds(lambda: replay_spec(spec), repeat=9, warmup=1)
    with SandboxPool() as pool:
        live = prepare(order, label=label, sandboxes=pool)
        runtime = Runtime(clock=InstantClock())
        live_seconds = median_seconds(lambda: apply(plan(live, runtime), runtime), repeat=5)
    replay_ms = replay_seconds * 1000
    verdict = "meets" if replay_ms <= LIMIT_MS else "MISSES"
    return Row(
        name=f"replay {item.cassette.relative_to(ROOT)} (plan, apply)",
        value=replay_ms,
        unit="ms",
        baseline_name="plan and apply on its sandbox",
        baseline=live_seconds * 1000,
        note=f"{replay_ms:.1f} ms in process: {verdict} the {LIMIT_MS:g} ms limit; the plugin's test item "
        f"(validate, prepare, replay, outcome) {item_seconds * 1000:.1f} ms",
    )


def _whole_process() -> Row:
    """Both commands as an installed package runs them: with compiled bytecode (kept in a
    temporary folder, whatever ``PYTHONDONTWRITEBYTECODE`` says), taking turns so that a
    busy machine slows them alike."""
    spec = str(ROOT / "specs" / "examples" / "ctq-bracket.yaml")
    validate: list[float] = []
    replayed: list[float] = []
    floor: list[float] = []
    with tempfile.TemporaryDirectory(prefix="orderspec-bench-pycache-") as cache:
        env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
        env["PYTHONPYCACHEPREFIX"] = cache
        validate_argv, replay_argv = orderspec_argv("validate", spec), orderspec_argv("apply", "--replay", "--yes", spec)
        # what no replay can go below: the interpreter importing the libraries a replay runs on
        floor_argv = [sys.executable, "-c", "import click, yaml, jsonschema_rs, httpx, jinja2.sandbox, vcr"]
        for _ in range(5):
            validate.append(process_seconds(validate_argv, repeat=3, env=env))
            replayed.append(process_seconds(replay_argv, repeat=3, env=env))
            floor.append(process_seconds(floor_argv, repeat=3, env=env))
    ratio = statistics.median(floor) / statistics.median(validate)
    return Row(
        name="orderspec apply --replay ctq-bracket.yaml (whole process)",
        value=statistics.median(replayed),
        unit="s",
        baseline_name="orderspec validate ctq-bracket.yaml",
        baseline=statistics.median(validate),
        aim=1.5,
        note=f"importing click, PyYAML, jsonschema-rs, httpx, Jinja2 and vcrpy alone takes {statistics.median(floor):.3f} s ({ratio:.2f}x validate)",
    )


def rows() -> Iterable[Row]:
    with tempfile.TemporaryDirectory(prefix="orderspec-bench-cassettes-") as folder:
        for system in SYSTEMS:
            yield _measure(system, Path(folder))
    for spec in sorted((ROOT / "specs" / "examples").glob("*.yaml")):
        yield _committed(spec)
    yield _whole_process()


if __name__ == "__main__":
    for row in rows():
        print(row)
