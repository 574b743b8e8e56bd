"""The source folder ``runner/`` installs as the package ``orderspec``: nothing may be left out."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_every_source_package_is_listed_for_installation() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    assert config["package-dir"]["orderspec"] == "runner"
    folders = {
        path.parent.relative_to(ROOT / "runner")
        for pattern in ("__init__.py", "*.yaml")
        for path in (ROOT / "runner").rglob(pattern)
        if "__pycache__" not in path.parts
    }
    expected = {".".join(("orderspec", *folder.parts)) for folder in folders}
    assert expected <= set(config["packages"])


def test_the_package_imports_as_orderspec() -> None:
    import orderspec

    assert Path(orderspec.__file__).resolve().parent == ROOT / "runner"
