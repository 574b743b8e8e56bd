"""A validated spec made ready to run: its profile, flow, context and credentials."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from orderspec.errors import OrderspecError
from orderspec.orders._profiles import Auth, Profile, credentials, select_profile
from orderspec.orders._sandboxes import SandboxPool


class OrderError(OrderspecError):
    """Running a spec's flow failed; the message names the spec and the step."""

    def __init__(self, message: str, *, step: str | None = None, hint: str | None = None, result: Any = None) -> None:
        super().__init__(message, hint=hint)
        self.step = step
        self.result = result


@dataclass(frozen=True)
class Prepared:
    """Everything a flow run needs for one spec; ``label`` is how messages name the spec."""

    order: Any
    """The validated ``orderspec.spec.Order``."""
    label: str
    system: str
    profile: Profile
    flow: Any
    """The loaded ``orderspec.engine.Flow``."""
    target: Mapping[str, Any]
    secrets: Mapping[str, str] = field(repr=False)

    @property
    def destination(self) -> dict[str, Any]:
        """Which spec goes where: the fields that plan and apply results both report."""
        return {
            "spec": self.label,
            "name": self.order.name,
            "system": self.system,
            "profile": self.profile.name,
            "base_url": self.profile.base_url,
            "sandbox": self.profile.sandbox,
        }


def prepare(
    order: Any,
    *,
    label: str,
    profile_name: str | None = None,
    profiles_file: Path | None = None,
    sandboxes: SandboxPool | None = None,
) -> Prepared:
    """Resolve the spec's profile (or sandbox), load its flow, and build the flow context."""
    from orderspec._resources import flow_path
    from orderspec.engine import load_flow

    system = order.system or "custom"
    name = profile_name or order.profile
    if order.system is None:
        profile = _custom_profile(order, name, profiles_file)
    else:
        profile = select_profile(order.system, name, order.path, profiles_file)
    if sandboxes is not None and order.system is not None:
        profile, secrets = sandboxes.attach(profile)
    else:
        secrets = _credentials(profile)
    flow = load_flow(order.flow if order.flow is not None else flow_path(order.system))
    spec_target = order.data.get("target") or {}
    options = {**profile.options, **(spec_target.get("options") or {})}
    target = {"system": system, "base_url": profile.base_url, "options": options, "profile": profile.name}
    return Prepared(order, label, system, profile, flow, target, secrets)


def _credentials(profile: Profile) -> dict[str, str]:
    """The profile's credentials; the embedded default falls back to its sandbox's own."""
    from orderspec.orders._profiles import ProfileError
    from orderspec.orders._sandboxes import sandbox_secrets

    try:
        return credentials(profile)
    except ProfileError:
        fallback = sandbox_secrets(profile.system) if profile.source == "embedded default" else None
        if fallback is None:
            raise
        return fallback


def _custom_profile(order: Any, name: str | None, profiles_file: Path | None) -> Profile:
    """A custom flow runs with a named profile's base URL and auth, or with none."""
    if name is None:
        options = (order.data.get("target") or {}).get("options") or {}
        return Profile(name="none", system="custom", base_url=str(options.get("base_url", "")), auth=Auth())
    from orderspec.orders._profiles import find_profiles_file, load_profiles

    path = profiles_file or find_profiles_file(order.path)
    profiles = load_profiles(path) if path else {}
    if name not in profiles:
        raise OrderError(f"{order.path}: no profile {name!r} for the custom flow", hint="define it in orderspec.yaml")
    return profiles[name]
