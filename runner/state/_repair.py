"""Inspecting and repairing state by hand: find a record, settle an uncertain one, forget one."""

from __future__ import annotations

import dataclasses

from orderspec.state._errors import AmbiguousName, NotUncertain, RecordNotFound
from orderspec.state._record import Phase, Record
from orderspec.state._store import StateStore


def find_record(store: StateStore, name: str, profile: str | None = None) -> Record:
    """The record of spec ``name``; without ``profile`` the name must be recorded under one profile only."""
    if profile is not None:
        record = store.get(name, profile)
        if record is None:
            raise RecordNotFound(name, profile)
        return record
    matches = [record for record in store.list() if record.name == name]
    if not matches:
        raise RecordNotFound(name, None)
    if len(matches) > 1:
        raise AmbiguousName(name, [record.profile for record in matches])
    return matches[0]


def show_record(store: StateStore, name: str, profile: str | None = None) -> Record:
    """The record of ``name`` with its history loaded."""
    record = find_record(store, name, profile)
    return dataclasses.replace(record, history=tuple(store.history(record.name, record.profile)))


def forget_record(store: StateStore, name: str, profile: str | None = None, *, owner: str = "orderspec state forget") -> Record:
    """Remove the record of ``name`` (its history keeps a ``forgotten`` entry); return what was removed.

    The spec's lock is taken first, so a record an apply is working on is never removed
    under it (``Locked`` is raised instead).
    """
    record = find_record(store, name, profile)
    with store.lock(record.name, record.profile, owner=owner):
        current = store.get(record.name, record.profile)
        if current is None:
            raise RecordNotFound(record.name, record.profile)
        store.forget(record.name, record.profile)
    return current


def resolve_record(
    store: StateStore,
    name: str,
    profile: str | None = None,
    *,
    placed: str | None,
    force: bool = False,
    owner: str = "orderspec resolve",
) -> Record:
    """Settle an ``uncertain`` record and return it as saved.

    ``placed`` given: the order exists under that number, so the record becomes ``placed``.
    ``placed`` None: nothing was ordered, so the record goes back to ``pending`` with its
    completed steps, captured variables and remote ids cleared: the next apply starts over.
    A record that is not uncertain is refused unless ``force``.
    """
    record = find_record(store, name, profile)
    with store.lock(record.name, record.profile, owner=owner):
        current = store.get(record.name, record.profile)
        if current is None:
            raise RecordNotFound(record.name, record.profile)
        if current.phase is not Phase.UNCERTAIN and not force:
            raise NotUncertain(
                f"{current.name} (profile {current.profile}) is {current.phase.value}, not uncertain: there is nothing to settle",
                hint="use --force to overwrite it anyway",
            )
        if placed is not None:
            settled = current.evolve(phase=Phase.PLACED, order_number=placed, intent=None)
            detail = f"placed as order {placed} (was {current.phase.value})"
        else:
            settled = current.evolve(phase=Phase.PENDING, order_number=None, intent=None, done=(), vars={}, remote_ids={})
            dropped = ", ".join(f"{key}={value}" for key, value in current.remote_ids.items())
            detail = f"not placed (was {current.phase.value}); the next apply starts over" + (f"; dropped {dropped}" if dropped else "")
        store.save(settled, "resolved", detail)
    return settled
