"""``plan``: what ``apply`` would order for one spec, with every name resolved, nothing placed.

The flow runs its ``read`` steps only (``stop_before="write"``): catalogues are fetched
and every name is resolved (an unknown one fails here, with the valid names), and no
request that changes anything is sent. The reads' results travel in the ``Plan`` value,
so ``apply`` of that plan carries on from them instead of reading again (unless the plan
is older than ``Runtime.plan_max_age``). With ``quote=True`` the flow runs up to its
``place`` step, so the target prices a real draft, which is deleted afterwards; where a
system cannot delete drafts (the Service Panel), plan stays read-only and says so.

With a state (``Runtime.state``) each spec is compared with its record first (see
``_standing``): only a spec to create runs its reads; one to resume shows where it stopped,
and an unchanged, drifted or uncertain one sends nothing at all.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from orderspec.catalogue import explain_unknown_names
from orderspec.orders._budget import Budget, Quote, budget_of, quote_of
from orderspec.orders._contract import names
from orderspec.orders._drafts import can_discard
from orderspec.orders._prepare import CUSTOM, Prepared
from orderspec.orders._run import run
from orderspec.orders._runtime import Runtime
from orderspec.orders._standing import Standing, assess


@dataclass(frozen=True)
class Plan:
    """The order ``apply`` would place for one spec, and the reads it was resolved with."""

    prepared: Prepared = field(repr=False)
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
    notes: tuple[str, ...] = ()
    reads: Mapping[str, Any] = field(default_factory=dict, repr=False)
    """The variables the read steps captured; ``apply`` starts from them."""
    done: tuple[str, ...] = ()
    """Paths of the read steps that ran; ``apply`` does not send them again."""
    planned_at: float = 0.0
    """``Runtime.clock.monotonic()`` when the reads ran."""
    standing: Standing = field(default_factory=lambda: Standing("create"))
    """What the state says of this spec: its action (create, resume, unchanged, drift, uncertain) and record."""

    @property
    def action(self) -> str:
        return self.standing.action

    @property
    def spec(self) -> str:
        return self.prepared.label

    @property
    def name(self) -> str:
        return str(self.prepared.order.name)

    @property
    def system(self) -> str:
        return self.prepared.system

    @property
    def profile(self) -> str:
        return self.prepared.profile.name

    @property
    def base_url(self) -> str:
        return self.prepared.profile.base_url

    @property
    def sandbox(self) -> bool:
        return self.prepared.profile.sandbox

    @property
    def over_budget(self) -> Decimal | None:
        if self.budget is None or self.quote is None or self.quote.total <= self.budget.max_total:
            return None
        return self.quote.total - self.budget.max_total


def plan(prepared: Prepared, runtime: Runtime, *, quote: bool = False) -> Plan:
    """Plan one prepared spec: read-only requests, or a priced and deleted draft with ``quote``.

    With a state, a spec that is not to be created sends nothing (see ``_standing``).
    """
    standing = Standing("create")
    if runtime.state is not None:
        record = runtime.state.store.get(prepared.order.name, prepared.profile.name)
        standing = assess(record, prepared.order.digest, prepared.flow)
    if standing.action != "create":
        return _from_state(prepared, standing, runtime)
    notes: list[str] = []
    if standing.reason:
        notes.append(standing.reason)
    draft = quote and can_discard(prepared.flow)
    if quote and not draft:
        notes.append(f"{prepared.system} cannot delete a draft, so no draft was created to quote")
    if prepared.flow.plan_note and not draft:
        notes.append(prepared.flow.plan_note)
    started = runtime.clock.monotonic()
    read_methods = None
    if not draft and prepared.system == CUSTOM and not prepared.profile.plan_post_reads:
        from orderspec.engine import READ_METHODS

        read_methods = READ_METHODS
        unvouched = _unvouched_reads(prepared.flow.steps)
        if unvouched:
            name, method = unvouched[0]
            notes.append(
                f"plan does not send step {name!r}, a {method} that only the spec's own flow calls a read "
                f"(plan_post_reads: true on profile {prepared.profile.name!r} lets plan send it)"
            )
    with explain_unknown_names(prepared, runtime):  # an unknown name: every unknown name of the spec at once
        outcome = run(prepared, runtime, stop_before="place" if draft else "write", discard_draft=draft, read_methods=read_methods)
    if outcome.discarded is not None:
        notes.append(str(outcome.discarded))
    contract = names(prepared.flow)
    found = quote_of(outcome.vars, contract.quote_total, contract.quote_currency)
    source = None if found is None else ("draft" if draft else "catalogue")
    reads = tuple(step.path for step in outcome.steps if step.effect == "read" and step.outcome == "ok")
    data = prepared.order.data
    resolved = outcome.outputs.get(contract.resolved) if contract.resolved else None
    return Plan(
        prepared=prepared,
        items=tuple(_item(item) for item in data.get("items") or []),
        addresses=_addresses(data),
        shipping=(data.get("shipping") or {}).get("method"),
        payment=(data.get("payment") or {}).get("method"),
        discount_code=data.get("discount_code"),
        reference=data.get("reference"),
        resolved=dict(resolved or {}),
        quote=found,
        quote_source=source,
        budget=budget_of(data),
        would_run=_from_first_change(prepared.flow.steps),
        notes=tuple(notes),
        # a quote draft was deleted: what its steps captured must not be reused
        reads={} if draft else dict(outcome.vars),
        done=() if draft else reads,
        planned_at=started,
        standing=standing,
    )


def _from_state(prepared: Prepared, standing: Standing, runtime: Runtime) -> Plan:
    """The plan of a spec its record decides: what it would order, and where its run stands; nothing is sent."""
    record = standing.record
    assert record is not None
    contract = names(prepared.flow)
    data = prepared.order.data
    notes = [standing.reason] if standing.reason else []
    quote = quote_of(record.vars, contract.quote_total, contract.quote_currency) if standing.action == "resume" else None
    if standing.action == "drift":
        notes.append(f"placed as order {record.order_number} from an earlier version of the spec; it is not ordered again")
    return Plan(
        prepared=prepared,
        items=tuple(_item(item) for item in data.get("items") or []),
        addresses=_addresses(data),
        shipping=(data.get("shipping") or {}).get("method"),
        payment=(data.get("payment") or {}).get("method"),
        discount_code=data.get("discount_code"),
        reference=data.get("reference"),
        resolved={},
        quote=quote,
        quote_source=None if quote is None else "checkpoint",
        budget=budget_of(data),
        would_run=_remaining(prepared.flow.steps, record.done) if standing.action == "resume" else (),
        notes=tuple(notes),
        planned_at=runtime.clock.monotonic(),
        standing=standing,
    )


def _remaining(steps: Iterable[Any], done: tuple[str, ...]) -> tuple[str, ...]:
    """Names of the top-level steps a resumed run has yet to finish (a group it stopped inside included)."""
    steps = list(steps)
    tops = [path.split("/", 1)[0].split("[", 1)[0] for path in done]
    reached = [index for index, step in enumerate(steps) if step.name in tops]
    if not reached:
        return tuple(step.name for step in steps)
    last = max(reached)
    inside = steps[last].for_each is not None and tops[-1] == steps[last].name
    return tuple(step.name for step in steps[last if inside else last + 1 :])


def _from_first_change(steps: Iterable[Any]) -> tuple[str, ...]:
    """Names of the top-level steps from the first that changes something: what only apply sends."""
    names: list[str] = []
    for step in steps:
        if names or step.effect != "read":
            names.append(step.name)
    return tuple(names)


_ITEM_KEYS = ("name", "file", "sku", "files", "unit", "process", "material", "quality", "color", "post_processing", "quantity")


def _item(item: Mapping[str, Any]) -> dict[str, Any]:
    return {key: item[key] for key in _ITEM_KEYS if item.get(key) not in (None, [], "")}


def _addresses(data: Mapping[str, Any]) -> dict[str, Any]:
    addresses = data.get("addresses") or {}
    return {kind: dict(addresses[kind]) for kind in ("shipping", "billing") if addresses.get(kind)}


def _unvouched_reads(steps: Iterable[Any]) -> list[tuple[str, str]]:
    """``(step, method)`` of every read step whose method reads only on the flow's word, in flow order."""
    from orderspec.engine import READ_METHODS

    found: list[tuple[str, str]] = []
    for step in steps:
        if step.request is not None and step.effect == "read" and step.request.method not in READ_METHODS:
            found.append((step.name, step.request.method))
        found.extend(_unvouched_reads(step.steps))
    return found
