"""Helpers for spec tests: a folder with real model and photo files, and spec writers."""

from __future__ import annotations

import shutil
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from orderspec.spec import Problem, check_spec

EXAMPLES = Path(__file__).resolve().parents[2] / "specs" / "examples"

CTQ = """\
apiVersion: orderspec/v1
kind: Order
metadata:
  name: test-order
target:
  system: ctq
customer:
  name: Jane Doe
  email: jane@example.com
addresses:
  shipping:
    name: Jane Doe
    street: Hauptstrasse 1
    zip: "10115"
    city: Berlin
    country: DE
items:
  - file: models/bracket.stl
    unit: mm
    process: SLS
    material: PA12
    quality: Standard
    color: White
    quantity: 2
    post_processing: [Dyeing]
shipping:
  method: Express delivery
budget:
  max_total: 100
  currency: EUR
"""
"""A valid CTQ spec; tests change one line of it and expect one problem."""

SERVICE_PANEL = """\
apiVersion: orderspec/v1
kind: Order
metadata:
  name: test-order
target:
  system: 3yourmind-service-panel
customer:
  search: Maria Ortega
items:
  - file: models/bracket.stl
    material: PA12 White
shipping:
  method: Standard Shipping
payment:
  method: Invoice
"""

USER_PANEL = """\
apiVersion: orderspec/v1
kind: Order
metadata:
  name: test-order
target:
  system: 3yourmind-user-panel
items:
  - file: models/bracket.stl
    material: PLA
shipping:
  method: Express Shipping
payment:
  method: Credit Card
"""

TOPHOTO = """\
apiVersion: orderspec/v1
kind: Order
metadata:
  name: test-order
target:
  system: tophoto
locale: de_DE
callback_url: https://shop.example.com/hook
customer:
  email: anna@example.com
addresses:
  shipping:
    first_name: Anna
    last_name: Schmidt
    street: Leopoldstrasse 42
    zip: "80802"
    city: Munich
    country: DE
items:
  - sku: "14631000"
    files: [photos/mug.jpg]
shipping:
  method: Standard
"""

CUSTOM_FLOW = """\
apiVersion: orderspec/v1
kind: Order
metadata:
  name: test-order
target:
  flow: flows/custom.yaml
  options:
    anything: goes
items:
  - file: models/bracket.stl
"""


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A spec folder holding the examples' real models and photos."""
    shutil.copytree(EXAMPLES / "models", tmp_path / "models")
    shutil.copytree(EXAMPLES / "photos", tmp_path / "photos")
    (tmp_path / "flows").mkdir()
    (tmp_path / "flows" / "custom.yaml").write_text("apiVersion: orderspec/v1\nkind: Flow\nname: custom\nsteps: []\n")
    return tmp_path


WriteSpec = Callable[..., Path]


@pytest.fixture
def write_spec(folder: Path) -> WriteSpec:
    """Write a spec into ``folder``: ``write_spec(text, name="spec.yaml", replace=(old, new))``."""

    def write(text: str, name: str = "spec.yaml", replace: tuple[str, str] | None = None) -> Path:
        text = textwrap.dedent(text)
        if replace is not None:
            old, new = replace
            assert old in text, f"{old!r} is not in the spec"
            text = text.replace(old, new, 1)
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    return write


def problems(path: Path) -> list[Problem]:
    return list(check_spec(path).problems)


def only_problem(path: Path) -> Problem:
    found = problems(path)
    assert len(found) == 1, "\n".join(str(problem) for problem in found)
    return found[0]


def where(problem: Problem) -> tuple[int, int, str, str]:
    return problem.location.line, problem.location.column, problem.json_path, problem.message
