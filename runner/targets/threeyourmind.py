"""3YOURMIND API v2.0: the Service Panel (ordering for customers) and the User Panel (ordering for oneself)."""

from __future__ import annotations

from collections.abc import Mapping

from orderspec.targets._descriptor import DefaultProfile, SandboxLink, SpecRules, TargetSystem


def _secrets(credentials: Mapping[str, str]) -> dict[str, str]:
    from orderspec.sandbox.threeyourmind.accounts import token

    return {"secret": token(credentials)}


_AUTH = {"kind": "token", "env": "THREEYOURMIND_TOKEN"}
_RULES = SpecRules(title="3YOURMIND")
"""No max_upload_bytes: no public 3YOURMIND document gives an upload limit (shared/targets.md, section 2); each instance sets its own."""

SERVICE_PANEL = TargetSystem(
    name="3yourmind-service-panel",
    title="3YOURMIND Service Panel",
    flows={"default": "3yourmind-service-panel"},
    variant_option=None,
    default_profile=DefaultProfile(
        base_url="http://127.0.0.1:8702",
        auth=_AUTH,
        options=lambda: {"service_id": 1, "upload_path": "/api/v2.0/files/", "currency": "EUR"},
    ),
    sandbox=SandboxLink(app="3yourmind", secrets=_secrets),
    status="3yourmind-service-panel",
    rules=_RULES,
    catalogue={"default": "catalogue/3yourmind-service-panel"},
)

USER_PANEL = TargetSystem(
    name="3yourmind-user-panel",
    title="3YOURMIND User Panel",
    flows={"default": "3yourmind-user-panel"},
    variant_option=None,
    default_profile=DefaultProfile(
        base_url="http://127.0.0.1:8702",
        auth=_AUTH,
        # ordering: the SDK's quote route (documented); "basket" orders the basket (inferred)
        options=lambda: {"service_id": 1, "upload_path": "/api/v2.0/files/", "currency": "EUR", "country": "DE", "ordering": "quote"},
    ),
    sandbox=SandboxLink(app="3yourmind", secrets=_secrets),
    status="3yourmind-user-panel",
    rules=_RULES,
    catalogue={"default": "catalogue/3yourmind-user-panel"},
)

SYSTEMS = (SERVICE_PANEL, USER_PANEL)
