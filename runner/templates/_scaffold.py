"""What ``orderspec init`` writes: profiles built from the descriptors, a starter spec, schemas, hooks, CI.

Everything comes from the package: the profile of each built-in system from its
descriptor (no system is named here), the starter spec and its model or photo from
this folder, the schemas as shipped. Every YAML file starts with a modeline pointing
at the schema written beside it, relative to that file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from orderspec._resources import schema_path
from orderspec._version import __version__
from orderspec.templates._files import Content, Lines

_HERE = Path(__file__).resolve().parent

SCHEMAS: dict[str, str] = {"order": "order-spec.schema.json", "flow": "flow.schema.json", "profiles": "profiles.schema.json"}
"""``orderspec schema NAME`` -> the schema file's name, as ``init`` writes it into ``schemas/``."""

CI: dict[str, tuple[str, str]] = {
    "github": ("github-workflow.yaml", ".github/workflows/orderspec.yml"),
    "gitlab": ("gitlab-ci.yaml", ".gitlab-ci.yml"),
}
"""``init --ci`` -> (template, where it goes)."""

SPECS_FOLDER = "specs"
GITIGNORE = Lines((".orderspec/",), header="# orderspec: local state (the state store, locks)")


def schema_bytes(name: str) -> bytes:
    """The schema ``name`` (``order``, ``flow``, ``profiles``) exactly as shipped."""
    return schema_path(SCHEMAS[name]).read_bytes()


def _template(name: str) -> str:
    return (_HERE / name).read_text(encoding="utf-8")


def scaffold(system: str = "ctq", ci: str | None = "github") -> dict[str, Content]:
    """Relative path -> content of every file ``orderspec init`` writes, for a starter spec of ``system``."""
    from orderspec.targets import get

    descriptor = get(system)
    files: dict[str, Content] = {"orderspec.yaml": profiles_file().encode("utf-8")}
    spec_text = _template(f"spec-{descriptor.name}.yaml")
    files[f"{SPECS_FOLDER}/first-order.yaml"] = spec_text.encode("utf-8")
    for relative in _referenced_files(spec_text):
        files[f"{SPECS_FOLDER}/{relative}"] = (_HERE / Path(relative).name).read_bytes()
    for name, file_name in SCHEMAS.items():
        files[f"schemas/{file_name}"] = schema_bytes(name)
    files[".pre-commit-config.yaml"] = _template("pre-commit-config.yaml").encode("utf-8")
    files[".gitignore"] = GITIGNORE
    if ci is not None:
        template, target = CI[ci]
        files[target] = _ci(template).encode("utf-8")
    return files


def _referenced_files(spec_text: str) -> list[str]:
    """The model and photo files the starter spec names, relative to it."""
    data = yaml.safe_load(spec_text)
    found: list[str] = []
    for item in data.get("items") or []:
        found += [item["file"]] if "file" in item else list(item.get("files") or [])
    return found


def _credential_variables() -> list[str]:
    from orderspec.targets import systems

    names: list[str] = []
    for system in systems().values():
        auth = system.default_profile.auth
        for key in ("username_env", "env"):
            if auth.get(key) and auth[key] not in names:
                names.append(auth[key])
    return names


def _ci(template: str) -> str:
    variables = _credential_variables()
    secrets = "\n".join(f"  {name}: ${{{{ secrets.{name} }}}}" for name in variables)
    text = _template(template).replace("@@VERSION@@", __version__)
    return text.replace("@@SECRETS@@", secrets).replace("@@VARIABLES@@", ", ".join(variables))


_HEADER = """\
# yaml-language-server: $schema=schemas/profiles.schema.json
# orderspec profiles: where each target system lives and how orderspec authenticates there.
#
# `orderspec plan` and `apply` look for this file in the spec's folder, then in each parent.
# A spec picks a profile with `target.profile: NAME` (or the command line, --profile NAME).
# Without one, the profile named exactly like the system is used when it is defined here,
# else the system's embedded default: its local sandbox, as `orderspec sandbox serve
# SYSTEM --port PORT` starts it. `--sandbox` starts that sandbox in-process instead.
#
# Credentials never go in this file: `auth.env` names the environment variable holding
# them. They are sent only to the profile's own host and never printed. Auth kinds: none,
# token, bearer, basic, header, query (docs/profiles.md). `orderspec validate` checks it.
#
# Uncomment the profile of each system you order from and fill in your account.
profiles:
"""


def profiles_file() -> str:
    """``orderspec.yaml`` with one commented profile per built-in system, from its descriptor."""
    from orderspec.targets import systems

    blocks = [_HEADER.rstrip("\n")]
    for system in systems().values():
        blocks.append(_profile_block(system))
    return "\n\n".join(blocks) + "\n"


def _profile_block(system: Any) -> str:
    default = system.default_profile
    port = default.base_url.rsplit(":", 1)[-1]
    notes = [
        f"{system.title} ({system.name})",
        f"Without this profile, its specs run against the local sandbox at {default.base_url}",
        f"(orderspec sandbox serve {system.name} --port {port}).",
    ]
    if system.variant_option:
        variants = ", ".join(repr(name) for name in system.flows if name != "default")
        notes.append(f"API variants (options.{system.variant_option}): {variants}; leave it out for the default.")
    if system.sandbox.replaced:
        notes.append(f"--sandbox replaces options {', '.join(system.sandbox.replaced)} with the sandbox's own.")
    profile: dict[str, Any] = {
        "system": system.name,
        "base_url": "https://api.example.com",
        "auth": dict(default.auth),
        "options": default.options(),
    }
    body = yaml.safe_dump({system.name: profile}, sort_keys=False, allow_unicode=True, width=100, default_flow_style=False)
    body = body.replace("base_url: https://api.example.com", "base_url: https://api.example.com   # your account's API URL")
    lines = [f"  # {note}" for note in notes] + [f"  # {line}".rstrip() for line in body.splitlines()]
    return "\n".join(lines)
