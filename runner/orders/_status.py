"""``orderspec status``: each placed order's state beside what its target says now.

The live status comes from the system's status flow (``runner/flows/status``: read-only
requests, plus, for to.photo with ``ack``, acknowledging the entries its documents say a
client must acknowledge). It runs with the order's profile and the variables its apply
captured (the order's id), through the transport given (the live network by default), like any other flow.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from orderspec.errors import OrderspecError
from orderspec.orders._client import LiveTransport, make_client
from orderspec.orders._prepare import CUSTOM, credentials_of
from orderspec.profiles import select_profile


@dataclass(frozen=True)
class OrderStatus:
    """A record of the state store, and its order's status on the target (when it could be read)."""

    name: str
    profile: str
    system: str
    phase: str
    order_number: str | None
    updated: str
    live: str | None = None
    to_acknowledge: tuple[str, ...] = ()
    acknowledged: tuple[str, ...] = ()
    note: str | None = None
    """Why there is no live status: not placed, no status flow, or what the target answered."""


def order_statuses(
    records: Iterable[Any],
    *,
    start: Path,
    profiles_file: Path | None = None,
    ack: bool = False,
    transport: httpx.BaseTransport | None = None,
) -> list[OrderStatus]:
    """The status of every record (``orderspec.state.Record``); a target that fails is a note, not an error.

    ``transport`` defaults to the live network.
    """
    own = transport or LiveTransport()
    try:
        return [_status(record, own, start, profiles_file, ack) for record in records]
    finally:
        if transport is None:
            own.close()


def _status(record: Any, transport: httpx.BaseTransport, start: Path, profiles_file: Path | None, ack: bool) -> OrderStatus:
    from orderspec.engine import load_flow, run_flow
    from orderspec.targets import systems

    known = OrderStatus(
        name=record.name,
        profile=record.profile,
        system=record.system,
        phase=str(record.phase),
        order_number=record.order_number,
        updated=record.updated_at.isoformat(timespec="seconds"),
    )
    descriptor = systems().get(record.system)
    if str(record.phase) != "placed":
        return _with(known, note="not placed")
    flow_path = descriptor.status_flow() if descriptor is not None else None
    if descriptor is None or flow_path is None:
        return _with(known, note="no live status for " + ("a custom vendor" if record.system == CUSTOM else record.system))
    try:
        named = None if record.profile == record.system else record.profile
        profile = select_profile(record.system, named, start, profiles_file)
        secrets = credentials_of(profile)
        target = {"system": record.system, "base_url": profile.base_url, "options": dict(profile.options), "profile": profile.name}
        variables = {**dict(record.vars), "order_number": record.order_number, "ack": ack}
        client = make_client(profile, secrets, transport)
        result = run_flow(load_flow(flow_path), {"target": target, "vars": variables}, client=client, redact=secrets.values())
    except OrderspecError as exc:
        return _with(known, note=exc.message)
    outputs = result.outputs
    return _with(
        known,
        live=None if outputs.get("status") is None else str(outputs["status"]),
        to_acknowledge=tuple(map(str, outputs.get("to_acknowledge") or ())),
        acknowledged=tuple(map(str, outputs.get("acknowledged") or ())),
    )


def _with(status: OrderStatus, **changes: Any) -> OrderStatus:
    from dataclasses import replace

    return replace(status, **changes)
