"""Fixtures and settings of the fuzz tests: derandomized, no example database."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "fuzz-tests",
    derandomize=True,
    database=None,
    deadline=None,
    print_blob=False,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture, HealthCheck.data_too_large],
)


@pytest.fixture
def quick_templates(monkeypatch: pytest.MonkeyPatch) -> float:
    """Templates stopped after half a second instead of five, so payloads that run to the limit cost little."""
    monkeypatch.setattr("orderspec.engine._template.TEMPLATE_SECONDS", 0.5)
    return 0.5


@pytest.fixture(scope="module")
def hostile_apart() -> Iterator[str]:
    """The base URL of a hostile server in its own process (memory measured here is the client's alone)."""
    from .properties import hostile_apart as start

    with start() as base_url:
        yield base_url
