"""Running a built-in 3YOURMIND flow on an example spec against a sandbox, through the engine."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from orderspec import load_spec
from orderspec.engine import FlowResult, InstantClock, load_flow, run_flow
from orderspec.sandbox.testing import RunningSandbox

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "specs" / "examples"
FLOWS = ROOT / "runner" / "flows"
OPTIONS = {"service_id": 1, "upload_path": "/api/v2.0/files/", "currency": "EUR", "country": "DE"}


def run_example(system: str, sandbox: RunningSandbox, *, spec: Path | None = None, seen: list[bytes] | None = None, **options: Any) -> FlowResult:
    """The system's example spec through its built-in flow, with the sandbox's token; ``seen`` collects every answer's bytes."""
    order = load_spec(spec or EXAMPLES / f"{system}.yaml")
    flow = load_flow(FLOWS / f"{system}.yaml")
    target = {"system": system, "base_url": sandbox.base_url, "options": {**OPTIONS, **order.data["target"].get("options", {}), **options}}
    context = {"order": order.data, "target": target, "folder": order.path.parent, "secrets": {}}
    def keep(response: httpx.Response) -> None:
        if seen is not None:
            seen.append(response.request.method.encode() + b" " + response.request.url.path.encode() + b" " + response.read())

    with httpx.Client(timeout=10, headers={"Authorization": "Token sandbox-token"}, event_hooks={"response": [keep]}) as client:
        return run_flow(flow, context, client=client, clock=InstantClock())


def placed(sandbox: RunningSandbox) -> list[dict[str, Any]]:
    return httpx.get(f"{sandbox.base_url}/_sandbox/orders", timeout=10).json()


def requests_seen(sandbox: RunningSandbox) -> dict[str, int]:
    return httpx.get(f"{sandbox.base_url}/_sandbox/requests", timeout=10).json()
