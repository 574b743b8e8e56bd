"""The values of a catalogue: kinds of names, their entries, and what one target offers.

A catalogue flow's outputs name kinds (``materials``, ``shipping_methods``); each is a
list of entries ``{name, id, detail, within, fields}``. ``name`` is exactly what a spec
writes; ``within`` says which other spec value scopes the entry (a CTQ material belongs
to a process, a 3YOURMIND address to a customer); ``fields`` holds an address's parts
in the spec's own terms. The kinds and the spec fields they answer are the spec format's,
the same for every target.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Kind:
    """One kind of name: the flow output it comes from and the spec field that uses it."""

    key: str
    """The catalogue flow's output name, e.g. ``materials``."""
    field: str
    """Where a spec writes it, e.g. ``items[].material``."""
    label: str
    """How messages name one of them, e.g. ``material``."""
    telling: bool = False
    """Candidates in messages show their ``detail`` too (addresses, customers): names alone do not tell them apart."""


KINDS: tuple[Kind, ...] = (
    Kind("processes", "items[].process", "process"),
    Kind("materials", "items[].material", "material"),
    Kind("qualities", "items[].quality", "quality"),
    Kind("colors", "items[].color", "colour"),
    Kind("post_processing", "items[].post_processing[]", "post-processing"),
    Kind("skus", "items[].sku", "SKU"),
    Kind("shipping_methods", "shipping.method", "shipping method"),
    Kind("payment_methods", "payment.method", "payment method"),
    Kind("customers", "customer.email", "customer", telling=True),
    Kind("addresses", "addresses.shipping, addresses.billing", "address", telling=True),
    Kind("countries", "addresses.*.country", "country"),
)
"""Every kind a spec can use, in the order a catalogue lists them."""

NOTES = "notes"
"""The catalogue flow output holding remarks for the reader (a list of text), not a kind."""


def kind_of(key: str) -> Kind:
    """The kind behind a flow output; an output orderspec does not know stays listed under its own name."""
    for kind in KINDS:
        if kind.key == key:
            return kind
    return Kind(key, "", key.replace("_", " "))


@dataclass(frozen=True)
class Entry:
    """One name a spec can write."""

    name: str
    id: str | None = None
    detail: str = ""
    """What tells it apart from others (an address's street, city and country; a description)."""
    within: Mapping[str, str] = field(default_factory=dict)
    """Spec value -> the name it must be for this entry to apply, e.g. ``{"process": "SLS"}``."""
    fields: Mapping[str, str] = field(default_factory=dict)
    """An address's parts as a spec writes them (``street``, ``zip``, ``city``, ``country``)."""

    def describe(self, kind: Kind) -> str:
        """The entry as a message shows it: the name, and its detail where names do not tell apart."""
        text = repr(self.name)
        if kind.telling and self.detail:
            text += f" ({self.detail})"
        return text

    def as_json(self) -> dict[str, Any]:
        return {"name": self.name, "id": self.id, "detail": self.detail, "within": dict(self.within), "fields": dict(self.fields)}


@dataclass(frozen=True)
class Section:
    """The entries of one kind."""

    kind: Kind
    entries: tuple[Entry, ...]

    def names(self) -> list[str]:
        return [entry.name for entry in self.entries]


@dataclass(frozen=True)
class Catalogue:
    """Every name one target offers a spec, as read with one profile."""

    system: str
    title: str
    profile: str
    base_url: str
    sandbox: bool
    sections: tuple[Section, ...]
    notes: tuple[str, ...] = ()

    def section(self, key: str) -> Section | None:
        for section in self.sections:
            if section.kind.key == key:
                return section
        return None

    def as_json(self) -> dict[str, Any]:
        """The document ``orderspec catalogue --format json`` prints (``schemas/output/catalogue.schema.json``)."""
        return {
            "system": self.system,
            "profile": self.profile,
            "base_url": self.base_url,
            "sandbox": self.sandbox,
            "kinds": [
                {"kind": section.kind.key, "field": section.kind.field, "entries": [entry.as_json() for entry in section.entries]} for section in self.sections
            ],
            "notes": list(self.notes),
        }
