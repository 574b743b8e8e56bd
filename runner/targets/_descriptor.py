"""The values a target system's descriptor is made of."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from orderspec._resources import flow_path

SandboxOptions = Callable[[Mapping[str, Any], Mapping[str, Any]], dict[str, object]]
"""(profile auth settings, profile options) -> the sandbox options that match them."""


@dataclass(frozen=True)
class DefaultProfile:
    """The embedded profile: the system's local sandbox, with the credentials' variable names."""

    base_url: str
    auth: Mapping[str, str]
    """``kind`` plus its settings, as written under ``auth:`` in ``orderspec.yaml``."""
    options: Callable[[], dict[str, Any]]
    """Built on demand: some defaults are read from the sandbox's own catalogue."""


@dataclass(frozen=True)
class SandboxLink:
    """How ``--sandbox`` starts this system's simulator and logs into it."""

    app: str
    """Key of the simulator in ``orderspec.sandbox.APPS`` (both 3YOURMIND panels share one)."""
    secrets: Callable[[Mapping[str, str]], dict[str, str]]
    """The sandbox's configured credentials -> the client secrets (``secret``, ``username``) it accepts."""
    options: SandboxOptions = field(default=lambda auth, options: {})
    """The sandbox variant a profile needs (CTQ's auth header, its API of 2021-04-27)."""
    replaced: tuple[str, ...] = ()
    """Profile options ``--sandbox`` replaces with the sandbox's own (its catalogue), so they cannot disagree."""

    def notice(self, profile: str, source: str, options: Mapping[str, Any], sandbox_options: Mapping[str, Any]) -> str | None:
        """What ``--sandbox`` tells a user whose profile sets an option it replaces with another value; None otherwise."""
        changed = [name for name in self.replaced if name in options and options[name] != sandbox_options.get(name)]
        if not changed:
            return None
        options_are = f"option {changed[0]} is" if len(changed) == 1 else f"options {', '.join(changed)} are"
        return (
            f"--sandbox: profile {profile!r} ({source}): {options_are} replaced by the sandbox's own, "
            "as are its base URL and credential; every other setting is kept"
        )


class SandboxReplaced(UserWarning):
    """``--sandbox`` replaced profile options with the sandbox's own (``SandboxLink.notice``); the CLI prints it as a note."""


@dataclass(frozen=True)
class SkuLimit:
    """The target splits an order by SKU and refuses more than ``count`` parts."""

    count: int
    reason: str
    """Says why, after "N different SKUs; "."""
    code: str
    """The problem code ``validate --format json`` reports."""


@dataclass(frozen=True)
class SpecRules:
    """What a spec for this system must satisfy beyond the schema, checked by ``validate``."""

    photo_items: bool = False
    """Items are photo products (``sku`` + image ``files``), not 3D models."""
    model_formats: frozenset[str] | None = None
    """Model formats the target accepts (``stl``, ``obj``, ``3mf``); None: all three."""
    sku_limit: SkuLimit | None = None
    max_upload_bytes: int | None = None
    """The largest file the target documents that it accepts, checked by ``validate`` against each
    model and photo; None: no document gives a number. Set it only with the document it comes from."""
    title: str = ""
    """How messages name the target ("CTQ")."""


@dataclass(frozen=True)
class TargetSystem:
    """One built-in target system."""

    name: str
    title: str
    flows: Mapping[str, str]
    """API variant -> flow file name in ``runner/flows``; the variant ``default`` is required."""
    variant_option: str | None
    """The profile option choosing the variant (e.g. ``api``); None: one variant only."""
    default_profile: DefaultProfile
    sandbox: SandboxLink
    rules: SpecRules = field(default_factory=SpecRules)
    status: str | None = None
    """Flow in ``runner/flows/status`` that reads a placed order's live status (``orderspec status``)."""
    catalogue: Mapping[str, str] = field(default_factory=dict)
    """API variant -> read-only catalogue flow in ``runner/flows`` (``orderspec catalogue``); empty: none."""

    def flow(self, options: Mapping[str, Any]) -> Path:
        """The flow for a profile with ``options``; an unknown variant is a profile mistake."""
        return flow_path(self.flows[self._variant(options)])

    def catalogue_flow(self, options: Mapping[str, Any]) -> Path | None:
        """The catalogue flow for a profile with ``options``; None when the system has none."""
        if not self.catalogue:
            return None
        variant = self._variant(options)
        return flow_path(self.catalogue.get(variant) or self.catalogue["default"])

    def status_flow(self) -> Path | None:
        """The read-only flow that answers a placed order's status, if the target documents one."""
        return flow_path(f"status/{self.status}") if self.status else None

    def _variant(self, options: Mapping[str, Any]) -> str:
        variant = str(options.get(self.variant_option, "default")) if self.variant_option else "default"
        if variant not in self.flows:
            from orderspec.errors import OrderspecError

            known = ", ".join(repr(name) for name in self.flows if name != "default")
            raise OrderspecError(
                f"{self.title} has no API variant {variant!r} (profile option {self.variant_option})",
                hint=f"known variants: {known or 'none'}; leave the option out for the default",
            )
        return variant
