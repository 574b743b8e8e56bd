"""What a recorded command ended with, kept in its cassette and compared on replay.

A recording writes the outcome beside the interactions (vcrpy's cassette ``metadata``,
key ``outcome``): for ``apply`` the order number, the quote and the variables the flow
reports as outputs; for ``plan`` the quote and the resolved names; for ``run`` the
outputs. A replay answers every request from the cassette, so the same flow and spec must
end the same way; if they do not (a capture or an output that changed), the replay fails
with each difference, even though every request matched.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from orderspec.cassettes import PLACEHOLDER, CassetteError, CassetteUnreadable, Scrubber

KEY = "outcome"
"""The cassette metadata key the outcome is stored under."""

RECORD_AGAIN = "if the change is intended, record the cassette again with --record"


class OutcomeChanged(CassetteError):
    """Every request matched the cassette, but the run ended differently than when it was recorded."""

    def __init__(self, message: str, *, path: str, differences: tuple[str, ...]) -> None:
        super().__init__(message, hint=RECORD_AGAIN)
        self.path = path
        self.differences = differences


@dataclass(frozen=True)
class Outcome:
    """The end of one recorded run: what a replay of it must end with too.

    ``command`` is ``apply``, ``plan`` or ``run``; ``name`` the spec's ``metadata.name``
    (the flow's name for ``run``). ``profile`` and ``sandbox`` say how it was recorded, so
    a replay prepares the spec the same way. Values are JSON data as the cassette stores
    them: credentials scrubbed, a loopback URL without its port, a quote's total as text.
    """

    command: str
    name: str
    system: str | None = None
    profile: str | None = None
    sandbox: bool = False
    order_number: str | None = None
    quote: Mapping[str, str] | None = None
    outputs: Mapping[str, Any] = field(default_factory=dict)
    resolved: Mapping[str, Any] | None = None

    def to_data(self) -> dict[str, Any]:
        """The outcome as cassette metadata (fields without a value are left out)."""
        data: dict[str, Any] = {"command": self.command, "name": self.name}
        if self.system is not None:
            data["system"] = self.system
        if self.profile is not None:
            data["profile"] = self.profile
        if self.command != "run":
            data["sandbox"] = self.sandbox
        if self.order_number is not None:
            data["order_number"] = self.order_number
        if self.quote is not None:
            data["quote"] = dict(self.quote)
        if self.resolved is not None:
            data["resolved"] = _plain(self.resolved)
        if self.outputs or self.command != "plan":
            data["outputs"] = _plain(self.outputs)
        return data

    @classmethod
    def from_data(cls, data: Any, *, path: str) -> Outcome:
        """The outcome kept in the cassette at ``path``; ``CassetteUnreadable`` if it is not one."""
        if not isinstance(data, Mapping) or not isinstance(data.get("command"), str) or not isinstance(data.get("name"), str):
            raise CassetteUnreadable(
                f"{path}: metadata.{KEY} is not an outcome orderspec wrote (it needs command and name)",
                hint="record the cassette again with --record",
            )
        quote = data.get("quote")
        return cls(
            command=data["command"],
            name=data["name"],
            system=_text(data.get("system")),
            profile=_text(data.get("profile")),
            sandbox=bool(data.get("sandbox", False)),
            order_number=_text(data.get("order_number")),
            quote={str(key): str(value) for key, value in quote.items()} if isinstance(quote, Mapping) else None,
            outputs=dict(data.get("outputs") or {}),
            resolved=dict(data["resolved"]) if isinstance(data.get("resolved"), Mapping) else None,
        )

    def normalised(self) -> Outcome:
        """This outcome as a cassette would store it (loopback ports and credential values scrubbed)."""
        return Outcome.from_data(_scrubbed(self.to_data()), path="")


def placed_outcome(placed: Any) -> Outcome:
    """The outcome of ``apply`` for one spec, from its ``orderspec.orders.PlacedOrder``."""
    return Outcome(
        command="apply",
        name=placed.name,
        system=placed.system,
        profile=placed.profile,
        sandbox=placed.sandbox,
        order_number=placed.order_number,
        quote=_quote(placed.quote),
        outputs=dict(placed.outputs),
    ).normalised()


def planned_outcome(plan: Any) -> Outcome:
    """The outcome of ``plan`` for one spec, from its ``orderspec.orders.Plan``."""
    return Outcome(
        command="plan",
        name=plan.name,
        system=plan.system,
        profile=plan.profile,
        sandbox=plan.sandbox,
        quote=_quote(plan.quote),
        resolved=dict(plan.resolved),
    ).normalised()


def run_outcome(name: str, result: Any) -> Outcome:
    """The outcome of ``orderspec run`` of a flow named ``name``, from its ``FlowResult``."""
    return Outcome(command="run", name=name, outputs=dict(result.outputs)).normalised()


def differences(recorded: Outcome, replayed: Outcome) -> tuple[str, ...]:
    """How ``replayed`` ends differently from ``recorded``, one line each (none: the same).

    A ``<scrubbed>`` in the recorded outcome stands for any value.
    """
    if recorded.command != replayed.command:
        return (f"the cassette was recorded by {recorded.command}, this run is {replayed.command}",)
    found: list[str] = []
    if recorded.order_number != replayed.order_number:
        found.append(f"order number: recorded {_show(recorded.order_number)}, replayed {_show(replayed.order_number)}")
    if not _same(_quote_data(recorded.quote), _quote_data(replayed.quote)):
        found.append(f"quote: recorded {_show_quote(recorded.quote)}, replayed {_show_quote(replayed.quote)}")
    if recorded.resolved is not None or replayed.resolved is not None:
        found.extend(_walk("resolved", recorded.resolved or {}, replayed.resolved or {}))
    found.extend(_walk("outputs", recorded.outputs, replayed.outputs))
    return tuple(found)


def check(recorded: Outcome | None, replayed: Outcome, *, path: str) -> None:
    """Raise ``OutcomeChanged`` when ``replayed`` ends differently; nothing to compare with passes."""
    if recorded is None:
        return
    found = differences(recorded, replayed.normalised())
    if found:
        details = "".join(f"\n  {line}" for line in found)
        message = f"{path}: every request matched the cassette, but {replayed.name} ends differently than recorded:{details}"
        raise OutcomeChanged(message, path=path, differences=found)


# -- helpers --------------------------------------------------------------------------------------


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _quote(quote: Any) -> dict[str, str] | None:
    if quote is None:
        return None
    return {"total": str(quote.total), "currency": str(quote.currency)}


def _quote_data(quote: Mapping[str, str] | None) -> Any:
    if quote is None:
        return None
    try:
        from decimal import Decimal

        return {"total": Decimal(quote.get("total", "")), "currency": quote.get("currency")}
    except ArithmeticError:
        return dict(quote)


def _show_quote(quote: Mapping[str, str] | None) -> str:
    return "none" if quote is None else f"{quote.get('total')} {quote.get('currency')}".strip()


def _plain(value: Any) -> Any:
    """``value`` as JSON data (a ``Decimal`` or another value becomes text)."""
    return json.loads(json.dumps(value, ensure_ascii=False, default=str))


def _scrubbed(data: dict[str, Any]) -> dict[str, Any]:
    scrubber = Scrubber()
    text = json.dumps(scrubber.data(_plain(data)), ensure_ascii=False)
    return dict(json.loads(scrubber.text(text)))


def _same(recorded: Any, replayed: Any) -> bool:
    if isinstance(recorded, str) and PLACEHOLDER in recorded:
        return True
    if isinstance(recorded, Mapping) and isinstance(replayed, Mapping):
        return recorded.keys() == replayed.keys() and all(_same(recorded[key], replayed[key]) for key in recorded)
    if isinstance(recorded, list) and isinstance(replayed, list):
        return len(recorded) == len(replayed) and all(_same(a, b) for a, b in zip(recorded, replayed))
    return type(recorded) is type(replayed) and bool(recorded == replayed)


def _walk(where: str, recorded: Any, replayed: Any) -> Iterator[str]:
    if _same(recorded, replayed):
        return
    if isinstance(recorded, Mapping) and isinstance(replayed, Mapping):
        for key in sorted({*recorded, *replayed}, key=str):
            here = f"{where}.{key}"
            if key not in replayed:
                yield f"{here}: recorded {_show(recorded[key])}, not in this run"
            elif key not in recorded:
                yield f"{here}: not recorded, this run {_show(replayed[key])}"
            else:
                yield from _walk(here, recorded[key], replayed[key])
        return
    if isinstance(recorded, list) and isinstance(replayed, list) and len(recorded) == len(replayed):
        for index, (old, new) in enumerate(zip(recorded, replayed)):
            yield from _walk(f"{where}[{index}]", old, new)
        return
    yield f"{where}: recorded {_show(recorded)}, replayed {_show(replayed)}"


def _show(value: Any) -> str:
    if value is None:
        return "none"
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 120 else text[:117] + "..."
