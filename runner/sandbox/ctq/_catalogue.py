"""The CTQ catalogue: processes with their materials, qualities, colors and postproductions.

Loaded once per app from YAML (``catalogue.yaml`` beside this module, or the user's file).
``info`` is the ``GET /info`` body with the pricing keys removed; the lookups serve the
order handlers.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from orderspec.sandbox._catalogue import load_catalogue_file

BUILT_IN = Path(__file__).resolve().parent / "catalogue.yaml"

# keys the sandbox prices with; not part of the Swagger's /info
_PRICING_KEYS = {"setup_price", "lead_time", "build_rate_cm3_per_hour", "price_per_cm3", "price_factor", "price"}
_KINDS = ("materials", "qualities", "colors", "postproductions")


@dataclass(frozen=True)
class Process:
    """One entry of ``settings[]`` with its options indexed by id."""

    id: str
    name: str
    setup_price: float
    lead_time: float
    build_rate: float
    materials: dict[str, dict[str, Any]]
    qualities: dict[str, dict[str, Any]]
    colors: dict[str, dict[str, Any]]
    postproductions: dict[str, dict[str, Any]]


@dataclass(frozen=True)
class Catalogue:
    info: dict[str, Any]
    processes: dict[str, Process]
    vat_percent: float
    min_order_value: float
    shipping: dict[str, dict[str, Any]]
    countries: dict[str, str]
    languages: frozenset[str]
    discounts: dict[str, float]
    """Discount code -> percent off the subtotal."""


def load_catalogue(path: Path | None) -> Catalogue:
    """Read and index a catalogue; a broken one fails here, with its file name, not on a request."""
    return load_catalogue_file("CTQ", path, BUILT_IN, _index)


def _index(data: dict[str, Any]) -> Catalogue:
    processes: dict[str, Process] = {}
    for entry in data["settings"]:
        options = {kind: {str(option["id"]): option for option in entry.get(kind) or []} for kind in _KINDS}
        processes[str(entry["id"])] = Process(
            id=str(entry["id"]),
            name=str(entry["name"]),
            setup_price=float(entry.get("setup_price", 5.0)),
            lead_time=float(entry.get("lead_time", 5)),
            build_rate=float(entry.get("build_rate_cm3_per_hour", 15.0)) or 15.0,
            **options,
        )
    info = _without_pricing({key: value for key, value in data.items() if key != "discount_codes"})
    return Catalogue(
        info=info,
        processes=processes,
        vat_percent=float(data["vat"]),
        min_order_value=float(data.get("min_order_value", 0)),
        shipping={str(option["id"]): option for option in data["shipping_options"]},
        countries={str(country["id"]): str(country["name"]) for country in data["supported_countries"]},
        languages=frozenset(str(language["code"]) for language in data["supported_languages"]),
        discounts={str(code): float(value["percent"]) for code, value in (data.get("discount_codes") or {}).items()},
    )


def _without_pricing(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            key: _without_pricing(item)
            for key, item in value.items()
            if key not in _PRICING_KEYS or (key == "price" and "units" in value)
        }
    if isinstance(value, list):
        return [_without_pricing(item) for item in value]
    return value
