"""to.photo's order body, built from a spec's photo items and the profile's SKU list.

to.photo has no catalogue endpoint: a mandator receives its SKU list (SKU, processor
identifier, price) from its key account manager, and the profile carries it as
``options.skus``. The order's ``projects``, ``bunches`` and ``payload`` are nested
lists over items and their files, which the flow language cannot build with loops;
they are computed here, from the spec alone, and handed to ``tophoto.yaml`` as
variables. An unknown SKU fails here, before anything is sent, with the valid SKUs
and the closest match (the same message as the flows' ``pick``).
"""

from __future__ import annotations

import mimetypes
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from runner.engine._template import pick

_MIMETYPES = {".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png"}


def _shipping(order: Mapping[str, Any], options: Mapping[str, Any]) -> Mapping[str, Any]:
    method = (order.get("shipping") or {}).get("method") or "Standard"
    return pick(list(options.get("shipping") or []), method, by="qos", what="shipping")


def order_vars(order: Mapping[str, Any], options: Mapping[str, Any]) -> dict[str, Any]:
    """``projects``, ``bunches``, ``payload``, ``zip_entries``, ``cart_items`` (+ ``item_totals``) and a first quote, for the flow."""
    skus = list(options.get("skus") or [])
    projects: list[dict[str, Any]] = []
    bunches: list[dict[str, Any]] = []
    payload: list[dict[str, Any]] = []
    zip_entries: list[dict[str, str]] = []
    cart_items: list[dict[str, Any]] = []
    for index, item in enumerate(order.get("items") or [], start=1):
        sku = pick(skus, str(item["sku"]), by="sku", what="SKU")
        identifier = f"item{index}"
        count = int(item.get("quantity", 1))
        title = str(item.get("name") or f"{sku.get('title', sku['sku'])} ({sku['sku']})")
        projects.append(
            {
                "identifier": identifier,
                "count": count,
                "title": title,
                "processor": {"identifier": sku["processor"], "metadata": {"sku": sku["sku"]}},
            }
        )
        references = []
        paths = item.get("paths") or item.get("files") or []
        for number, file in enumerate(paths, start=1):
            path = Path(str(file))
            name = f"{identifier}-{number}-{path.name}"
            mimetype = _MIMETYPES.get(path.suffix.lower()) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            references.append({"type": "Payload", "mimetype": mimetype, "reference": name})
            payload.append({"name": name, "mimetype": mimetype})
            zip_entries.append({"path": str(file), "name": name})
        bunches.append({"project": identifier, "items": references})
        cart_items.append(
            {
                "sku": sku["sku"],
                "count": count,
                "price": int(sku.get("price", 0)),
                "description": title,
                "project": identifier,
                "processorIndex": 0,
            }
        )
    shipping = _shipping(order, options)
    # the mandator's own prices: the quote before checkout assumes one subcart
    minor = sum(item["price"] * item["count"] for item in cart_items) + int(shipping.get("price", 0))
    return {
        "quote_total": round(minor / 1000, 2),
        "quote_currency": str(options.get("currency", "EUR")),
        "projects": projects,
        "bunches": bunches,
        "payload": payload,
        "zip_entries": zip_entries,
        "cart_items": cart_items,
        "item_totals": [{"project": item["project"], "total": item["price"] * item["count"]} for item in cart_items],
    }
