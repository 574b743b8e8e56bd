"""Who the 3YOURMIND sandbox lets in: its default tokens, and what ``sandbox serve`` tells a client."""

from __future__ import annotations

from collections.abc import Mapping

from orderspec.sandbox._config import SandboxConfig
from orderspec.sandbox.threeyourmind._http import DEFAULT_READONLY_TOKEN, DEFAULT_TOKEN

__all__ = ["DEFAULT_READONLY_TOKEN", "DEFAULT_TOKEN", "describe", "token"]


def token(credentials: Mapping[str, str]) -> str:
    """The ordering token the sandbox accepts with these configured credentials."""
    return credentials.get("token", DEFAULT_TOKEN)


def describe(config: SandboxConfig) -> list[str]:
    readonly = config.credentials.get("readonly_token", DEFAULT_READONLY_TOKEN)
    return [f"Authorization: Token {token(config.credentials)}", f"read-only (no ordering): Token {readonly}", "service id: 1"]
