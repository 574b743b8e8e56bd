"""to.photo order API v1: photo products by SKU, a ZIP of the photos, Basic auth per mandator."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from orderspec.targets._descriptor import DefaultProfile, SandboxLink, SkuLimit, SpecRules, TargetSystem

MAX_SUBCARTS = 9
"""to.photo refuses an order split into more than 9 subcarts (422)."""


def _secrets(credentials: Mapping[str, str]) -> dict[str, str]:
    from orderspec.sandbox.tophoto.accounts import login

    username, password = login(credentials)
    return {"username": username, "secret": password}


def _default_options() -> dict[str, Any]:
    """The sandbox's mandator catalogue: to.photo has no catalogue endpoint, a mandator gets its SKU list."""
    from orderspec.sandbox.tophoto.accounts import mandator_catalogue

    catalogue = mandator_catalogue()
    return {
        "mandator": 0,
        "portal": 1000,
        "currency": catalogue["currency"],
        "payment_provider": "Amazon",  # the one provider to.photo's documents name as live
        "skus": catalogue["skus"],
        "shipping": catalogue["shipping"],
    }


TOPHOTO = TargetSystem(
    name="tophoto",
    title="to.photo",
    flows={"default": "tophoto"},
    variant_option=None,
    default_profile=DefaultProfile(
        base_url="http://127.0.0.1:8703",
        auth={"kind": "basic", "username_env": "TOPHOTO_USERNAME", "env": "TOPHOTO_PASSWORD"},
        options=_default_options,
    ),
    sandbox=SandboxLink(app="tophoto", secrets=_secrets, replaced=("skus", "shipping", "currency")),
    status="tophoto",
    # no max_upload_bytes: "NOT DOCUMENTED: ZIP size limits" (shared/targets.md, section 3)
    rules=SpecRules(
        title="to.photo",
        photo_items=True,
        sku_limit=SkuLimit(MAX_SUBCARTS, f"to.photo splits an order into at most {MAX_SUBCARTS} subcarts and refuses more", "tophoto.subcarts"),
    ),
    catalogue={"default": "catalogue/tophoto"},
)

SYSTEMS = (TOPHOTO,)
