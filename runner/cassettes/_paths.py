"""Where a spec's cassette lives, and what of a profile's credentials a recording scrubs."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

FOLDER = "cassettes"


def cassette_path(root: Path, name: str) -> Path:
    """``<root>/cassettes/<name>.yaml``: ``root`` is the folder of ``orderspec.yaml`` (or the current one), ``name`` the spec's ``metadata.name``."""
    return root / FOLDER / f"{name}.yaml"


def scrub_options(secrets: Mapping[str, str], *, auth_header: str | None = None, auth_param: str | None = None) -> dict[str, Any]:
    """Keyword arguments of ``record``/``replay`` for a profile's credentials.

    ``secrets`` is what ``orderspec.profiles.credentials`` returns (``secret``, and
    ``username`` for basic auth): every value but the username is scrubbed, the pair is
    scrubbed as Basic credentials, and a custom auth header or query parameter is
    scrubbed by name.
    """
    values = [value for key, value in secrets.items() if key != "username" and value]
    pairs = [(secrets["username"], secrets["secret"])] if secrets.get("username") and secrets.get("secret") else []
    return {
        "secrets": values,
        "pairs": pairs,
        "secret_headers": [auth_header] if auth_header else [],
        "secret_params": [auth_param] if auth_param else [],
    }
