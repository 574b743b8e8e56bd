"""The response fields to.photo documents, with the document and section of each.

to.photo publishes prose and JSON examples, no machine-readable description, so this
table is written by hand from two documents:

- the seed, ``shared/seeds/002_78026c5128199f9a.txt`` (TP-docs of 2018-05-02): the order
  resource table and the JSON example every order operation answers with;
- the later TP-docs (``sergej2705/slate`` ``source/includes/_orders.md`` and
  ``_portals.md`` @ ``03704aa2``, 2018-05-29), summarised field by field in
  ``shared/targets.md`` section 3 ("Order resource", the status table, the endpoints).

A field both show is credited to the seed. ``metadata`` objects are free-form in the
documents (a processor's ``sku``, a status entry's ``tracking``), so they are kept whole.
"""

from __future__ import annotations

from functools import cache

from orderspec.sandbox._documented import DocumentedFields, Endpoint, Field, Source, join

SEED = "shared/seeds/002_78026c5128199f9a.txt"
LATER = "TP-docs `_orders.md` @03704aa2 (shared/targets.md §3)"
PORTALS = "TP-docs `_portals.md` @03704aa2 (shared/targets.md §3, endpoints)"

_ADDRESS_SEED = ("firstname", "lastname", "street", "zipcode", "city", "country")
_ADDRESS_LATER = ("title", "company", "housenumber")

# (path, document, section, free-form) of an order; sections are the documents' headings
_ORDER: tuple[tuple[str, str, str, bool], ...] = (
    ("orderId", SEED, "{example}", False),
    ("version", LATER, "Resource: version", False),
    ("orderdate", SEED, "{example}", False),
    ("mandator", SEED, "{example}", False),
    ("portal", SEED, "{example}", False),
    ("locale", SEED, "Resource (table): locale", False),
    ("order_url", SEED, "Resource (table): order_url", False),
    ("client", LATER, "Resource: client", False),
    ("client.type", LATER, "Resource: client", False),
    ("client.device", LATER, "Resource: client", False),
    ("client.device.model", LATER, "Resource: client", False),
    ("client.device.os", LATER, "Resource: client", False),
    ("client.version", LATER, "Resource: client", False),
    ("status", SEED, "{example}", False),
    ("statusHistory", SEED, "{example}", False),
    ("statusHistory[].status", LATER, "Status (StatusEntry)", False),
    ("statusHistory[].date", LATER, "Status (StatusEntry)", False),
    ("statusHistory[].acknowledged", LATER, "Status (StatusEntry)", False),
    ("statusHistory[].metadata", LATER, "Status (StatusEntry)", True),
    ("customer", SEED, "{example}", False),
    ("customer.email", SEED, "{example}", False),
    ("customer.telephone", LATER, "Resource: customer", False),
    ("customer.telefax", LATER, "Resource: customer", False),
    *(
        entry
        for kind in ("billingaddress", "deliveryaddress")
        for entry in (
            (f"customer.{kind}", SEED, "{example}", False),
            *((f"customer.{kind}.{name}", SEED, "{example}", False) for name in _ADDRESS_SEED),
            *((f"customer.{kind}.{name}", LATER, "Resource: address", False) for name in _ADDRESS_LATER),
        )
    ),
    ("projects", SEED, "{example}", False),
    ("projects[].identifier", SEED, "{example}", False),
    ("projects[].count", SEED, "{example}", False),
    ("projects[].title", SEED, "{example}", False),
    ("projects[].processor", SEED, "{example}", False),
    ("projects[].processor.identifier", SEED, "{example}", False),
    ("projects[].processor.metadata", SEED, "{example} (holds sku)", True),
    ("projects[].outputs", LATER, "Resource: projects", True),
    ("bunches", SEED, "{example}", False),
    ("bunches[].project", SEED, "{example}", False),
    ("bunches[].items", SEED, "{example}", False),
    ("bunches[].items[].type", SEED, "{example}", False),
    ("bunches[].items[].mimetype", SEED, "{example}", False),
    ("bunches[].items[].reference", SEED, "{example}", False),
    ("bunches[].items[].metadata", LATER, "Resource: bunches", True),
    ("payload", SEED, "{example}", False),
    ("payload[].name", SEED, "{example}", False),
    ("payload[].mimetype", SEED, "{example}", False),
    ("payload[].metadata", LATER, "Resource: payload", True),
    ("cart", SEED, "{example}", False),
    ("cart.subcarts", SEED, "{example}", False),
    ("cart.subcarts[].orderId", SEED, "{example}", False),
    ("cart.subcarts[].paymentOrderId", SEED, "{example}", False),
    ("cart.subcarts[].producer", SEED, "{example}", False),
    ("cart.subcarts[].producerOrderId", SEED, "{example}", False),
    ("cart.subcarts[].producerOrderUniqueIdentifier", SEED, "{example}", False),
    ("cart.subcarts[].shipping", SEED, "{example}", False),
    ("cart.subcarts[].qos", LATER, "Resource: cart (subcart)", False),
    ("cart.subcarts[].voucher", LATER, "Resource: cart (subcart)", False),
    ("cart.subcarts[].voucher.code", LATER, "Resource: cart (subcart)", False),
    ("cart.subcarts[].voucher.description", LATER, "Resource: cart (subcart)", False),
    ("cart.subcarts[].voucher.value", LATER, "Resource: cart (subcart)", False),
    ("cart.subcarts[].items", SEED, "{example}", False),
    ("cart.subcarts[].items[].sku", SEED, "{example}", False),
    ("cart.subcarts[].items[].count", SEED, "{example}", False),
    ("cart.subcarts[].items[].price", SEED, "{example}", False),
    ("cart.subcarts[].items[].project", SEED, "{example}", False),
    ("cart.subcarts[].items[].processorIndex", SEED, "{example}", False),
    ("cart.subcarts[].items[].description", LATER, "Resource: cart (subcart item)", False),
    ("payment", LATER, "Resource: payment", False),
    ("payment.provider", LATER, "Resource: payment", False),
    ("payment.metadata", LATER, "Resource: payment", True),
)

_STATUS_ENTRY = (
    ("status", LATER, "Order Status Acknowledge; Status (StatusEntry)", False),
    ("date", LATER, "Order Status Acknowledge; Status (StatusEntry)", False),
    ("acknowledged", LATER, "Order Status Acknowledge; Status (StatusEntry)", False),
    ("metadata", LATER, "Order Status Acknowledge; Status (StatusEntry)", True),
)


_EXAMPLE = "response example of Create, Checkout, Finalize and Read Order"


def _order_fields(prefix: str = "") -> tuple[Field, ...]:
    """The order's fields under ``prefix``; ``{example}`` in a section is the JSON example each order operation answers with."""
    return tuple(
        Field(join(prefix, path), Source(document, section.replace("{example}", _EXAMPLE)), whole) for path, document, section, whole in _ORDER
    )


@cache
def documented_fields() -> DocumentedFields:
    """Per operation of the to.photo order API, the fields its successful answer documents."""
    listed = f"{PORTALS}: the orders with unacknowledged status entries."
    endpoints = [
        Endpoint("POST /v1/orders", _order_fields()),
        Endpoint("POST /v1/orders/{orderId}/checkout", _order_fields()),
        Endpoint("POST /v1/orders/{orderId}/data", _order_fields()),
        Endpoint("GET /v1/orders/{orderId}", _order_fields()),
        Endpoint(
            "PUT /v1/orders/{orderId}/status",
            tuple(Field(path, Source(document, section), whole) for path, document, section, whole in _STATUS_ENTRY),
            "The seed shows no answer body; the later documents echo the StatusEntry.",
        ),
        Endpoint("DELETE /v1/orders/{orderId}", (), "204, no body (later documents only)."),
        Endpoint("GET /v1/portals/{portalId}/orders/unacknowledged", _order_fields("[]"), listed),
        Endpoint("GET /v1/portals/{portalId}/orders/status/{status}/unacknowledged", _order_fields("[]"), listed),
    ]
    return DocumentedFields("to.photo", {endpoint.operation: endpoint for endpoint in endpoints})


if __name__ == "__main__":  # the table of docs/targets/tophoto.md
    print(documented_fields().markdown())
