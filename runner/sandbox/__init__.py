"""Local simulators of the target APIs, faithful to the vendors' documents.

Each vendor module exposes ``create_app(config: SandboxConfig) -> Starlette``. The
apps keep their state in memory, answer with the vendor's paths, status codes and
error bodies, and offer ``/_sandbox/orders`` (GET: placed orders) and
``/_sandbox/reset`` (POST) for inspection.

``create_app`` here wraps every vendor app in the fault-injection middleware, so the
vendor modules never look at ``config.faults``. A vendor app whose error body is not
``{"error": "..."}`` sets ``app.state.fault_error_body = lambda status, message: {...}``.
"""

from __future__ import annotations

import importlib
from typing import Any

from orderspec.errors import UsageError
from orderspec.sandbox._catalogue import CatalogueError
from orderspec.sandbox._config import FaultConfig, SandboxConfig, SandboxConfigError, load_config
from orderspec.sandbox._faults import FaultMiddleware
from orderspec.sandbox._server import RunningSandbox, serve_in_thread

# system name -> module with create_app; both 3YOURMIND panels live in one app, as on a real instance
APPS: dict[str, str] = {
    "ctq": "orderspec.sandbox.ctq",
    "3yourmind": "orderspec.sandbox.threeyourmind",
    "3yourmind-user-panel": "orderspec.sandbox.threeyourmind",
    "3yourmind-service-panel": "orderspec.sandbox.threeyourmind",
    "tophoto": "orderspec.sandbox.tophoto",
}
DESCRIPTIONS: dict[str, str] = {
    "ctq": "CTQ widget API (Swagger of 2021-02-19)",
    "3yourmind": "3YOURMIND User Panel and Service Panel (one app)",
    "3yourmind-user-panel": "3YOURMIND, same app as 3yourmind",
    "3yourmind-service-panel": "3YOURMIND, same app as 3yourmind",
    "tophoto": "to.photo order API v1",
}

__all__ = [
    "APPS",
    "DESCRIPTIONS",
    "CatalogueError",
    "FaultConfig",
    "FaultMiddleware",
    "RunningSandbox",
    "SandboxConfig",
    "SandboxConfigError",
    "UnknownSandboxError",
    "create_app",
    "describe_credentials",
    "load_config",
    "serve_in_thread",
]


class UnknownSandboxError(UsageError, ValueError):
    """No sandbox is registered under the requested system name."""


def describe_credentials(system: str, config: SandboxConfig) -> list[str]:
    """What a client sends to the ``system`` sandbox with ``config``: each vendor's ``accounts`` module says."""
    if system not in APPS:
        raise UnknownSandboxError(f"no sandbox for {system!r}", hint=f"choose one of {', '.join(APPS)}")
    describe: Any = importlib.import_module(APPS[system] + ".accounts").describe
    return list(describe(config))


def create_app(system: str, config: SandboxConfig | None = None) -> FaultMiddleware:
    """The sandbox ASGI app for ``system`` (a key of ``APPS``), with its faults injected."""
    try:
        module_name = APPS[system]
    except KeyError:
        raise UnknownSandboxError(f"no sandbox for {system!r}", hint=f"choose one of {', '.join(APPS)}") from None
    config = config or SandboxConfig()
    try:
        app: Any = importlib.import_module(module_name).create_app(config)
    except (ValueError, TypeError, KeyError) as exc:  # what a vendor app says about settings it cannot use
        raise SandboxConfigError(f"the {system} sandbox cannot start with these settings: {exc}") from None
    state = getattr(app, "state", None)
    error_body = getattr(state, "fault_error_body", None) if state is not None else None
    return FaultMiddleware(app, config.faults, error_body=error_body)
