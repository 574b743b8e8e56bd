"""What ``plan`` and ``apply`` print: text for people, JSON for machines."""

from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TextIO, cast

from orderspec.orders._apply import PlacedOrder
from orderspec.orders._batch import FailedOrder
from orderspec.orders._budget import Quote
from orderspec.orders._ledger import describe_record
from orderspec.orders._plan import Plan
from orderspec.orders._standing import ACTIONS
from orderspec.terminal import terminal_safe

if TYPE_CHECKING:
    from orderspec.state import Record


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


def _settled_line(entry: Plan) -> str | None:
    """One line for a spec whose record settles it (nothing to send); None for one to create or resume."""
    record = entry.standing.record
    if entry.action == "unchanged" and record is not None:
        return f"{entry.name} ({entry.spec}): unchanged, placed as order {record.order_number}; nothing to do"
    if entry.action == "drift" and record is not None:
        return (
            f"{entry.name} ({entry.spec}): drift: placed as order {record.order_number} from an earlier version of the spec, "
            f"which has changed since; it is not ordered again (rename the spec, or 'orderspec state forget {entry.name}', to order it again)"
        )
    if entry.action == "uncertain":
        why = entry.standing.reason or "a create or place request was sent and its outcome is unknown"
        return (
            f"{entry.name} ({entry.spec}): uncertain: {why}; apply leaves it alone until "
            f"'orderspec resolve {entry.name} --profile {entry.profile} --placed ORDER_ID | --not-placed'"
        )
    return None


def orphan_line(record: Record) -> str:
    """An orphan: state for a spec that is no longer among those given."""
    placed = f"placed as order {record.order_number}" if record.order_number else record.phase.value
    return (
        f"{record.name} (profile {record.profile}): orphan: recorded ({placed}) for {record.spec or 'a spec'}, which is no longer there; "
        f"nothing is done ('orderspec state forget {record.name} --profile {record.profile}' removes the record)"
    )


def counts(planned: Iterable[Plan], orphans: Sequence[Record] = ()) -> dict[str, int]:
    """How many specs per action, in ``ACTIONS`` order (every action, zeros included)."""
    found = Counter(entry.action for entry in planned)
    found["orphan"] += len(orphans)
    return {action: found[action] for action in ACTIONS}


_WORDS = {"create": "to create", "resume": "to resume", "unchanged": "unchanged", "drift": "drifted", "orphan": "orphaned", "uncertain": "uncertain"}


def summary_line(numbers: Mapping[str, int], failed: int = 0) -> str:
    """``2 to create, 1 to resume, 3 unchanged, 1 drifted`` (actions with no spec left out)."""
    parts = [f"{count} {_WORDS[action]}" for action, count in numbers.items() if count]
    if failed:
        parts.append(f"{failed} failed")
    return ", ".join(parts) or "no specs"


def plan_text(planned: Iterable[Plan], orphans: Sequence[Record] = (), failed: int = 0) -> str:
    planned = list(planned)
    blocks = []
    for entry in planned:
        settled = _settled_line(entry)
        if settled is not None:
            blocks.append(settled)
            continue
        lines = [f"{entry.name} ({entry.spec})", f"  target:    {_where(entry.system, entry.profile, entry.base_url, entry.sandbox)}"]
        record = entry.standing.record
        if entry.action == "resume" and record is not None:
            where = f"after {record.done[-1]!r} ({len(record.done)} steps done)" if record.done else "from the start"
            lines.append(f"  action:    resume {where}")
            if entry.standing.unknown:
                lines.append(f"  first:     read back {entry.standing.unknown!r}: its outcome is unknown; it is sent again only if it did not take effect")
        else:
            lines.append("  action:    create")
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
            sources = {"draft": "priced on a draft that was deleted", "checkpoint": "as the stopped run read it"}
            source = sources.get(entry.quote_source or "", "from catalogue prices")
            lines.append(f"  quote:     {entry.quote} ({source})")
        elif entry.action == "resume":
            lines.append("  quote:     read by the resumed run")
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
    blocks.extend(orphan_line(record) for record in orphans)
    blocks.append(f"Plan: {summary_line(counts(planned, orphans), failed)}; nothing was placed.")
    # what a person confirms is what is sent: an escape sequence in a name or an answer cannot redraw it
    return terminal_safe("\n\n".join(blocks))


def plan_json(planned: Iterable[Plan], failures: Iterable[FailedOrder] = (), orphans: Sequence[Record] = ()) -> dict[str, Any]:
    planned = list(planned)
    failures = list(failures)
    orders = []
    for entry in planned:
        record = entry.standing.record
        orders.append(
            {
                **_destination(entry),
                "action": entry.action,
                "reason": entry.standing.reason or None,
                "read_back": entry.standing.unknown,
                "record": None if record is None else describe_record(record),
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
    summary = counts(planned, orphans)
    return {
        "orders": orders,
        "orphans": [describe_record(record) for record in orphans],
        "failed": failed,
        "summary": {**summary, "failed": len(failed)},
        "placed": 0,
    }


# -- apply --------------------------------------------------------------------------


def placed_text(placed: PlacedOrder) -> str:
    """One placed (or settled) order as a line for people; an order number the target chose is shown escaped."""
    return terminal_safe(_placed_text(placed))


def _placed_text(placed: PlacedOrder) -> str:
    where = _where(placed.system, placed.profile, placed.base_url, placed.sandbox)
    if placed.action == "unchanged":
        return f"unchanged {placed.name}: order {placed.order_number} was placed before; nothing sent"
    if placed.action == "drift":
        return (
            f"drift {placed.name}: order {placed.order_number} was placed from an earlier version of {placed.spec}, which has changed since; "
            f"not ordered again (rename the spec, or 'orderspec state forget {placed.name}', to order it again)"
        )
    price = f" for {placed.quote}" if placed.quote is not None else ""
    how = f" ({placed.note})" if placed.note else ""
    line = f"placed {placed.name}: order {placed.order_number}{price} on {where}{how}"
    return "\n".join([line, *(f"  warning: after placing: {warning}" for warning in placed.warnings)])


def apply_summary(placed: Sequence[PlacedOrder], orphans: Sequence[Record] = (), failed: int = 0) -> str:
    """``3 orders placed, 2 unchanged, 1 drifted.``"""
    count = sum(entry.action == "placed" for entry in placed)
    parts = [f"{count} order{'s' if count != 1 else ''} placed"]
    for action, word in (("unchanged", "unchanged"), ("drift", "drifted")):
        number = sum(entry.action == action for entry in placed)
        if number:
            parts.append(f"{number} {word}")
    if orphans:
        parts.append(f"{len(orphans)} orphaned")
    if failed:
        parts.append(f"{failed} not placed")
    return ", ".join(parts) + "."


def apply_json(placed: Iterable[PlacedOrder], failures: Iterable[FailedOrder] = (), orphans: Sequence[Record] = ()) -> dict[str, Any]:
    placed = list(placed)
    failures = list(failures)

    def entry_json(entry: PlacedOrder) -> dict[str, Any]:
        return {
            **_destination(entry),
            "order_number": entry.order_number,
            "outputs": {key: value for key, value in entry.outputs.items() if key != "resolved"},
            "quote": _quote(entry.quote),
            "elapsed": round(entry.elapsed, 3),
            "warnings": list(entry.warnings),
            "note": entry.note or None,
        }

    return {
        "placed": [entry_json(entry) for entry in placed if entry.action == "placed"],
        "unchanged": [entry_json(entry) for entry in placed if entry.action == "unchanged"],
        "drift": [entry_json(entry) for entry in placed if entry.action == "drift"],
        "orphans": [describe_record(record) for record in orphans],
        "failed": [{"spec": f.spec, "name": f.name, "step": f.step, "message": f.message, "exit_code": f.exit_code} for f in failures],
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


class ParallelProgress:
    """One display for specs applied side by side: each spec's lines, whole, prefixed with its name.

    Events arrive from several threads; a lock keeps lines from interleaving, and a
    terminal gets plain lines, since a live line cannot belong to several specs at once.
    """

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self._lock = threading.Lock()
        self._shown: dict[str, ApplyProgress] = {}

    def __call__(self, prepared: Any, event: Any) -> None:
        with self._lock:
            progress = self._shown.get(prepared.label)
            if progress is None:
                progress = self._shown[prepared.label] = ApplyProgress(cast(TextIO, _Prefixed(self.stream, prepared.order.name)), live=False)
            progress(prepared, event)


class _Prefixed:
    """A text stream that starts each line with ``name: ``."""

    def __init__(self, stream: TextIO, name: str) -> None:
        self._stream = stream
        self._prefix = f"{name}: "
        self._at_start = True

    def write(self, text: str) -> int:
        for line in text.splitlines(keepends=True):
            if self._at_start:
                self._stream.write(self._prefix)
            self._stream.write(line)
            self._at_start = line.endswith("\n")
        return len(text)

    def flush(self) -> None:
        self._stream.flush()

    def isatty(self) -> bool:
        return False
