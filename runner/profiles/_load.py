"""Reading ``orderspec.yaml``: every problem reported at once, located, with did-you-mean."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from orderspec._yaml import Document, JsonPath, load_yaml
from orderspec.errors import SourceError
from orderspec.profiles._model import AUTH_KINDS, Auth, Profile, ProfileError
from orderspec.spec import Problem

PROFILES_FILE = "orderspec.yaml"

_PROFILE_KEYS = ("system", "base_url", "auth", "options", "plan_post_reads")
_AUTH_KEYS = ("kind", "env", "username_env", "header", "scheme", "prefix", "param")
_KIND_KEYS = {
    "none": (),
    "token": ("env", "scheme"),
    "bearer": ("env",),
    "basic": ("env", "username_env"),
    "header": ("env", "header", "prefix"),
    "query": ("env", "param"),
}
_REQUIRED = {"token": ("env",), "bearer": ("env",), "basic": ("env", "username_env"), "header": ("env", "header"), "query": ("env", "param")}
_ALIASES = {"api-key-header": "header"}
_MEANING = {
    "env": "the environment variable that holds the credential",
    "username_env": "the environment variable that holds the user name",
    "header": "the header's name",
    "param": "the query parameter's name",
}


class ProfilesInvalid(SourceError):
    """``orderspec.yaml`` has problems; ``problems`` lists each one, located."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        first = self.problems[0]
        if len(self.problems) == 1:
            super().__init__(first.message, location=first.location, hint=first.hint)
        else:
            super().__init__("\n".join(str(problem) for problem in self.problems))


def default_profile(system: str) -> Profile:
    """The embedded profile of a built-in ``system``: its local sandbox."""
    from orderspec.targets import get

    default = get(system).default_profile
    auth = dict(default.auth)
    return Profile(name=system, system=system, base_url=default.base_url, auth=Auth(**auth), options=_Deferred(default.options))


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


def check_profiles(path: Path) -> list[Problem]:
    """Every problem of the profiles file at ``path`` (none: it is fine)."""
    return _Reader(load_yaml(path)).read()[1]


def load_profiles(path: Path) -> dict[str, Profile]:
    """The profiles of ``path``; ``ProfilesInvalid`` lists every problem, located."""
    profiles, problems = _Reader(load_yaml(path)).read()
    if problems:
        raise ProfilesInvalid(problems)
    return profiles


def select_profile(system: str | None, name: str | None, spec_path: Path, profiles_file: Path | None = None) -> Profile:
    """The profile a spec runs with.

    ``name`` (from ``--profile`` or the spec's ``target.profile``) must exist in the
    profiles file. Without a name, a built-in system uses the profile named like the
    system when the file has one, else its embedded default; a custom flow runs with
    no profile (no credentials, ``base_url`` from ``target.options``).
    """
    path = profiles_file or find_profiles_file(spec_path)
    profiles = load_profiles(path) if path else {}
    if name is None:
        if system is None:
            return Profile(name="none", system=None, base_url="", auth=Auth())
        return profiles.get(system) or default_profile(system)
    if name in profiles:
        profile = profiles[name]
        if system is not None and profile.system != system:
            target = profile.system or "a custom vendor (no system)"
            raise ProfileError(f"profile {name!r} ({profile.source}) is for {target}, but the spec targets {system}")
        return profile
    if system is not None and name == system:
        return default_profile(system)
    where = f"in {path}" if path else f"(no {PROFILES_FILE} found above {spec_path.parent})"
    known = sorted(profiles)
    close = difflib.get_close_matches(name, known, n=1)
    hint = f"did you mean {close[0]!r}?" if close else f"profiles defined: {', '.join(known) or 'none'}"
    raise ProfileError(f"no profile {name!r} {where}", hint=hint)


class _Deferred(Mapping[str, Any]):
    """Options built when first read: some defaults come from a sandbox's catalogue, which
    ``validate`` never needs (it only checks that the profile exists)."""

    def __init__(self, build: Callable[[], dict[str, Any]]) -> None:
        self._build = build
        self._built: dict[str, Any] | None = None

    def _options(self) -> dict[str, Any]:
        if self._built is None:
            self._built = self._build()
        return self._built

    def __getitem__(self, key: str) -> Any:
        return self._options()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._options())

    def __len__(self) -> int:
        return len(self._options())

    def __repr__(self) -> str:
        return repr(self._options())


@dataclass
class _Reader:
    document: Document

    def __post_init__(self) -> None:
        self.problems: list[Problem] = []

    def problem(self, path: JsonPath, message: str, code: str, hint: str | None = None, *, key: bool = False) -> None:
        if len(path) >= 2 and path[0] == "profiles" and not message.startswith("profile "):
            message = f"profile {path[1]!r}: {message}"
        self.problems.append(Problem(self.document.locate(path, key=key), path, message, code, hint))

    def unknown(self, path: JsonPath, key: str, known: Sequence[str], what: str) -> None:
        close = difflib.get_close_matches(key, known, n=1)
        hint = f"did you mean {close[0]!r}?" if close else f"expected one of {', '.join(known)}"
        self.problem(path + (key,), f"unknown {what} {key!r}", "profiles.unknown_key", hint, key=True)

    def read(self) -> tuple[dict[str, Profile], list[Problem]]:
        data = self.document.data
        profiles: dict[str, Profile] = {}
        if not isinstance(data, dict):
            self.problem((), "a profiles file is a mapping with a 'profiles' key", "profiles.shape")
            return profiles, self.problems
        for key in data:
            if key != "profiles":
                self.unknown((), str(key), ("profiles",), "key")
        entries = data.get("profiles") or {}
        if not isinstance(entries, dict):
            self.problem(("profiles",), "'profiles' must map profile names to settings", "profiles.shape")
            return profiles, self.problems
        for name, raw in entries.items():
            before = len(self.problems)
            profile = self.profile(str(name), raw)
            if profile is not None and len(self.problems) == before:
                profiles[str(name)] = profile
        return profiles, self.problems

    def profile(self, name: str, raw: Any) -> Profile | None:
        where: JsonPath = ("profiles", name)
        if not isinstance(raw, dict):
            self.problem(where, f"profile {name!r} must be a mapping of system, base_url, auth and options", "profiles.shape")
            return None
        for key in raw:
            if key not in _PROFILE_KEYS:
                self.unknown(where, str(key), _PROFILE_KEYS, "key")
        system = raw.get("system")
        base: Profile | None = None
        if system is not None:
            base = self.system(where, system)
            if base is None:
                return None
        base_url = self.base_url(where, raw.get("base_url", base.base_url if base else None))
        auth = self.auth(where, raw.get("auth"), base.auth if base else Auth())
        options = raw.get("options", {})
        if not isinstance(options, dict):
            self.problem(where + ("options",), "options must be a mapping", "profiles.options")
            options = {}
        plan_post_reads = raw.get("plan_post_reads", False)
        if not isinstance(plan_post_reads, bool):
            self.problem(where + ("plan_post_reads",), "plan_post_reads must be true or false", "profiles.plan_post_reads")
            plan_post_reads = False
        if base_url is None or auth is None:
            return None
        return Profile(
            name=name,
            system=system,
            base_url=base_url,
            auth=auth,
            options=_Deferred(lambda: {**base.options, **options}) if base else dict(options),
            source=str(self.document.locate(where, key=True)),
            plan_post_reads=plan_post_reads,
        )

    def system(self, where: JsonPath, system: Any) -> Profile | None:
        from orderspec.targets import names

        known = names()
        if isinstance(system, str) and system in known:
            return default_profile(system)
        close = difflib.get_close_matches(str(system), known, n=1)
        hint = f"did you mean {close[0]!r}?" if close else "leave system out for a custom vendor's flow (target.flow)"
        self.problem(where + ("system",), f"unknown system {system!r}; built-in systems: {', '.join(known)}", "profiles.system", hint)
        return None

    def base_url(self, where: JsonPath, value: Any) -> str | None:
        path = where + ("base_url",)
        if value is None:
            hint = "e.g. base_url: https://api.vendor.example/v1"
            self.problem(where, "a profile without a built-in system needs base_url", "profiles.base_url", hint, key=True)
            return None
        if not isinstance(value, str) or not value.startswith(("http://", "https://")):
            self.problem(path, "base_url must be an http:// or https:// URL", "profiles.base_url")
            return None
        try:
            parts = urlsplit(value)
            _ = parts.port
        except ValueError as exc:
            self.problem(path, f"base_url is not a valid URL ({exc})", "profiles.base_url")
            return None
        if not parts.hostname:
            self.problem(path, "base_url has no host", "profiles.base_url")
            return None
        if parts.username is not None or parts.password is not None:
            hint = "put the credential in an environment variable named by auth.env"
            self.problem(path, "base_url must not hold a user name or password", "profiles.base_url", hint)
            return None
        return value.rstrip("/")

    def auth(self, where: JsonPath, raw: Any, inherited: Auth) -> Auth | None:
        path = where + ("auth",)
        if raw is None:
            return inherited
        if not isinstance(raw, dict):
            self.problem(path, "auth must be a mapping (kind, env, ...)", "profiles.auth")
            return None
        before = len(self.problems)
        for key in raw:
            if key not in _AUTH_KEYS:
                self.unknown(path, str(key), _AUTH_KEYS, "auth key")
        kind = raw.get("kind", inherited.kind)
        kind = _ALIASES.get(kind, kind) if isinstance(kind, str) else kind
        if kind not in AUTH_KINDS:
            close = difflib.get_close_matches(str(kind), AUTH_KINDS, n=1)
            hint = f"did you mean {close[0]!r}?" if close else None
            self.problem(path + ("kind",), f"auth kind must be one of {', '.join(AUTH_KINDS)}", "profiles.auth", hint)
            return None
        for key, value in raw.items():
            if key != "kind" and key in _AUTH_KEYS and not isinstance(value, str):
                self.problem(path + (key,), f"auth {key} must be text", "profiles.auth", "put it in quotes")
            elif key != "kind" and key in _AUTH_KEYS and key not in _KIND_KEYS[kind]:
                used = ", ".join(_KIND_KEYS[kind]) or "nothing else"
                self.problem(path + (key,), f"auth kind {kind} does not use {key!r}", "profiles.auth", f"kind {kind} takes {used}", key=True)
        if len(self.problems) > before:
            return None
        # the system's default kind: only the keys written change; another kind starts afresh
        start = inherited if kind == inherited.kind else Auth(kind=kind)
        given = {key: value for key, value in raw.items() if key != "kind"}
        auth = replace(start, **given)
        missing = [key for key in _REQUIRED.get(kind, ()) if not getattr(auth, key)]
        if missing:
            self.problem(path, f"auth kind {kind} needs {', '.join(repr(key) for key in missing)}: {_MEANING[missing[0]]}", "profiles.auth", key=True)
            return None
        return auth
