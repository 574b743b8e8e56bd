"""The SKU list of the to.photo sandbox: products, their processors, producers and prices.

to.photo has no catalogue endpoint; a mandator gets its SKU list from the key account
manager. The sandbox reads it from ``catalogue.yaml`` beside this module, or from the
file named by ``SandboxConfig.catalogue``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from orderspec.sandbox._catalogue import load_catalogue_file

DEFAULT_CATALOGUE = Path(__file__).resolve().parent / "catalogue.yaml"


@dataclass(frozen=True)
class Sku:
    """One orderable product. Money in tenth of minor units."""

    sku: str
    name: str
    processor: str
    producer: str
    site: str | None
    price: int


@dataclass(frozen=True)
class Catalogue:
    currency: str
    skus: dict[str, Sku]
    shipping: dict[str, int]
    """qos name ("Standard", "Express") -> shipping price."""
    producer_prefixes: dict[str, str]
    """producer -> first digits of its ``producerOrderUniqueIdentifier``."""
    payment_providers: tuple[str, ...]
    countries: frozenset[str]

    def as_json(self) -> dict[str, Any]:
        """The catalogue as plain data, for ``GET /_sandbox/catalogue``."""
        return {
            "currency": self.currency,
            "skus": [
                {"sku": s.sku, "name": s.name, "processor": s.processor, "producer": s.producer, "site": s.site, "price": s.price}
                for s in self.skus.values()
            ],
            "shipping": [{"qos": qos, "price": price} for qos, price in self.shipping.items()],
            "paymentProviders": list(self.payment_providers),
            "countries": sorted(self.countries),
        }


def load_catalogue(path: Path | None = None) -> Catalogue:
    """Read and check a catalogue file; ``None`` means the built-in one."""
    return load_catalogue_file("to.photo", path, DEFAULT_CATALOGUE, _parse)


class _Bad(ValueError):
    """The layout is wrong; the message names the key."""


def _parse(data: dict[str, Any]) -> Catalogue:
    producers = _mapping(data.get("producers"), "producers")
    prefixes: dict[str, str] = {}
    for name, entry in producers.items():
        entry = entry or {}
        if not isinstance(entry, dict):
            raise _Bad(f"producers.{name} must be a mapping")
        prefix = str(entry.get("uniqueIdentifierPrefix", "9000"))
        if not (prefix.isascii() and prefix.isdigit()):
            raise _Bad(f"producers.{name}.uniqueIdentifierPrefix must be digits, not {prefix!r}")
        prefixes[str(name)] = prefix
    skus: dict[str, Sku] = {}
    for code, entry in _mapping(data.get("skus"), "skus").items():
        where = f"skus.{code}"
        if not isinstance(entry, dict):
            raise _Bad(f"{where} must be a mapping")
        producer = _text(entry.get("producer"), f"{where}.producer")
        if producer not in prefixes:
            raise _Bad(f"{where}.producer {producer!r} is not listed under producers")
        site = entry.get("site")
        skus[str(code)] = Sku(
            sku=str(code),
            name=_text(entry.get("name"), f"{where}.name"),
            processor=_text(entry.get("processor"), f"{where}.processor"),
            producer=producer,
            site=None if site is None else _text(site, f"{where}.site"),
            price=_money(entry.get("price", 0), f"{where}.price"),
        )
    if not skus:
        raise _Bad("skus must list at least one SKU")
    shipping_entries = data.get("shipping")
    if not isinstance(shipping_entries, list) or not shipping_entries:
        raise _Bad("shipping must list the qos options, e.g. [{qos: Standard, price: 3450}]")
    shipping: dict[str, int] = {}
    for index, entry in enumerate(shipping_entries):
        if not isinstance(entry, dict):
            raise _Bad(f"shipping[{index}] must be a mapping with qos and price")
        shipping[_text(entry.get("qos"), f"shipping[{index}].qos")] = _money(entry.get("price", 0), f"shipping[{index}].price")
    providers = data.get("paymentProviders", ["Amazon"])
    countries = data.get("countries", ["DE"])
    if not isinstance(providers, list) or not all(isinstance(p, str) for p in providers):
        raise _Bad("paymentProviders must be a list of names")
    if not isinstance(countries, list) or not all(isinstance(c, str) and len(c) == 2 for c in countries):
        raise _Bad("countries must be a list of ISO 3166-1 alpha-2 codes")
    return Catalogue(
        currency=_text(data.get("currency", "EUR"), "currency"),
        skus=skus,
        shipping=shipping,
        producer_prefixes=prefixes,
        payment_providers=tuple(providers),
        countries=frozenset(c.upper() for c in countries),
    )


def _mapping(value: Any, where: str) -> dict[Any, Any]:
    if not isinstance(value, dict) or not value:
        raise _Bad(f"{where} must be a non-empty mapping")
    return value


def _text(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _Bad(f"{where} must be a non-empty text")
    return value


def _money(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise _Bad(f"{where} must be a whole number >= 0 (tenth of minor units), not {value!r}")
    return value
