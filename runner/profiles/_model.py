"""The profile values, and reading a profile's credentials from the environment."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from orderspec.errors import OrderspecError

AUTH_KINDS = ("none", "token", "bearer", "basic", "header", "query")
"""``api-key-header`` is read as ``header``, its name before custom vendors had profiles."""


class ProfileError(OrderspecError):
    """A profile is missing, does not fit the spec, or its credential is not in the environment."""


@dataclass(frozen=True)
class Auth:
    """How requests to the profile's own origin are authenticated.

    ``token``: ``Authorization: <scheme> <secret>`` (scheme ``Token``); ``bearer``:
    ``Authorization: Bearer <secret>``; ``basic``: HTTP Basic with ``username_env`` and
    ``env``; ``header``: the secret in header ``header``, after ``prefix``; ``query``: the
    secret in query parameter ``param``; ``none``: nothing.
    """

    kind: str = "none"
    env: str | None = None
    username_env: str | None = None
    header: str = ""
    scheme: str = "Token"
    prefix: str = ""
    param: str | None = None


@dataclass(frozen=True)
class Profile:
    """One target account: base URL, auth and options; ``system`` is None for a custom vendor."""

    name: str
    system: str | None
    base_url: str
    auth: Auth
    options: Mapping[str, Any] = field(default_factory=dict)
    source: str = "embedded default"
    sandbox: bool = False
    """True when ``base_url`` is a sandbox orderspec started itself."""
    plan_post_reads: bool = False
    """``plan`` may send a POST that a spec's own flow declares ``effect: read`` (a search).

    Off by default: a spec, and so its flow, may come from a pull request, and only the
    team that owns the profile can vouch that such a POST changes nothing.
    """

    def with_sandbox(self, base_url: str, replaced: Mapping[str, Any] | None = None) -> Profile:
        """This profile pointed at a sandbox on ``base_url``, with the options the sandbox decides replaced."""
        options = {**self.options, **(replaced or {})}
        return replace(self, base_url=base_url, sandbox=True, options=options, source=f"{self.source}, sandbox at {base_url}")


def credentials(profile: Profile, environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """The profile's secrets (``secret``, and ``username`` for basic), read from the environment."""
    env = os.environ if environ is None else environ
    auth = profile.auth
    if auth.kind == "none":
        return {}
    wanted = {"secret": auth.env}
    if auth.kind == "basic":
        wanted["username"] = auth.username_env
    missing = [var for var in wanted.values() if var and not env.get(var)]
    if missing:
        raise ProfileError(
            f"profile {profile.name!r} needs the environment variable {' and '.join(missing)}",
            hint="export it, or add --sandbox to try the spec against the local sandbox",
        )
    return {key: env[var] for key, var in wanted.items() if var}
