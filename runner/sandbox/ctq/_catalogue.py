"""The CTQ catalogue: processes with their materials, qualities, colors and postproductions.

Loaded once per app from YAML (``catalogue.yaml`` beside this module, or the user's file),
written in the seed's ``/info`` shape plus the prices the sandbox computes with and a
few keys only the 2021-04-27 API shows (``native_name``, ``shipping_zone``,
``min_fs_value``, ``pickup_options``). ``info`` is the seed-era ``GET /info`` body
(pricing and later-only keys removed); ``later_info`` the 2021-04-27 one, built from
the same data. The lookups serve the order handlers.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from orderspec.sandbox._catalogue import load_catalogue_file

BUILT_IN = Path(__file__).resolve().parent / "catalogue.yaml"

# keys the sandbox prices with; not part of the Swagger's /info
_PRICING_KEYS = {"setup_price", "lead_time", "build_rate_cm3_per_hour", "price_per_cm3", "price_factor", "price"}
# keys only the 2021-04-27 /info has; left out of the seed-era answer
_LATER_KEYS = {"native_name", "shipping_zone", "min_fs_value", "pickup_options"}
_KINDS = ("materials", "qualities", "colors", "postproductions")
DEFAULT_ZONE = "EU"


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
    """``GET /info`` of the seed-era API."""
    later_info: dict[str, Any]
    """``GET /info`` of the 2021-04-27 API."""
    processes: dict[str, Process]
    vat_percent: float
    min_order_value: float
    shipping: dict[str, dict[str, Any]]
    """Delivery options by id (seed-era ``shipping_options``)."""
    pickup: dict[str, dict[str, Any]]
    """Pickup options by id (2021-04-27 ``shipping_options`` of ``type: pickup``); price 0."""
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
    info = _without({key: value for key, value in data.items() if key != "discount_codes"}, _LATER_KEYS)
    return Catalogue(
        info=info,
        later_info=_later_info(data),
        processes=processes,
        vat_percent=float(data["vat"]),
        min_order_value=float(data.get("min_order_value", 0)),
        shipping={str(option["id"]): option for option in data["shipping_options"]},
        pickup={str(option["id"]): {**option, "price": 0} for option in data.get("pickup_options") or []},
        countries={str(country["id"]): str(country["name"]) for country in data["supported_countries"]},
        languages=frozenset(str(language["code"]) for language in data["supported_languages"]),
        discounts={str(code): float(value["percent"]) for code, value in (data.get("discount_codes") or {}).items()},
    )


def _without(value: Any, also: Collection[str] = ()) -> Any:
    """``value`` without the pricing keys (a shipping option's ``price`` stays: /info shows it) and the keys in ``also``."""
    if isinstance(value, dict):
        return {
            key: _without(item, also)
            for key, item in value.items()
            if key not in also and (key not in _PRICING_KEYS or (key == "price" and "units" in value))
        }
    if isinstance(value, list):
        return [_without(item, also) for item in value]
    return value


def _later_info(data: dict[str, Any]) -> dict[str, Any]:
    """The 2021-04-27 ``GET /info`` of the same catalogue (see ``_api`` for what changed)."""
    languages = [
        {"code": str(language["code"]), "name": str(language["name"]), "native_name": str(language.get("native_name", language["name"]))}
        for language in data["supported_languages"]
    ]
    default_code = str(data.get("default_language", languages[0]["code"]))
    default_language = next((language for language in languages if language["code"] == default_code), languages[0])
    processes = []
    postproductions: dict[str, dict[str, Any]] = {}
    for entry in data["settings"]:
        colors = _without(entry.get("colors") or [])
        # a key the catalogue lacks stays absent: the strict check names it on GET /info, not at start
        process = {key: _without(entry[key]) for key in ("id", "name", "description", "pic_url") if key in entry}
        process["materials"] = [{**_without(material), "colors": colors} for material in entry.get("materials") or []]
        process["qualities"] = _without(entry.get("qualities") or [])
        process["postproductions"] = _without(entry.get("postproductions") or [])
        for post in process["postproductions"]:
            postproductions.setdefault(str(post["id"]), post)
        processes.append(process)
    defaults = dict(data["default_settings"])
    if "color_id" not in defaults:
        process = next((entry for entry in data["settings"] if entry["id"] == defaults.get("process_id")), data["settings"][0])
        defaults["color_id"] = str((process.get("colors") or [{"id": ""}])[0]["id"])
    shipping = [
        {
            "id": option["id"],
            "name": option["name"],
            "type": "delivery",
            "min": option["min"],
            "max": option["max"],
            "units": option["units"],
            "price": option["price"],
            "shipping_zone": option.get("shipping_zone", DEFAULT_ZONE),
            "min_fs_value": option.get("min_fs_value", 0),
        }
        for option in data["shipping_options"]
    ] + [
        {
            "id": option["id"],
            "name": option["name"],
            "type": "pickup",
            "price": 0,
            "location": option["location"],
            "shipping_zone": option.get("shipping_zone", DEFAULT_ZONE),
        }
        for option in data.get("pickup_options") or []
    ]
    return {
        "vat": data["vat"],
        "min_order_value": data.get("min_order_value", 0),
        "currency": data["currency"],
        "supported_languages": languages,
        "default_language": default_language,
        "default_units": data.get("default_units", "mm"),
        "default_settings": defaults,
        "supported_countries": [
            {"code": country["id"], "name": country["name"], "shipping_zone": country.get("shipping_zone", DEFAULT_ZONE)}
            for country in data["supported_countries"]
        ],
        "shipping_options": shipping,
        "processes": processes,
        "postproductions": list(postproductions.values()),
    }
