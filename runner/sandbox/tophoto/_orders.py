"""The order book: to.photo's order lifecycle, kept in memory.

Temporary (create, segmented into subcarts) -> checkout (the mandator's prices, customer,
payment) -> data (the ZIP) -> Transferred -> New -> Enqueued -> production statuses that
the sandbox advances on request. Orders are kept as plain dicts in the vendor's JSON shape,
so reading one costs a ``json.dumps`` and nothing more.

Inferences where the documents are silent:

- an unknown SKU, or a processor identifier that does not make the SKU, is 422;
- ``/data`` before any checkout is 422 "Order has no checkout data" (the sequence
  diagrams always check out first);
- acknowledging an entry that was already acknowledged answers it again (200), so the
  call is safe to repeat; an entry that does not exist or is acknowledged by the server
  itself is 409 "Entry can not be acknowledged";
- checkout and data on a canceled order are 409 (their documented conflict), GET and
  DELETE are 410.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from orderspec.sandbox.tophoto._catalogue import Catalogue
from orderspec.sandbox.tophoto._clock import Clock
from orderspec.sandbox.tophoto._errors import ApiError
from orderspec.sandbox.tophoto._model import (
    STATUSES,
    invalid,
    read_customer,
    read_payment,
    read_subcarts,
    unprocessable,
)
from orderspec.sandbox.tophoto._zip import ZipEntry, check_payload

FIRST_ORDER_ID = 1230
MAX_SUBCARTS = 9

ORDER_NOT_FOUND = "Order not found"
ORDER_CANCELED = "Order is canceled"
ONLY_TEMPORARY_CHECKOUT = "Only temporary orders can receive checkout data"
ONLY_TEMPORARY_DATA = "Only temporary orders can receive data"
CARTS_DIFFERENT = "Carts are different"
CANNOT_ACKNOWLEDGE = "Entry can not be acknowledged"


@dataclass
class Order:
    """One order: its JSON document and what the sandbox remembers beside it."""

    doc: dict[str, Any]
    sites: tuple[str | None, ...]
    """Production site of each subcart, in subcart order."""
    checked_out: bool = False
    zip_entries: tuple[ZipEntry, ...] = ()
    zip_size: int | None = None
    unacknowledged: int = 0
    """How many entries of the status history wait for the mandator's acknowledgement."""

    @property
    def order_id(self) -> int:
        return int(self.doc["orderId"])

    @property
    def status(self) -> str:
        return str(self.doc["status"])


class OrderBook:
    """All orders of one sandbox instance."""

    def __init__(self, catalogue: Catalogue, clock: Clock | None = None) -> None:
        self.catalogue = catalogue
        self.clock = clock or Clock()
        self.reset()

    def reset(self) -> None:
        self._orders: dict[int, Order] = {}
        self._next_id = FIRST_ORDER_ID
        self.clock.reset()

    # -- lookups ----------------------------------------------------------------------

    def find(self, order_id: int) -> Order:
        """The order, canceled or not; 404 when there is none."""
        order = self._orders.get(order_id)
        if order is None:
            raise ApiError(404, ORDER_NOT_FOUND, f"Order not found: {order_id}")
        return order

    def read(self, order_id: int) -> Order:
        """The order for GET; 410 when it is canceled."""
        order = self.find(order_id)
        if order.status == "Canceled":
            raise ApiError(410, ORDER_CANCELED)
        return order

    def orders(self) -> list[Order]:
        return list(self._orders.values())

    # -- create -----------------------------------------------------------------------

    def create(self, new_order: dict[str, Any]) -> Order:
        """A Temporary order from the client's ``new_order`` (see ``_model.read_new_order``)."""
        groups: dict[tuple[str, str | None], list[dict[str, Any]]] = {}
        for project in new_order["projects"]:
            sku_code = project["processor"]["metadata"]["sku"]
            sku = self.catalogue.skus.get(sku_code)
            if sku is None:
                raise unprocessable(f"Unknown sku '{sku_code}' in project '{project['identifier']}'")
            if project["processor"]["identifier"] != sku.processor:
                raise unprocessable(
                    f"Processor '{project['processor']['identifier']}' can not produce sku '{sku_code}'; use '{sku.processor}'"
                )
            if project["title"] is None:
                project["title"] = f"{sku.name} ({sku.sku})"
            item = {
                "sku": sku.sku,
                "count": project["count"],
                "price": 0,
                "description": sku.name,
                "project": project["identifier"],
                "processorIndex": 0,
            }
            groups.setdefault((sku.producer, sku.site), []).append(item)
        if len(groups) > MAX_SUBCARTS:
            raise unprocessable("More than 9 Subcarts are not allowed")
        order_id = self._next_id
        self._next_id += 10
        subcarts = [
            {
                "orderId": order_id + index,
                "paymentOrderId": None,
                "producer": producer,
                "producerOrderId": None,
                "producerOrderUniqueIdentifier": None,
                "qos": None,
                "shipping": 0,
                "items": items,
                "voucher": None,
            }
            for index, ((producer, _site), items) in enumerate(groups.items(), start=1)
        ]
        doc: dict[str, Any] = {
            "orderId": order_id,
            "version": new_order["version"],
            "orderdate": self.clock.now_ms(),
            "mandator": new_order["mandator"],
            "portal": new_order["portal"],
        }
        for key in ("locale", "order_url", "client"):
            if key in new_order:
                doc[key] = new_order[key]
        doc.update(
            status="Temporary",
            statusHistory=[],
            customer=new_order.get("customer"),
            projects=new_order["projects"],
            bunches=new_order["bunches"],
            payload=new_order["payload"],
            cart={"subcarts": subcarts},
            payment=None,
        )
        order = Order(doc=doc, sites=tuple(site for (_producer, site) in groups))
        _add_status(self.clock, order, "Temporary")
        self._orders[order_id] = order
        return order

    # -- checkout ---------------------------------------------------------------------

    def check_accepts_checkout(self, order: Order) -> None:
        if order.status != "Temporary":
            raise ApiError(409, ONLY_TEMPORARY_CHECKOUT)

    def checkout(self, order: Order, body: Any) -> Order:
        """Enrich a Temporary order with the mandator's cart, customer and payment."""
        self.check_accepts_checkout(order)
        if not isinstance(body, dict):
            raise invalid("order", "must be a JSON object")
        if body.get("cart") is None:
            raise invalid("cart", "must not be null; send the order with the server's cart, enriched")
        subcarts = read_subcarts(body["cart"])
        if body.get("customer") is None:
            raise invalid("customer", "must not be null")
        customer = read_customer(body["customer"], "customer")
        payment = read_payment(body["payment"]) if body.get("payment") is not None else None
        server_subcarts = order.doc["cart"]["subcarts"]
        if not _same_segmentation(server_subcarts, subcarts):
            raise ApiError(409, CARTS_DIFFERENT, "Carts are different; read the order again and keep its subcarts")
        for subcart in subcarts:
            qos = subcart["qos"]
            if qos is not None and qos not in self.catalogue.shipping:
                raise unprocessable(f"Unknown qos '{qos}'; known: {', '.join(self.catalogue.shipping)}")
        if payment is not None and payment["provider"] not in self.catalogue.payment_providers:
            raise unprocessable(
                f"Unknown payment provider '{payment['provider']}'; known: {', '.join(self.catalogue.payment_providers)}"
            )
        country = customer["deliveryaddress"]["country"]
        if country not in self.catalogue.countries:
            raise unprocessable(f"Delivery to country '{country}' is not possible; deliverable: {', '.join(sorted(self.catalogue.countries))}")
        for server, client in zip(server_subcarts, subcarts):
            server["paymentOrderId"] = client["paymentOrderId"]
            server["qos"] = client["qos"] or "Standard"
            server["shipping"] = client["shipping"]
            server["voucher"] = client["voucher"]
            prices = {(item["sku"], item["project"]): item for item in client["items"]}
            for item in server["items"]:
                sent = prices[(item["sku"], item["project"])]
                item["price"] = sent["price"]
                if sent["description"] is not None:
                    item["description"] = sent["description"]
        order.doc["customer"] = customer
        order.doc["payment"] = payment
        order.checked_out = True
        return order

    # -- data -------------------------------------------------------------------------

    def check_accepts_data(self, order: Order) -> None:
        """409/422 before an upload is read, so a repeated ``/data`` fails without sending the ZIP twice."""
        if order.status != "Temporary":
            raise ApiError(409, ONLY_TEMPORARY_DATA)
        if not order.checked_out:
            raise unprocessable(
                f"Order has no checkout data; send it with POST /v1/orders/{order.order_id}/checkout first"
            )

    def finalize(self, order: Order, entries: tuple[ZipEntry, ...], size: int) -> Order:
        """Take the ZIP: the order goes Transferred -> New -> Enqueued and producers get their ids."""
        self.check_accepts_data(order)
        check_payload(entries, [p["name"] for p in order.doc["payload"]])
        order.zip_entries = entries
        order.zip_size = size
        for subcart in order.doc["cart"]["subcarts"]:
            producer_order_id = subcart["orderId"]
            prefix = self.catalogue.producer_prefixes.get(subcart["producer"], "9000")
            subcart["producerOrderId"] = producer_order_id
            subcart["producerOrderUniqueIdentifier"] = prefix + str(producer_order_id).zfill(max(11 - len(prefix), 1))
        for status in ("Transferred", "New", "Enqueued"):
            _add_status(self.clock, order, status)
        return order

    # -- cancel, statuses -------------------------------------------------------------

    def cancel(self, order: Order) -> None:
        if order.status == "Canceled":
            raise ApiError(410, ORDER_CANCELED)
        if order.status != "Temporary":
            raise ApiError(409, ONLY_TEMPORARY_DATA, f"Only temporary orders can be canceled; this one is {order.status}")
        _add_status(self.clock, order, "Canceled")

    def acknowledge(self, order: Order, entry: dict[str, Any]) -> dict[str, Any]:
        """Mark the matching unacknowledged entry as acknowledged and answer it."""
        if not entry["acknowledged"]:
            raise invalid("acknowledged", "must be true: this call acknowledges an entry")
        status, date = entry["status"], entry["date"]
        candidates = [e for e in order.doc["statusHistory"] if e["status"] == status and (date is None or e["date"] == date)]
        if not candidates or STATUSES[status]:
            reason = "no such entry in the status history" if not candidates else f"{status} is acknowledged by the server"
            raise ApiError(409, CANNOT_ACKNOWLEDGE, f"Entry can not be acknowledged: {reason}")
        target: dict[str, Any] = next((e for e in candidates if not e["acknowledged"]), candidates[0])
        if not target["acknowledged"]:
            target["acknowledged"] = True
            order.unacknowledged -= 1
        return target

    def advance(self, order: Order, status: str, metadata: dict[str, Any] | None) -> Order:
        """Add a production status, as the producer's worker would."""
        if order.status == "Canceled":
            raise ApiError(410, ORDER_CANCELED)
        if order.status == "Temporary" or status == "Temporary":
            raise ApiError(409, "Only finalized orders can advance", f"Order {order.order_id} is {order.status}; send its data first")
        _add_status(self.clock, order, status, metadata)
        return order

    def unacknowledged(self, portal: int, status: str | None = None) -> list[Order]:
        return [
            order
            for order in self._orders.values()
            if order.doc["portal"] == portal
            and order.unacknowledged
            and any(not e["acknowledged"] and (status is None or e["status"] == status) for e in order.doc["statusHistory"])
        ]


def _same_segmentation(server: list[dict[str, Any]], client: list[dict[str, Any]]) -> bool:
    """Whether the client kept the server's subcarts: count, ids, producers and items."""
    if len(server) != len(client):
        return False
    for mine, theirs in zip(server, client):
        if theirs["orderId"] is not None and theirs["orderId"] != mine["orderId"]:
            return False
        if theirs["producer"] != mine["producer"]:
            return False
        if sorted((i["sku"], i["count"], i["project"]) for i in mine["items"]) != sorted(
            (i["sku"], i["count"], i["project"]) for i in theirs["items"]
        ):
            return False
    return True


def _add_status(clock: Clock, order: Order, status: str, metadata: dict[str, Any] | None = None) -> None:
    history = order.doc["statusHistory"]
    date = clock.now_ms()
    if history and date <= history[-1]["date"]:
        date = history[-1]["date"] + 1  # keep entries apart, so (status, date) names one entry
    acknowledged = STATUSES[status]
    history.append({"status": status, "date": date, "acknowledged": acknowledged, "metadata": metadata or {}})
    order.doc["status"] = status
    if not acknowledged:
        order.unacknowledged += 1

