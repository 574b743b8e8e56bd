"""The CTQ sandbox's answers, shaped as the Swagger of its API draws them.

One place decides what an item, an order or ``/info`` looks like in each API (see
``_api`` for the differences); the handlers only say which view they answer with.
"""

from __future__ import annotations

from typing import Any

from orderspec.sandbox.ctq._api import Api
from orderspec.sandbox.ctq._catalogue import Catalogue
from orderspec.sandbox.ctq._ids import timestamp
from orderspec.sandbox.ctq._orders import Item, Order, Pricing
from orderspec.sandbox.ctq._storage import Signer

_OPTIONS = ("process_id", "material_id", "quality_id", "color_id", "postproduction_id")

# A 1x1 grey PNG: what the 2021-04-27 model's thumbnail URLs serve.
THUMBNAIL_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108000000003a7e9b55"
    "0000000a49444154789c636800000082008177cd72b60000000049454e44ae426082"
)


class Views:
    """Answers of one sandbox: its API's shapes over its catalogue and prices."""

    def __init__(self, api: Api, catalogue: Catalogue, pricing: Pricing, signer: Signer, download_seconds: float) -> None:
        self.api = api
        self.catalogue = catalogue
        self.pricing = pricing
        self.signer = signer
        self.download_seconds = download_seconds

    def info(self) -> dict[str, Any]:
        return self.catalogue.later_info if self.api.later_shapes else self.catalogue.info

    def _model(self, item: Item, origin: str) -> dict[str, Any]:
        return {
            "filename": item.filename,
            "url": self.signer.url(origin, "GET", item.object_name, self.download_seconds),
            "units": item.units,
        }

    def item(self, item: Item, origin: str) -> dict[str, Any]:
        """``definitions.item``: what ``GET /orders/{id}`` and ``PATCH`` list."""
        price = self.pricing.item(item)
        model = self._model(item, origin)
        view: dict[str, Any] = {"id": item.id, "model": model, "quantity": item.quantity}
        if item.geometry is not None:
            length, width, height = item.geometry.size
            model["size"] = {"length": length, "width": width, "height": height}
            view.update({name: getattr(item, name) for name in _OPTIONS if getattr(item, name) is not None})
            view["material_cost_difference"] = self.pricing.cost_differences(item)
        view.update(price_inc_vat=price.inc_vat, price_exc_vat=price.exc_vat, additional_cost=price.additional_cost)
        if self.api.later_shapes:
            # the 2021-04-27 model requires thumbnails, even before slicing
            model["thumbnail_large"] = f"{origin}/_thumbnails/{item.id}/large.png"
            model["thumbnail_small"] = f"{origin}/_thumbnails/{item.id}/small.png"
            view["postproduction_cost_difference"] = self.pricing.postproduction_differences(item)
            view["created_at"] = timestamp(item.created_at)
            view["updated_at"] = timestamp(item.updated_at)
        else:
            view["print_time"] = price.print_time
        return view

    def new_item(self, item: Item, origin: str, signed_url: str) -> dict[str, Any]:
        """An entry of ``POST /get-signed-urls``: a new item, not priced yet, with its upload URL."""
        price = self.pricing.item(item)
        model = self._model(item, origin)
        model["signed_url"] = signed_url
        view: dict[str, Any] = {
            "id": item.id,
            "model": model,
            "quantity": item.quantity,
            "price_inc_vat": price.inc_vat,
            "price_exc_vat": price.exc_vat,
            "additional_cost": price.additional_cost,
        }
        if self.api.later_shapes:
            view["created_at"] = timestamp(item.created_at)
            view["updated_at"] = timestamp(item.updated_at)
        else:
            view["print_time"] = price.print_time
        return view

    def order(self, order: Order, origin: str) -> dict[str, Any]:
        """``definitions.order``: ``GET /orders/{id}``."""
        totals = self.pricing.totals(order)
        view: dict[str, Any] = {
            "items": [self.item(item, origin) for item in order.items.values()],
            "subtotal_exc_vat": totals["subtotal_exc_vat"],
            "subtotal_inc_vat": totals["subtotal_inc_vat"],
            "lead_time": totals["lead_time"],
            "status": order.status,
            "min_order_surcharge": totals["min_order_surcharge"],
        }
        if self.api.later_shapes:
            view["created_at"] = timestamp(order.created_at)
            view["updated_at"] = timestamp(order.updated_at)
        return view

    def updated(self, order: Order, items: list[Item], origin: str) -> dict[str, Any]:
        """``PATCH /orders/{id}``: only the updated items, and the order's new totals."""
        totals = self.pricing.totals(order)
        return {
            "items": [self.item(item, origin) for item in items],
            "subtotal_exc_vat": totals["subtotal_exc_vat"],
            "subtotal_inc_vat": totals["subtotal_inc_vat"],
            "lead_time": totals["lead_time"],
            "min_order_surcharge": totals["min_order_surcharge"],
        }

    def discount(self, order: Order) -> dict[str, Any]:
        """``POST /orders/{id}/apply-discount/{code}`` (seed-era API only)."""
        totals = self.pricing.totals(order)
        return {
            "total_discount": totals["total_discount"],
            "subtotal_inc_vat": totals["subtotal_inc_vat"],
            "subtotal_exc_vat": totals["subtotal_exc_vat"],
            "min_order_surcharge": totals["min_order_surcharge"],
        }
