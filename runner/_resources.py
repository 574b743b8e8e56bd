"""Files shipped with the package: schemas and built-in flows."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def schema_path(name: str) -> Path:
    """Path of ``schemas/<name>``: inside the wheel, or the source checkout's top-level folder."""
    for candidate in (_PACKAGE / "schemas" / name, _PACKAGE.parent / "schemas" / name):
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(f"schema {name!r} is missing from the orderspec installation")


def flow_path(system: str) -> Path:
    """Path of the built-in flow for ``system``."""
    return _PACKAGE / "flows" / f"{system}.yaml"
