"""Fixtures of the cassette tests: a small API on loopback, and built-in flows run against sandboxes."""

from __future__ import annotations

import base64
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from orderspec.engine import FlowResult, InstantClock, load_flow, run_flow
from orderspec.orders import default_profile
from orderspec.sandbox import SandboxConfig, create_app
from orderspec.sandbox._server import RunningSandbox, serve_in_thread
from orderspec.spec import load_spec

from . import _app

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "specs" / "examples"
FLOWS = ROOT / "runner" / "flows"

SPECS = {
    "ctq": "ctq-bracket.yaml",
    "3yourmind-service-panel": "3yourmind-service-panel.yaml",
    "3yourmind-user-panel": "3yourmind-user-panel.yaml",
    "tophoto": "tophoto-mug.yaml",
}
APPS = {"ctq": "ctq", "3yourmind-service-panel": "3yourmind", "3yourmind-user-panel": "3yourmind", "tophoto": "tophoto"}

# What each sandbox accepts by default.
CREDENTIALS: dict[str, dict[str, str]] = {
    "ctq": {"secret": "sandbox-org"},
    "3yourmind-service-panel": {"secret": "sandbox-token"},
    "3yourmind-user-panel": {"secret": "sandbox-token"},
    "tophoto": {"username": "sandbox", "secret": "sandbox-secret"},
}


@dataclass
class Api:
    running: RunningSandbox
    state: _app.State

    @property
    def base_url(self) -> str:
        return self.running.base_url

    def stop(self) -> None:
        self.running.stop()


@pytest.fixture
def api() -> Iterator[Api]:
    """A fresh small API on loopback (its poll counter starts at zero)."""
    app, state = _app.create_app()
    running = serve_in_thread(app)
    try:
        yield Api(running, state)
    finally:
        running.stop()


@pytest.fixture
def write_flow(tmp_path: Path) -> Callable[..., Path]:
    """Write a flow file from text and return its path."""

    def write(text: str, name: str = "flow.yaml") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write


@dataclass
class Session:
    """One built-in flow with its spec, run through a given transport."""

    system: str
    spec: Path
    base_url: str
    secrets: dict[str, str] = field(default_factory=dict)

    @property
    def headers(self) -> dict[str, str]:
        secret = self.secrets["secret"]
        if self.system == "ctq":
            return {"x-api-key": secret}
        if self.system == "tophoto":
            return {"Authorization": "Basic " + base64.b64encode(f"{self.secrets['username']}:{secret}".encode()).decode()}
        return {"Authorization": f"Token {secret}"}

    @property
    def pairs(self) -> list[tuple[str, str]]:
        return [(self.secrets["username"], self.secrets["secret"])] if "username" in self.secrets else []

    def context(self) -> dict[str, Any]:
        order = load_spec(self.spec)
        profile = default_profile(self.system)
        options = {**profile.options, **((order.data.get("target") or {}).get("options") or {})}
        target = {"system": self.system, "base_url": self.base_url, "options": options, "profile": profile.name}
        return {"order": order.data, "target": target, "secrets": dict(self.secrets), "folder": order.path.parent}

    def run(self, transport: httpx.BaseTransport, *, credentials: bool = True) -> FlowResult:
        flow = load_flow(FLOWS / f"{self.system}.yaml")
        with httpx.Client(transport=transport, headers=self.headers if credentials else None, timeout=30) as client:
            return run_flow(flow, self.context(), client=client, clock=InstantClock())


@pytest.fixture
def specs(tmp_path: Path) -> Callable[..., Path]:
    """``specs(system, edit=None)``: a copy of the system's example spec (with its files), edited."""
    folder = tmp_path / "specs"
    shutil.copytree(EXAMPLES, folder)

    def make(system: str, edit: Callable[[dict[str, Any]], None] | None = None) -> Path:
        path = folder / SPECS[system]
        if edit is not None:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
            edit(data)
            path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
        return path

    return make


@pytest.fixture
def sandbox_session(specs: Callable[..., Path]) -> Iterator[Callable[..., tuple[Session, RunningSandbox]]]:
    """``sandbox_session(system)``: a running sandbox of ``system`` and a session of its example spec."""
    started: list[RunningSandbox] = []

    def start(system: str, edit: Callable[[dict[str, Any]], None] | None = None) -> tuple[Session, RunningSandbox]:
        running = serve_in_thread(create_app(APPS[system], SandboxConfig()))
        started.append(running)
        return Session(system, specs(system, edit), running.base_url, dict(CREDENTIALS[system])), running

    try:
        yield start
    finally:
        for running in started:
            running.stop()
