"""Who the CTQ sandbox lets in: its default organization id, and what ``sandbox serve`` tells a client."""

from __future__ import annotations

from collections.abc import Mapping

from orderspec.sandbox._config import SandboxConfig
from orderspec.sandbox.ctq._api import api_for
from orderspec.sandbox.ctq._app import DEFAULT_ORGANIZATION

__all__ = ["DEFAULT_ORGANIZATION", "describe", "organization"]


def organization(credentials: Mapping[str, str]) -> str:
    """The organization id the sandbox accepts with these configured credentials."""
    return credentials.get("organization_id", DEFAULT_ORGANIZATION)


def describe(config: SandboxConfig) -> list[str]:
    header = str(config.options.get("auth_header", api_for(config.options).auth_header))
    return [f"header {header}: {organization(config.credentials)}", "header language: en (or de)"]
