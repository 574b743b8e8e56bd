"""``prepare``: a validated spec made ready to run: its target, profile, flow and credentials."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from orderspec.errors import OrderspecError
from orderspec.orders._sandboxes import SandboxPool, placeholders, sandbox_secrets
from orderspec.profiles import Profile, ProfileError, credentials, select_profile

CUSTOM = "custom"
"""What messages call the system of a spec that brings its own flow."""


class OrderError(OrderspecError):
    """Running a spec's flow failed; the message names the spec and the step."""

    def __init__(
        self,
        message: str,
        *,
        step: str | None = None,
        hint: str | None = None,
        result: Any = None,
        exit_code: int = 1,
        cause: OrderspecError | None = None,
    ) -> None:
        super().__init__(message, hint=hint)
        self.step = step
        self.result = result
        self.exit_code = exit_code
        self.cause = cause
        """The error the run raised (an ``orderspec.engine`` error, or a hook's own)."""


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

    def context(self, variables: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """What the flow's templates see. Credentials are not in it: the HTTP layer applies them."""
        context: dict[str, Any] = {"order": self.order.data, "target": self.target, "folder": self.order.path.parent}
        if variables is not None:
            context["vars"] = dict(variables)
        return context


def prepare(
    order: Any,
    *,
    label: str | None = None,
    profile: str | None = None,
    profiles_file: Path | None = None,
    sandboxes: SandboxPool | None = None,
    offline: bool = False,
) -> Prepared:
    """Resolve the spec's profile (or sandbox), load its flow, and describe its target.

    ``offline`` is for a run that reaches no target (a replay): the profile's credentials
    are not read from the environment, placeholders stand in for them.
    """
    from orderspec.engine import load_flow
    from orderspec.targets import get

    descriptor = get(order.system) if order.system is not None else None
    chosen = select_profile(order.system, profile or order.profile, order.path, profiles_file)
    if sandboxes is not None and descriptor is not None:
        chosen, secrets = sandboxes.attach(chosen)
    else:
        secrets = placeholders(chosen) if offline else credentials_of(chosen)
    spec_target = order.data.get("target") or {}
    options = {**chosen.options, **(spec_target.get("options") or {})}
    flow = load_flow(order.flow if descriptor is None else descriptor.flow(options))
    base_url = chosen.base_url or str(options.get("base_url", ""))
    system = order.system or CUSTOM
    target = {"system": system, "base_url": base_url, "options": options, "profile": chosen.name}
    return Prepared(order, label or str(order.path), system, chosen, flow, target, secrets)


def credentials_of(profile: Profile) -> dict[str, str]:
    """The profile's credentials; the embedded default falls back to its sandbox's own."""
    try:
        return credentials(profile)
    except ProfileError:
        if profile.source != "embedded default" or profile.system is None:
            raise
        from orderspec.targets import get

        return sandbox_secrets(get(profile.system))
