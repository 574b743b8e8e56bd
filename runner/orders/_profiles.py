"""Profiles: where a target system lives and how orderspec authenticates there.

A profile maps a name to a base URL, an auth kind, the environment variables that
hold the credential, and per-system variants (CTQ's auth header name and language,
3YOURMIND's upload path and service id, to.photo's mandator, portal and SKU list).
Profiles live in ``orderspec.yaml``, found by walking up from the spec's folder; each
built-in system also has an embedded default that points at its local sandbox, so a
newcomer can apply the examples without any account.

Credentials never appear in a profile: it names the environment variable only.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from orderspec.errors import OrderspecError, SourceError

PROFILES_FILE = "orderspec.yaml"

SYSTEMS = ("ctq", "3yourmind-service-panel", "3yourmind-user-panel", "tophoto")

AUTH_KINDS = ("token", "basic", "api-key-header", "none")

# to.photo has no catalogue endpoint: the mandator receives its SKU list from the key
# account manager. The processor identifiers below are those of to.photo's documents.
TOPHOTO_SKUS: tuple[dict[str, Any], ...] = (
    {"sku": "14631000", "title": "Tasse", "processor": "photo.to.amazonmarketplace.AmazonStandardCupProcessor", "price": 11900},
    {"sku": "10150000", "title": "Fotoabzug 10x15", "processor": "photo.to.amazonmarketplace.AmazonPhotoPrintProcessor", "price": 190},
    {"sku": "12040000", "title": "Foto-Schlüsselanhänger", "processor": "photo.to.amazonmarketplace.AmazonPhotoKeychainProcessor", "price": 5950},
)
"""Prices are the mandator's own, in to.photo's "tenth of minor units" (11900 = EUR 11.90)."""

TOPHOTO_SHIPPING: tuple[dict[str, Any], ...] = ({"qos": "Standard", "price": 3450}, {"qos": "Express", "price": 7950})


class ProfileError(OrderspecError):
    """A profile is missing, malformed, or its credential is not in the environment."""


@dataclass(frozen=True)
class Auth:
    """How requests to the profile's base URL are authenticated.

    ``token``: ``Authorization: <scheme> <secret>``; ``basic``: HTTP Basic with
    ``username_env`` and ``env``; ``api-key-header``: the secret in header ``header``.
    """

    kind: str = "none"
    env: str | None = None
    username_env: str | None = None
    header: str = "Authorization"
    scheme: str = "Token"


@dataclass(frozen=True)
class Profile:
    """One target account: system, base URL, auth and system variants."""

    name: str
    system: str
    base_url: str
    auth: Auth
    options: Mapping[str, Any] = field(default_factory=dict)
    source: str = "embedded default"
    sandbox: bool = False
    """True when ``base_url`` is a sandbox orderspec started itself."""

    def with_sandbox(self, base_url: str) -> Profile:
        """This profile pointed at a sandbox on ``base_url``."""
        return replace(self, base_url=base_url, sandbox=True, source=f"{self.source}, sandbox at {base_url}")


# Embedded defaults: the sandbox (`orderspec sandbox serve SYSTEM`) and its default credentials.
_DEFAULTS: dict[str, dict[str, Any]] = {
    "ctq": {
        "base_url": "http://127.0.0.1:8701",
        "auth": {"kind": "api-key-header", "header": "x-api-key", "env": "CTQ_ORGANIZATION_ID"},
        "options": {"language": "en", "units": "mm"},
    },
    "3yourmind-service-panel": {
        "base_url": "http://127.0.0.1:8702",
        "auth": {"kind": "token", "env": "THREEYOURMIND_TOKEN"},
        "options": {"service_id": 1, "upload_path": "/api/v2.0/files/", "currency": "EUR"},
    },
    "3yourmind-user-panel": {
        "base_url": "http://127.0.0.1:8702",
        "auth": {"kind": "token", "env": "THREEYOURMIND_TOKEN"},
        "options": {"service_id": 1, "upload_path": "/api/v2.0/files/", "currency": "EUR", "country": "DE"},
    },
    "tophoto": {
        "base_url": "http://127.0.0.1:8703",
        "auth": {"kind": "basic", "username_env": "TOPHOTO_USERNAME", "env": "TOPHOTO_PASSWORD"},
        "options": {
            "mandator": 0,
            "portal": 1000,
            "currency": "EUR",
            "payment_provider": "Invoice",
            "skus": list(TOPHOTO_SKUS),
            "shipping": list(TOPHOTO_SHIPPING),
        },
    },
}

_PROFILE_KEYS = {"system", "base_url", "auth", "options"}
_AUTH_KEYS = {"kind", "env", "username_env", "header", "scheme"}


def default_profile(system: str) -> Profile:
    """The embedded profile of ``system``: its local sandbox."""
    try:
        raw = _DEFAULTS[system]
    except KeyError:
        raise ProfileError(f"unknown target system {system!r}", hint=f"choose one of {', '.join(SYSTEMS)}") from None
    return Profile(
        name=system,
        system=system,
        base_url=raw["base_url"],
        auth=Auth(**raw["auth"]),
        options=dict(raw["options"]),
    )


def find_profiles_file(start: Path) -> Path | None:
    """The nearest ``orderspec.yaml`` in ``start`` or one of its parents."""
    folder = start.resolve()
    if folder.is_file():
        folder = folder.parent
    for candidate in (folder, *folder.parents):
        path = candidate / PROFILES_FILE
        if path.is_file():
            return path
    return None


def load_profiles(path: Path) -> dict[str, Profile]:
    """Read a profiles file; every mistake is reported with its line and column."""
    from orderspec._yaml import load_yaml

    document = load_yaml(path)
    data = document.data
    if not isinstance(data, dict):
        raise SourceError("a profiles file is a mapping with a 'profiles' key", location=document.locate(()))
    unknown = set(data) - {"profiles"}
    if unknown:
        key = sorted(map(str, unknown))[0]
        raise SourceError(f"unknown key {key!r}", location=document.locate((key,), key=True), hint="expected 'profiles'")
    entries = data.get("profiles") or {}
    if not isinstance(entries, dict):
        raise SourceError("'profiles' must map profile names to settings", location=document.locate(("profiles",)))
    return {str(name): _parse_profile(str(name), raw, document) for name, raw in entries.items()}


def _parse_profile(name: str, raw: Any, document: Any) -> Profile:
    where = ("profiles", name)

    def fail(message: str, path: tuple[Any, ...] = (), *, key: bool = False, hint: str | None = None) -> SourceError:
        return SourceError(f"profile {name!r}: {message}", location=document.locate(where + path, key=key), hint=hint)

    if not isinstance(raw, dict):
        raise fail("must be a mapping with system, base_url, auth and options")
    for key in raw:
        if key not in _PROFILE_KEYS:
            raise fail(f"unknown key {key!r}", (key,), key=True, hint=f"expected one of {', '.join(sorted(_PROFILE_KEYS))}")
    system = raw.get("system")
    if system not in SYSTEMS:
        raise fail(f"system must be one of {', '.join(SYSTEMS)}", ("system",))
    base = default_profile(system)
    base_url = raw.get("base_url", base.base_url)
    if not isinstance(base_url, str) or not base_url.startswith(("http://", "https://")):
        raise fail("base_url must be an http:// or https:// URL", ("base_url",))
    auth = base.auth
    if "auth" in raw:
        auth_raw = raw["auth"]
        if not isinstance(auth_raw, dict):
            raise fail("auth must be a mapping (kind, env, ...)", ("auth",))
        for key in auth_raw:
            if key not in _AUTH_KEYS:
                raise fail(f"unknown auth key {key!r}", ("auth", key), key=True, hint=f"expected one of {', '.join(sorted(_AUTH_KEYS))}")
        kind = auth_raw.get("kind", auth.kind)
        if kind not in AUTH_KINDS:
            raise fail(f"auth kind must be one of {', '.join(AUTH_KINDS)}", ("auth", "kind"))
        for key in ("env", "username_env", "header", "scheme"):
            if key in auth_raw and not isinstance(auth_raw[key], str):
                raise fail(f"auth {key} must be a string", ("auth", key))
        # same kind as the system's default: only the keys written change; another kind starts afresh
        inherited = {"env": auth.env, "username_env": auth.username_env, "header": auth.header, "scheme": auth.scheme}
        auth = Auth(**{**(inherited if kind == auth.kind else {}), **auth_raw, "kind": kind})
        if auth.kind != "none" and not auth.env:
            raise fail("auth needs 'env': the environment variable that holds the credential", ("auth",))
        if auth.kind == "basic" and not auth.username_env:
            raise fail("basic auth needs 'username_env' as well as 'env'", ("auth",))
    options = raw.get("options", {})
    if not isinstance(options, dict):
        raise fail("options must be a mapping", ("options",))
    line = document.locate(where, key=True)
    return Profile(
        name=name,
        system=system,
        base_url=base_url.rstrip("/"),
        auth=auth,
        options={**base.options, **options},
        source=str(line),
    )


def select_profile(system: str, name: str | None, spec_path: Path, profiles_file: Path | None = None) -> Profile:
    """The profile a spec runs with.

    ``name`` (from ``--profile`` or the spec's ``target.profile``) must exist in the
    profiles file; without a name, a profile named like the system is used when the
    file has one, else the embedded default.
    """
    path = profiles_file or find_profiles_file(spec_path)
    profiles = load_profiles(path) if path else {}
    if name is None:
        return profiles.get(system) or default_profile(system)
    if name in profiles:
        profile = profiles[name]
        if profile.system != system:
            raise ProfileError(f"profile {name!r} ({profile.source}) is for {profile.system}, but the spec targets {system}")
        return profile
    if name == system:
        return default_profile(system)
    where = f"in {path}" if path else f"(no {PROFILES_FILE} found above {spec_path.parent})"
    known = ", ".join(sorted(profiles)) or "none"
    raise ProfileError(f"no profile {name!r} {where}", hint=f"profiles defined: {known}")


def credentials(profile: Profile, environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """The profile's secrets, read from the environment; a missing one is an error."""
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
