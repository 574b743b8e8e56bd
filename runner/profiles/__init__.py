"""Profiles: where a target lives and how orderspec authenticates there.

A profile maps a name to a base URL, an auth kind, the environment variables that
hold the credential, and options (a built-in system's variants, or anything a custom
vendor's flow reads as ``target.options``). Profiles live in ``orderspec.yaml``, found
by walking up from the spec's folder; each built-in system also has an embedded default
that points at its local sandbox. Credentials never appear in a profile: it names the
environment variable only, and the HTTP layer applies the credential (see ``docs/profiles.md``).
"""

from orderspec.profiles._load import (
    PROFILES_FILE,
    ProfilesInvalid,
    check_profiles,
    default_profile,
    find_profiles_file,
    load_profiles,
    select_profile,
)
from orderspec.profiles._model import AUTH_KINDS, Auth, Profile, ProfileError, credentials

__all__ = [
    "AUTH_KINDS",
    "PROFILES_FILE",
    "Auth",
    "Profile",
    "ProfileError",
    "ProfilesInvalid",
    "check_profiles",
    "credentials",
    "default_profile",
    "find_profiles_file",
    "load_profiles",
    "select_profile",
]
