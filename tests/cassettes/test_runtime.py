"""Cassettes in the orders runtime: ``plan`` then ``apply`` of an example spec, recorded and replayed."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import httpx
import pytest

from orderspec.cassettes import Sessions, cassette_path, scrub_options
from orderspec.cassettes._scrub import pair_forms, secret_forms
from orderspec.engine import InstantClock
from orderspec.orders import Runtime, SandboxPool, apply, live, plan, prepare
from orderspec.spec import load_spec

from .conftest import SPECS


def recording(sessions: Sessions, root: Path) -> Callable[[Any], AbstractContextManager[httpx.BaseTransport]]:
    """The runtime's transport factory for ``--record``: the live transport, recorded per spec."""

    def open_transport(prepared: Any) -> AbstractContextManager[httpx.BaseTransport]:
        auth = prepared.profile.auth
        scrub = scrub_options(prepared.secrets, auth_header=auth.header or None, auth_param=auth.param)
        return sessions.open(cassette_path(root, prepared.order.name), inner=lambda: live(prepared), **scrub)

    return open_transport


def replaying(sessions: Sessions, root: Path) -> Callable[[Any], AbstractContextManager[httpx.BaseTransport]]:
    """The runtime's transport factory for ``--replay``."""
    return lambda prepared: sessions.open(cassette_path(root, prepared.order.name))


@pytest.mark.parametrize("system", list(SPECS))
def test_plan_and_apply_replay_the_recorded_order_with_the_sandbox_gone(system: str, specs: Callable[..., Path], tmp_path: Path) -> None:
    order = load_spec(specs(system))
    with SandboxPool() as pool:
        prepared = prepare(order, sandboxes=pool)
        with Sessions("record") as sessions:
            runtime = Runtime(transport=recording(sessions, tmp_path), clock=InstantClock())
            placed = apply(plan(prepared, runtime), runtime)
    cassette = cassette_path(tmp_path, order.name)
    text = cassette.read_text(encoding="utf-8")
    forms = {form for key, value in prepared.secrets.items() if key != "username" for form in secret_forms(value)}
    if "username" in prepared.secrets:
        forms |= pair_forms(prepared.secrets["username"], prepared.secrets["secret"])
    assert not [form for form in forms if form in text]

    with Sessions("replay", strict=True) as sessions:
        runtime = Runtime(transport=replaying(sessions, tmp_path), clock=InstantClock())
        replayed = apply(plan(prepared, runtime), runtime)
    assert replayed.order_number == placed.order_number
    assert replayed.outputs == placed.outputs
    assert replayed.quote == placed.quote
