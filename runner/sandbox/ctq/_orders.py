"""Orders and items of the CTQ sandbox, and the prices computed from the catalogue.

Prices follow ``catalogue.yaml``: an item's ``price_exc_vat`` is for its whole quantity,
``additional_cost`` is the postproduction price times the quantity, ``print_time`` is in
hours. Nothing is priced before the item's first slicing PATCH (all zero until then).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from orderspec.sandbox.ctq._catalogue import Catalogue, Process
from orderspec.sandbox.ctq._geometry import Geometry

_CM3 = {"mm": 0.001, "in": 16.387064}


@dataclass
class Item:
    id: str
    filename: str
    object_name: str
    units: str
    quantity: int = 1
    process_id: str | None = None
    material_id: str | None = None
    quality_id: str | None = None
    color_id: str | None = None
    postproduction_id: str | None = None
    geometry: Geometry | None = None
    """Set by slicing; ``None`` until the first slicing PATCH."""
    created_at: int = 0
    updated_at: int = 0
    """Unix seconds from the sandbox's clock (``_ids.Clock``)."""


@dataclass
class Order:
    id: str
    items: dict[str, Item] = field(default_factory=dict)
    status: str = "active"
    discount_percent: float = 0.0
    discount_code: str | None = None
    order_number: str | None = None
    placed: dict[str, Any] | None = None
    """What place-order received (address, shipping), kept for ``/_sandbox/orders``."""
    created_at: int = 0
    updated_at: int = 0


@dataclass(frozen=True)
class Price:
    exc_vat: float
    inc_vat: float
    additional_cost: float
    print_time: float


_ZERO = Price(0.0, 0.0, 0.0, 0.0)


class Pricing:
    """Prices of items and orders under one catalogue."""

    def __init__(self, catalogue: Catalogue) -> None:
        self.catalogue = catalogue
        self._vat = 1 + catalogue.vat_percent / 100

    def item(self, item: Item) -> Price:
        if item.geometry is None or item.process_id is None:
            return _ZERO
        process = self.catalogue.processes[item.process_id]
        exc = round(self._unit_price(item, process, str(item.material_id)) * item.quantity, 2)
        post = process.postproductions.get(item.postproduction_id or "")
        additional = round(float(post.get("price", 0)) * item.quantity, 2) if post else 0.0
        quality = process.qualities[str(item.quality_id)]
        hours = self._volume_cm3(item) / process.build_rate * float(quality.get("price_factor", 1.0)) * item.quantity
        return Price(exc, round(exc * self._vat, 2), additional, round(hours, 2))

    def cost_differences(self, item: Item) -> list[dict[str, Any]]:
        """``material_cost_difference``: what each other material of the process would add or save."""
        if item.geometry is None or item.process_id is None:
            return []
        process = self.catalogue.processes[item.process_id]
        current = self._unit_price(item, process, str(item.material_id))
        return [
            {
                "material_id": material_id,
                "value": round((self._unit_price(item, process, material_id) - current) * item.quantity, 2),
            }
            for material_id in process.materials
            if material_id != item.material_id
        ]

    def postproduction_differences(self, item: Item) -> list[dict[str, Any]]:
        """``postproduction_cost_difference`` (2021-04-27): what each other postproduction would add or save.

        That Swagger types ``value`` as a string; it is the amount with two decimals.
        """
        if item.geometry is None or item.process_id is None:
            return []
        process = self.catalogue.processes[item.process_id]
        current = float(process.postproductions.get(item.postproduction_id or "", {}).get("price", 0))
        return [
            {"postproduction_id": post_id, "value": f"{(float(post.get('price', 0)) - current) * item.quantity:.2f}"}
            for post_id, post in process.postproductions.items()
            if post_id != item.postproduction_id
        ]

    def totals(self, order: Order) -> dict[str, float]:
        """Subtotals after discount, the discount itself, lead time and minimum-order surcharge."""
        gross = 0.0
        lead_time = 0.0
        for item in order.items.values():
            price = self.item(item)
            gross += price.exc_vat + price.additional_cost
            if item.process_id is not None and item.geometry is not None:
                lead_time = max(lead_time, self.catalogue.processes[item.process_id].lead_time)
        discount = round(gross * order.discount_percent / 100, 2)
        subtotal = round(gross - discount, 2)
        surcharge = round(max(0.0, self.catalogue.min_order_value - subtotal), 2) if order.items else 0.0
        return {
            "subtotal_exc_vat": subtotal,
            "subtotal_inc_vat": round(subtotal * self._vat, 2),
            "total_discount": discount,
            "lead_time": lead_time,
            "min_order_surcharge": surcharge,
        }

    def _unit_price(self, item: Item, process: Process, material_id: str) -> float:
        material = process.materials[material_id]
        quality = process.qualities[str(item.quality_id)]
        per_cm3 = float(material.get("price_per_cm3", 0.3)) * float(quality.get("price_factor", 1.0))
        return process.setup_price + self._volume_cm3(item) * per_cm3

    @staticmethod
    def _volume_cm3(item: Item) -> float:
        assert item.geometry is not None
        return item.geometry.volume * _CM3[item.units]
