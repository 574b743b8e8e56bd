"""Fixtures shared by every test folder."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from orderspec.sandbox.hostile import HostileServer, start_hostile
from orderspec.sandbox.testing import SandboxFactory

pytest_plugins = ["pytester"]  # tests of the pytest plugin (tests/cassettes/test_plugin.py)


@pytest.fixture
def sandbox() -> Iterator[SandboxFactory]:
    """Start sandboxes over real HTTP on 127.0.0.1: ``sandbox("ctq", config=SandboxConfig(...))``.

    Returns a ``RunningSandbox`` (``.base_url``, ``.app``); every sandbox started in the
    test is stopped when it ends.
    """
    factory = SandboxFactory()
    try:
        yield factory
    finally:
        factory.close()


@pytest.fixture(scope="session")
def hostile() -> Iterator[HostileServer]:
    """A loopback server that misbehaves on purpose (echoes, drips, redirects, endless answers)."""
    server = start_hostile()
    try:
        yield server
    finally:
        server.stop()
