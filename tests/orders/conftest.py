"""Helpers for plan/apply tests: copies of the example specs, and profiles pointing at sandboxes."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "specs" / "examples"

SPECS = {
    "ctq": "ctq-bracket.yaml",
    "3yourmind-service-panel": "3yourmind-service-panel.yaml",
    "3yourmind-user-panel": "3yourmind-user-panel.yaml",
    "tophoto": "tophoto-mug.yaml",
}

# What each sandbox accepts by default, as the environment variables of the test profiles.
SANDBOX_ENV = {
    "CTQ_ORG": "sandbox-org",
    "TYM_TOKEN": "sandbox-token",
    "TP_USER": "sandbox",
    "TP_PASSWORD": "sandbox-secret",
}

AUTH = {
    "ctq": {"kind": "api-key-header", "header": "x-api-key", "env": "CTQ_ORG"},
    "3yourmind-service-panel": {"kind": "token", "env": "TYM_TOKEN"},
    "3yourmind-user-panel": {"kind": "token", "env": "TYM_TOKEN"},
    "tophoto": {"kind": "basic", "username_env": "TP_USER", "env": "TP_PASSWORD"},
}


@pytest.fixture
def specs(tmp_path: Path) -> Callable[..., Path]:
    """``specs(system, edit=None)``: a copy of the system's example spec (with its files), edited."""
    folder = tmp_path / "specs"
    shutil.copytree(EXAMPLES, folder)

    def make(system: str, edit: Callable[[dict[str, Any]], None] | None = None, name: str | None = None) -> Path:
        source = folder / SPECS[system]
        data = yaml.safe_load(source.read_text(encoding="utf-8"))
        if edit is not None:
            edit(data)
        target = folder / (name or SPECS[system])
        target.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
        return target

    return make


@pytest.fixture
def sandbox_env(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """The sandboxes' default credentials in the variables the test profiles name."""
    for name, value in SANDBOX_ENV.items():
        monkeypatch.setenv(name, value)
    return dict(SANDBOX_ENV)


def write_profiles(folder: Path, profiles: dict[str, dict[str, Any]]) -> Path:
    """An ``orderspec.yaml`` in ``folder`` with ``profiles``."""
    path = folder / "orderspec.yaml"
    path.write_text(yaml.safe_dump({"profiles": profiles}, sort_keys=False), encoding="utf-8")
    return path


def profile_for(system: str, base_url: str, **changes: Any) -> dict[str, Any]:
    """A profile of ``system`` pointing at a sandbox on ``base_url``."""
    profile: dict[str, Any] = {"system": system, "base_url": base_url, "auth": dict(AUTH[system])}
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(profile.get(key), dict):
            profile[key] = {**profile[key], **value}
        else:
            profile[key] = value
    return profile


def placed_orders(base_url: str) -> list[dict[str, Any]]:
    """What the sandbox on ``base_url`` recorded as placed."""
    return httpx.get(f"{base_url}/_sandbox/orders", timeout=10).json()
