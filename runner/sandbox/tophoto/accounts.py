"""Who the to.photo sandbox lets in, and the SKU list a mandator gets for it.

to.photo has no catalogue endpoint: a mandator receives its SKU list from the key account
manager. For the sandbox that list is its own catalogue file, so the embedded default
profile reads it from here rather than keeping a second copy.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from orderspec.sandbox._config import SandboxConfig
from orderspec.sandbox.tophoto._auth import DEFAULT_MANDATOR, DEFAULT_PASSWORD, DEFAULT_PORTAL, DEFAULT_USERNAME
from orderspec.sandbox.tophoto._catalogue import load_catalogue

__all__ = ["DEFAULT_MANDATOR", "DEFAULT_PASSWORD", "DEFAULT_PORTAL", "DEFAULT_USERNAME", "describe", "login", "mandator_catalogue"]


def login(credentials: Mapping[str, str]) -> tuple[str, str]:
    """(username, password) the sandbox accepts with these configured credentials."""
    return credentials.get("username", DEFAULT_USERNAME), credentials.get("password", DEFAULT_PASSWORD)


def describe(config: SandboxConfig) -> list[str]:
    user, password = login(config.credentials)
    mandator = config.credentials.get("mandator", DEFAULT_MANDATOR)
    portal = config.credentials.get("portal", DEFAULT_PORTAL)
    return [f"Basic auth: {user} / {password}", f"mandator {mandator}, portal {portal}"]


def mandator_catalogue(path: Path | None = None) -> dict[str, Any]:
    """The SKU list and shipping prices as a profile writes them (``options.skus``, ``options.shipping``)."""
    catalogue = load_catalogue(path)
    return {
        "currency": catalogue.currency,
        "skus": [{"sku": s.sku, "title": s.name, "processor": s.processor, "price": s.price} for s in catalogue.skus.values()],
        "shipping": [{"qos": qos, "price": price} for qos, price in catalogue.shipping.items()],
    }
