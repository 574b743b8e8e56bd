"""Fixtures of the safety tests: a hostile loopback server, flows written from text."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

HEAD = """apiVersion: orderspec/v1
kind: Flow
name: hostile
base_url: "{{ target.base_url }}"
"""


@pytest.fixture
def flow_file(tmp_path: Path) -> Callable[..., Path]:
    """``flow_file(steps_yaml, folder=None)``: a flow file (the common head, then the text) in ``folder``."""

    def write(body: str, folder: Path | None = None, name: str = "flow.yaml") -> Path:
        where = folder or tmp_path
        where.mkdir(parents=True, exist_ok=True)
        path = where / name
        path.write_text(HEAD + body, encoding="utf-8")
        return path

    return write


@pytest.fixture
def flow_of(flow_file: Callable[..., Path]) -> Callable[..., Any]:
    from orderspec.engine import load_flow

    def load(body: str, folder: Path | None = None) -> Any:
        return load_flow(flow_file(body, folder))

    return load
