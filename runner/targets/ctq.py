"""CTQ 3D-print widget API: the seed-era API by default, the 2021-04-27 one as a profile variant."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from orderspec.targets._descriptor import DefaultProfile, SandboxLink, SpecRules, TargetSystem


def _secrets(credentials: Mapping[str, str]) -> dict[str, str]:
    from orderspec.sandbox.ctq.accounts import organization

    return {"secret": organization(credentials)}


def _sandbox_options(auth: Mapping[str, Any], options: Mapping[str, Any]) -> dict[str, object]:
    """The sandbox expects the organization id in the header the profile sends it in, and speaks the profile's API."""
    wanted: dict[str, object] = {}
    if auth.get("kind") == "header" and auth.get("header"):
        wanted["auth_header"] = str(auth["header"])
    if options.get("api") is not None:
        wanted["api"] = str(options["api"])
    return wanted


CTQ = TargetSystem(
    name="ctq",
    title="CTQ",
    flows={"default": "ctq", "2021-02-19": "ctq", "2021-04-27": "ctq-2021-04-27"},
    variant_option="api",
    default_profile=DefaultProfile(
        base_url="http://127.0.0.1:8701",
        auth={"kind": "header", "header": "x-api-key", "env": "CTQ_ORGANIZATION_ID"},
        options=lambda: {"language": "en", "units": "mm"},
    ),
    sandbox=SandboxLink(app="ctq", secrets=_secrets, options=_sandbox_options),
    status="ctq",
    # no max_upload_bytes: none of the three Swagger files nor the user flow names a size limit for
    # the signed-URL upload (shared/targets.md, section 1)
    rules=SpecRules(title="CTQ", model_formats=frozenset({"stl"})),
    catalogue={"default": "catalogue/ctq", "2021-04-27": "catalogue/ctq-2021-04-27"},
)

SYSTEMS = (CTQ,)
