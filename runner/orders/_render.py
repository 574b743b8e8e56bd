"""What ``plan`` and ``apply`` print: text for people, JSON for machines."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any, TextIO

from orderspec.orders._apply import PlacedOrder
from orderspec.orders._batch import FailedOrder
from orderspec.orders._budget import Quote
from orderspec.orders._plan import Plan


def _size(count: int) -> str:
    """Exact bytes for small uploads, so a person can compare them with the file's size."""
    if count < 10 * 1024:
        return f"{count:,} bytes"
    if count < 10 * 1024 * 1024:
        return f"{count / 1024:,.1f} KiB"
    return f"{count / 1024 / 1024:,.1f} MiB"


def _quote(quote: Quote | None) -> Any:
    return None if quote is None else {"total": float(quote.total), "currency": quote.currency}


_DESTINATION = ("spec", "name", "system", "profile", "base_url", "sandbox")


def _destination(entry: Plan | PlacedOrder) -> dict[str, Any]:
    return {key: getattr(entry, key) for key in _DESTINATION}


def _where(system: str, profile: str, base_url: str, sandbox: bool) -> str:
    return f"{system} at {base_url}" + (" (sandbox)" if sandbox else f" (profile {profile})")


# -- plan ---------------------------------------------------------------------------


def _item_line(index: int, item: Mapping[str, Any]) -> str:
    what = item.get("file") or item.get("sku") or item.get("name") or "?"
    if "sku" in item and item.get("name"):
        what = f"{item['name']} (SKU {item['sku']})"
    settings = " / ".join(str(item[key]) for key in ("process", "material", "quality", "color") if key in item)
    parts = [f"{index}. {what}", f"x{item.get('quantity', 1)}"]
    if settings:
        parts.append(settings)
    if item.get("post_processing"):
        parts.append("+ " + ", ".join(map(str, item["post_processing"])))
    if item.get("unit") and "file" in item:
        parts.append(f"[{item['unit']}]")
    if item.get("files"):
        parts.append(f"{len(item['files'])} file(s): {', '.join(map(str, item['files']))}")
    return "  ".join(parts)


def _address(address: Mapping[str, Any]) -> str:
    name = address.get("name") or " ".join(str(address[k]) for k in ("first_name", "last_name") if address.get(k))
    street = " ".join(str(address[k]) for k in ("street", "house_number") if address.get(k))
    town = " ".join(str(address[k]) for k in ("zip", "city") if address.get(k))
    return ", ".join(part for part in (name, address.get("company"), street, town, address.get("country")) if part)


def plan_text(planned: Iterable[Plan]) -> str:
    blocks = []
    for entry in planned:
        lines = [f"{entry.name} ({entry.spec})", f"  target:    {_where(entry.system, entry.profile, entry.base_url, entry.sandbox)}"]
        lines.append("  items:")
        lines.extend(f"    {_item_line(index, item)}" for index, item in enumerate(entry.items, start=1))
        for kind, address in entry.addresses.items():
            same = kind == "billing" and address == entry.addresses.get("shipping")
            label = "ship to:" if kind == "shipping" else "bill to:"
            lines.append(f"  {label:<10} {'same address' if same else _address(address)}")
        for label, value in (("shipping", entry.shipping), ("payment", entry.payment), ("discount", entry.discount_code), ("reference", entry.reference)):
            if value:
                lines.append(f"  {label + ':':<10} {value}")
        if entry.resolved:
            lines.append("  resolved:  " + ", ".join(f"{key}={json.dumps(value, default=str)}" for key, value in entry.resolved.items()))
        if entry.quote is not None:
            source = "priced on a draft that was deleted" if entry.quote_source == "draft" else "from catalogue prices"
            lines.append(f"  quote:     {entry.quote} ({source})")
        else:
            lines.append("  quote:     not available without creating a draft (use --quote)")
        if entry.budget is not None:
            verdict = "ok" if entry.over_budget is None else f"EXCEEDED by {entry.over_budget:.2f} {entry.budget.currency}"
            if entry.quote is None:
                verdict = "checked before placing"
            lines.append(f"  budget:    {entry.budget.max_total:.2f} {entry.budget.currency} ({verdict})")
        if entry.would_run:
            lines.append("  apply:     " + " -> ".join(entry.would_run))
        lines.extend(f"  note:      {note}" for note in entry.notes)
        blocks.append("\n".join(lines))
    count = len(blocks)
    blocks.append(f"{count} order{'s' if count != 1 else ''} planned; nothing was placed.")
    return "\n\n".join(blocks)


def plan_json(planned: Iterable[Plan], failures: Iterable[FailedOrder] = ()) -> dict[str, Any]:
    orders = []
    for entry in planned:
        orders.append(
            {
                **_destination(entry),
                "items": [dict(item) for item in entry.items],
                "addresses": dict(entry.addresses),
                "shipping": entry.shipping,
                "payment": entry.payment,
                "discount_code": entry.discount_code,
                "reference": entry.reference,
                "resolved": dict(entry.resolved),
                "quote": _quote(entry.quote),
                "quote_source": entry.quote_source,
                "budget": None if entry.budget is None else {"max_total": float(entry.budget.max_total), "currency": entry.budget.currency},
                "over_budget": None if entry.over_budget is None else float(entry.over_budget),
                "would_run": list(entry.would_run),
                "notes": list(entry.notes),
            }
        )
    failed = [{"spec": f.spec, "name": f.name, "step": f.step, "message": f.message} for f in failures]
    return {"orders": orders, "failed": failed, "placed": 0}


# -- apply --------------------------------------------------------------------------


def placed_text(placed: PlacedOrder) -> str:
    price = f" for {placed.quote}" if placed.quote is not None else ""
    line = f"placed {placed.name}: order {placed.order_number}{price} on {_where(placed.system, placed.profile, placed.base_url, placed.sandbox)}"
    return "\n".join([line, *(f"  warning: after placing: {warning}" for warning in placed.warnings)])


def apply_json(placed: Iterable[PlacedOrder], failures: Iterable[FailedOrder] = ()) -> dict[str, Any]:
    return {
        "placed": [
            {
                **_destination(entry),
                "order_number": entry.order_number,
                "outputs": {key: value for key, value in entry.outputs.items() if key != "resolved"},
                "quote": _quote(entry.quote),
                "elapsed": round(entry.elapsed, 3),
                "warnings": list(entry.warnings),
            }
            for entry in placed
        ],
        "failed": [{"spec": f.spec, "name": f.name, "step": f.step, "message": f.message} for f in failures],
    }


def to_json(document: Mapping[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False, default=_default)


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    return str(value)


class ApplyProgress:
    """Per-step progress of ``apply`` on ``stream``: the engine's lines, plus bytes per upload."""

    def __init__(self, stream: TextIO, *, live: bool) -> None:
        from orderspec.engine import Masker
        from orderspec.report import Progress

        self._masker = Masker
        self.stream = stream
        self._progress = Progress(stream, live=live)
        self._current: Any = None
        self._sent: dict[str, int] = {}

    def __call__(self, prepared: Any, event: Any) -> None:
        from orderspec.engine import StepFinished, StepPolled, UploadProgress

        if prepared is not self._current:
            self._current = prepared
            self._progress.mask = self._masker(prepared.secrets.values())
            where = _where(prepared.system, prepared.profile.name, prepared.profile.base_url, prepared.profile.sandbox)
            self.stream.write(f"apply {prepared.order.name} ({prepared.label}) on {where}\n")
        if isinstance(event, UploadProgress):
            self._sent[event.step] = event.sent
        if isinstance(event, StepPolled) and "analysis" in event.step and not self._progress.live:
            self.stream.write(f"wait  {event.step}: analysis not finished yet (poll {event.attempt})\n")
            return
        self._progress(event)
        if isinstance(event, StepFinished) and event.step in self._sent:
            self.stream.write(f"      {event.step}: uploaded {_size(self._sent.pop(event.step))}\n")
        self.stream.flush()
