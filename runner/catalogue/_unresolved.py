"""Every name of a spec that a catalogue does not offer, each with its closest match.

``plan`` stops at the first name the flow cannot resolve; ``explain_unknown_names`` turns
that stop into one report of every unresolved name in the spec, read against the
target's catalogue with the same profile and transport. Names are matched as the flows'
``pick`` matches them: exactly, or a single match ignoring case.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from orderspec.catalogue._model import Catalogue, Entry, Kind, Section
from orderspec.errors import Location, OrderspecError

if TYPE_CHECKING:
    from orderspec.orders import Prepared, Runtime

JsonPath = tuple[str | int, ...]

_SHOWN = 12
"""Candidates listed per name; the catalogue command lists them all."""


@dataclass(frozen=True)
class Unresolved:
    """One name the catalogue does not offer where the spec writes it."""

    path: JsonPath
    name: str
    kind: Kind
    closest: str | None
    candidates: tuple[str, ...]
    """The valid choices in that place, as messages show them."""
    scope: str = ""
    """What narrowed the choices, e.g. ``process 'SLS'``."""
    location: Location | None = None

    @property
    def where(self) -> str:
        return _format(self.path)

    def __str__(self) -> str:
        scope = f" for {self.scope}" if self.scope else ""
        if self.candidates:
            text = f"{self.where} {self.name!r}: no {self.kind.label}{scope} matches; closest match {self.closest!r}"
            text += f"; choose one of {', '.join(self.candidates)}"
        else:
            text = f"{self.where} {self.name!r}: no {self.kind.label}{scope} matches, and the catalogue lists none"
        return f"{self.location}: {text}" if self.location else text

    def as_json(self) -> dict[str, Any]:
        return {
            "path": self.where,
            "name": self.name,
            "kind": self.kind.key,
            "closest": self.closest,
            "candidates": list(self.candidates),
            "scope": self.scope or None,
            "file": self.location.file if self.location else None,
            "line": self.location.line if self.location else None,
            "column": self.location.column if self.location else None,
        }


class UnresolvedNames(OrderspecError):
    """A spec names things its target's catalogue does not offer; ``unresolved`` lists every one."""

    def __init__(self, label: str, catalogue: Catalogue, unresolved: Sequence[Unresolved], *, step: str | None = None, hint: str | None = None) -> None:
        count = len(unresolved)
        noun = "name is" if count == 1 else "names are"
        lines = [f"{label}: {count} {noun} not in the {catalogue.title} catalogue (profile {catalogue.profile}):"]
        lines += [f"  {entry}" for entry in unresolved]
        super().__init__("\n".join(lines), hint=hint)
        self.unresolved = tuple(unresolved)
        self.step = step


def unresolved_names(order: Any, catalogue: Catalogue) -> list[Unresolved]:
    """Every name in ``order`` (a validated ``orderspec.spec.Order``) that ``catalogue`` does not offer, in spec order."""
    data: Mapping[str, Any] = order.data
    document = getattr(order, "document", None)
    found: list[Unresolved] = []

    def check(section: Section | None, path: JsonPath, value: Any, scope: Mapping[str, Any]) -> None:
        if section is None or not isinstance(value, (str, int, float)) or isinstance(value, bool) or value == "":
            return
        miss = _miss(section, str(value), scope, path)
        if miss is not None:
            location = document.locate(path) if document is not None else None
            found.append(miss if location is None else _located(miss, location))

    spec_scope = {"customer": (data.get("customer") or {}).get("email")}
    for index, item in enumerate(data.get("items") or []):
        if not isinstance(item, Mapping):
            continue
        scope = {**spec_scope, **item}
        for key, field in (("processes", "process"), ("materials", "material"), ("qualities", "quality"), ("colors", "color"), ("skus", "sku")):
            check(catalogue.section(key), ("items", index, field), item.get(field), scope)
        for position, name in enumerate(item.get("post_processing") or []):
            check(catalogue.section("post_processing"), ("items", index, "post_processing", position), name, scope)
    check(catalogue.section("shipping_methods"), ("shipping", "method"), (data.get("shipping") or {}).get("method"), spec_scope)
    check(catalogue.section("payment_methods"), ("payment", "method"), (data.get("payment") or {}).get("method"), spec_scope)
    check(catalogue.section("customers"), ("customer", "email"), (data.get("customer") or {}).get("email"), spec_scope)
    written = _written_addresses(data)
    for role, address in written.items():
        check(catalogue.section("countries"), ("addresses", role, "country"), address.get("country"), spec_scope)
        miss = _address_miss(catalogue.section("addresses"), role, address, spec_scope)
        if miss is not None:
            location = document.locate(("addresses", role)) if document is not None else None
            found.append(miss if location is None else _located(miss, location))
    if all(miss.location is not None for miss in found):
        found.sort(key=lambda miss: (miss.location.line, miss.location.column) if miss.location else (0, 0))
    return found


def _located(miss: Unresolved, location: Location) -> Unresolved:
    return Unresolved(miss.path, miss.name, miss.kind, miss.closest, miss.candidates, miss.scope, location)


def _narrowing(section: Section, scope: Mapping[str, Any]) -> dict[str, Any]:
    """The spec values that narrow ``section``: those it scopes by and the spec writes with a known name.

    A value the catalogue does not know (an unknown material) narrows nothing, so its
    post-processings are checked against all, and only the material is reported.
    """
    narrowing: dict[str, Any] = {}
    for key in sorted({key for entry in section.entries for key in entry.within}):
        given = scope.get(key)
        if given is None or given == "" or given == []:
            continue
        known = {entry.within[key] for entry in section.entries if key in entry.within}
        values = given if isinstance(given, list) else [given]
        if any(_same(str(value), name) for value in values for name in known):
            narrowing[key] = given
    return narrowing


def _applies(entry: Entry, scope: Mapping[str, Any]) -> bool:
    """An entry scoped ``within`` other values applies where the spec writes those values (or leaves them out)."""
    for key, wanted in entry.within.items():
        given = scope.get(key)
        if given is None or given == "" or given == []:
            continue
        values = given if isinstance(given, list) else [given]
        if not any(_same(str(value), wanted) for value in values):
            return False
    return True


def _same(a: str, b: str) -> bool:
    return a == b or a.casefold().strip() == b.casefold().strip()


def _matches(names: Sequence[str], name: str) -> bool:
    """As ``pick``: an exact match, or exactly one match ignoring case."""
    if name in names:
        return True
    wanted = name.casefold().strip()
    return sum(1 for candidate in names if candidate.casefold().strip() == wanted) == 1


def _miss(section: Section, name: str, scope: Mapping[str, Any], path: JsonPath) -> Unresolved | None:
    narrowing = _narrowing(section, scope)
    entries = [entry for entry in section.entries if _applies(entry, narrowing)]
    names = list(dict.fromkeys(entry.name for entry in entries))
    if _matches(names, name):
        return None
    narrowed = ", ".join(f"{key.replace('_', '-')} {_scope_value(value)}" for key, value in narrowing.items())
    close = difflib.get_close_matches(name, names, n=1, cutoff=0.0)
    return Unresolved(path, name, section.kind, close[0] if close else None, _shown(section, entries), narrowed)


def _shown(section: Section, entries: Sequence[Entry]) -> tuple[str, ...]:
    """The candidates as messages show them: each once, at most ``_SHOWN``."""
    shown = list(dict.fromkeys(entry.describe(section.kind) for entry in entries))
    return tuple(shown[:_SHOWN] + (["..."] if len(shown) > _SHOWN else []))


def _scope_value(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(repr(str(part)) for part in value)
    return repr(str(value))


_ADDRESS_PARTS = ("street", "zip", "city", "country")
"""The parts of a spec address the flows match a stored address on."""


def _written_addresses(data: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    """The addresses the spec writes; a billing address that only defaults to the shipping one is not checked twice."""
    addresses = data.get("addresses") or {}
    written: dict[str, Mapping[str, Any]] = {}
    for role in ("shipping", "billing"):
        address = addresses.get(role)
        if not isinstance(address, Mapping):
            continue
        if role == "billing" and written.get("shipping") == address:
            continue
        written[role] = address
    return written


def _address_parts(address: Mapping[str, Any]) -> dict[str, str]:
    """The parts a target's stored address is compared on, as the flows compare them (street with house number)."""
    parts: dict[str, str] = {}
    if address.get("street"):
        parts["street"] = str(address["street"]) + (f" {address['house_number']}" if address.get("house_number") else "")
    for key in ("zip", "city", "country"):
        if address.get(key):
            parts[key] = str(address[key])
    return parts


def _address_miss(section: Section | None, role: str, address: Mapping[str, Any], scope: Mapping[str, Any]) -> Unresolved | None:
    """A spec address must match every part it gives of one stored address (the first such is used)."""
    if section is None:
        return None
    given = _address_parts(address)
    if not given:
        return None
    narrowing = _narrowing(section, scope)
    entries = [entry for entry in section.entries if _applies(entry, narrowing)]
    for entry in entries:
        if all(entry.fields.get(key) == value for key, value in given.items()):
            return None
    text = ", ".join(given[key] for key in _ADDRESS_PARTS if key in given)
    by_text = {", ".join(entry.fields.get(key, "") for key in _ADDRESS_PARTS if key in given): entry for entry in entries}
    close = difflib.get_close_matches(text, list(by_text), n=1, cutoff=0.0)
    narrowed = ", ".join(f"{key} {_scope_value(value)}" for key, value in narrowing.items())
    closest = by_text[close[0]].name if close else None
    return Unresolved(("addresses", role), text, section.kind, closest, _shown(section, entries), narrowed)


def _format(path: JsonPath) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


@contextmanager
def explain_unknown_names(prepared: Prepared, runtime: Runtime) -> Iterator[None]:
    """Around a spec's plan run: a stop at an unknown name becomes ``UnresolvedNames`` listing every one.

    Only a stop caused by ``orderspec.engine.PickError`` is explained. The catalogue is
    read with the spec's own profile and the runtime's transport; should that fail, or
    should the catalogue find nothing wrong, the original error stands.
    """
    try:
        yield
    except OrderspecError as exc:
        if not _caused_by_pick(exc) or prepared.system not in _systems():
            raise
        found = _read_and_check(prepared, runtime)
        if found is None:
            raise
        catalogue, unresolved = found
        hint = f"every name it can use: orderspec catalogue {prepared.label}" + (" --sandbox" if prepared.profile.sandbox else "")
        raise UnresolvedNames(prepared.label, catalogue, unresolved, step=getattr(exc, "step", None), hint=hint) from None


def _systems() -> tuple[str, ...]:
    from orderspec.targets import names

    return names()


def _caused_by_pick(exc: BaseException) -> bool:
    """Whether ``exc``, or an error it was raised from or while handling, is a ``PickError``."""
    from orderspec.engine import PickError

    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, PickError):
            return True
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return False


def _read_and_check(prepared: Prepared, runtime: Runtime) -> tuple[Catalogue, list[Unresolved]] | None:
    from orderspec.catalogue._read import read_catalogue, source_for

    try:
        with runtime.transport(prepared) as transport:
            catalogue = read_catalogue(source_for(prepared), transport=transport, clock=runtime.clock)
    except OrderspecError:
        return None
    found = unresolved_names(prepared.order, catalogue)
    return (catalogue, found) if found else None
