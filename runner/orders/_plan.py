"""``plan``: what ``apply`` would order, with every name resolved, and nothing placed.

The spec's flow runs with ``stop_before="create"``: its read-only steps fetch the
catalogues and resolve every name (an unknown one fails here, with the valid names),
and nothing is created. With ``quote=True`` the flow runs up to its ``place`` step,
so the target prices a real draft, which is deleted afterwards; where a system cannot
delete drafts (the Service Panel), plan stays read-only and says so.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from orderspec.orders._budget import Budget, Quote, budget_of, quote_of
from orderspec.orders._drafts import can_discard
from orderspec.orders._run import run
from orderspec.orders._sandboxes import SandboxPool, pool_for
from orderspec.orders._specs import load_orders
from orderspec.orders._target import prepare


@dataclass(frozen=True)
class PlannedOrder:
    """The order ``apply`` would place for one spec."""

    spec: str
    name: str
    system: str
    profile: str
    base_url: str
    sandbox: bool
    items: tuple[Mapping[str, Any], ...]
    addresses: Mapping[str, Any]
    shipping: str | None
    payment: str | None
    discount_code: str | None
    reference: str | None
    resolved: Mapping[str, Any]
    quote: Quote | None
    quote_source: str | None
    """``catalogue`` (computed from read-only answers), ``draft`` (a draft priced, then deleted) or None."""
    budget: Budget | None
    would_run: tuple[str, ...]
    notes: tuple[str, ...] = field(default=())

    @property
    def over_budget(self) -> Decimal | None:
        if self.budget is None or self.quote is None or self.quote.total <= self.budget.max_total:
            return None
        return self.quote.total - self.budget.max_total


def plan(
    paths: Iterable[str | os.PathLike[str]],
    *,
    sandbox: bool = False,
    quote: bool = False,
    profile: str | None = None,
    profiles_file: Path | None = None,
    sandboxes: SandboxPool | None = None,
) -> list[PlannedOrder]:
    """Plan every spec under ``paths``; raise the first failure (naming spec and step)."""
    orders = load_orders(paths)
    with pool_for(sandbox, sandboxes) as pool:
        return [_plan_one(label, order, quote, profile, profiles_file, pool) for label, order in orders]


def _plan_one(label: str, order: Any, quote: bool, profile: str | None, profiles_file: Path | None, pool: SandboxPool | None) -> PlannedOrder:
    prepared = prepare(order, label=label, profile_name=profile, profiles_file=profiles_file, sandboxes=pool)
    notes: list[str] = []
    draft = quote and can_discard(prepared.flow)
    if quote and not draft:
        notes.append(f"{prepared.system} cannot delete a draft, so no draft was created to quote")
    if prepared.flow.plan_note and not draft:
        notes.append(prepared.flow.plan_note)
    outcome = run(prepared, stop_before="place" if draft else "create", discard_draft=draft)
    if outcome.discarded is not None:
        notes.append(str(outcome.discarded))
    found = quote_of(outcome.vars)
    source = None if found is None else ("draft" if draft else "catalogue")
    would_run = _from_first_create(prepared.flow.steps)
    data = order.data
    return PlannedOrder(
        **prepared.destination,
        items=tuple(_item(item) for item in data.get("items") or []),
        addresses=_addresses(data),
        shipping=(data.get("shipping") or {}).get("method"),
        payment=(data.get("payment") or {}).get("method"),
        discount_code=data.get("discount_code"),
        reference=data.get("reference"),
        resolved=dict(outcome.outputs.get("resolved") or {}),
        quote=found,
        quote_source=source,
        budget=budget_of(data),
        would_run=would_run,
        notes=tuple(notes),
    )


def _from_first_create(steps: Iterable[Any]) -> tuple[str, ...]:
    """Names of the top-level steps from the first that creates something: what only apply runs."""
    names: list[str] = []
    for step in steps:
        if names or step.effect in ("create", "place"):
            names.append(step.name)
    return tuple(names)


_ITEM_KEYS = ("name", "file", "sku", "files", "unit", "process", "material", "quality", "color", "post_processing", "quantity")


def _item(item: Mapping[str, Any]) -> dict[str, Any]:
    return {key: item[key] for key in _ITEM_KEYS if item.get(key) not in (None, [], "")}


def _addresses(data: Mapping[str, Any]) -> dict[str, Any]:
    addresses = data.get("addresses") or {}
    return {kind: dict(addresses[kind]) for kind in ("shipping", "billing") if addresses.get(kind)}
