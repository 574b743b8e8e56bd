"""Local simulators of the target APIs, faithful to the vendors' documents.

Each vendor module exposes ``create_app(config: SandboxConfig) -> Starlette``. The
apps keep their state in memory, answer with the vendor's paths, status codes and
error bodies, and offer ``/_sandbox/orders`` (GET: placed orders) and
``/_sandbox/reset`` (POST) for inspection.
"""

from __future__ import annotations

import importlib
from typing import Any

from runner.sandbox._config import FaultConfig, SandboxConfig

# system name -> module with create_app; both 3YOURMIND panels live in one app, as on a real instance
APPS: dict[str, str] = {
    "ctq": "runner.sandbox.ctq",
    "3yourmind": "runner.sandbox.threeyourmind",
    "3yourmind-user-panel": "runner.sandbox.threeyourmind",
    "3yourmind-service-panel": "runner.sandbox.threeyourmind",
    "tophoto": "runner.sandbox.tophoto",
}

__all__ = ["APPS", "FaultConfig", "SandboxConfig", "create_app"]


def create_app(system: str, config: SandboxConfig | None = None) -> Any:
    """The sandbox ASGI app for ``system`` (a key of ``APPS``)."""
    try:
        module = importlib.import_module(APPS[system])
    except KeyError:
        raise ValueError(f"no sandbox for {system!r}; choose one of {', '.join(APPS)}") from None
    return module.create_app(config or SandboxConfig())
