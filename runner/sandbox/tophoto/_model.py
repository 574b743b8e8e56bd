"""Reading to.photo's JSON documents: the order, the checkout data and a status entry.

Each ``read_*`` function checks a request body the way the server's model binding
would and returns it normalised to the documented fields (unknown fields are dropped,
as Jackson does). Shape errors are 400 ``Validation error``; references that do not
resolve (a bunch naming an unknown project) are 422.
"""

from __future__ import annotations

from typing import Any

from orderspec.sandbox.tophoto._errors import ApiError

STATUSES: dict[str, bool] = {
    "Temporary": True,
    "Transferred": True,
    "New": True,
    "Enqueued": True,
    "Exporting": True,
    "Exported": True,
    "Producing": True,
    "Produced": False,
    "Shipped": False,
    "Delivered": True,
    "Failed": False,
    "Test": True,
    "Canceled": True,
}
"""Every order status and whether the server acknowledges it itself (TP-docs "Status")."""

BUNCH_ITEM_TYPES = ("Payload", "Url", "Text")
CLIENT_TYPES = ("APP", "Desktop", "Web")


def invalid(path: str, problem: str) -> ApiError:
    return ApiError(400, f"Validation error: {path} {problem}", f"{path}: {problem}")


def unprocessable(message: str) -> ApiError:
    return ApiError(422, message)


# -- primitive checks ---------------------------------------------------------------


def _obj(value: Any, path: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise invalid(path, f"must be a JSON object, not {_kind(value)}")
    return value


def _list(value: Any, path: str, *, non_empty: bool = False) -> list[Any]:
    if not isinstance(value, list):
        raise invalid(path, f"must be a JSON array, not {_kind(value)}")
    if non_empty and not value:
        raise invalid(path, "must not be empty")
    return value


def _required(data: dict[str, Any], key: str, path: str) -> Any:
    if data.get(key) is None:
        raise invalid(f"{path}{key}", "must not be null")
    return data[key]


def _text(value: Any, path: str, *, optional: bool = False, blank: bool = False) -> str | None:
    if value is None and optional:
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)  # Jackson coerces scalars to String
    if not isinstance(value, str):
        raise invalid(path, f"must be a text, not {_kind(value)}")
    if not blank and not value.strip():
        raise invalid(path, "must not be blank")
    return value


def _int(value: Any, path: str, *, minimum: int | None = None, optional: bool = False) -> int | None:
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, str) and value.isascii() and value.strip().lstrip("-").isdigit():
            value = int(value)  # Jackson reads "270" as a long
        else:
            raise invalid(path, f"must be a whole number, not {_kind(value)}")
    if not -(2**63) <= value < 2**63:
        raise invalid(path, "is out of the range of a long")
    if minimum is not None and value < minimum:
        raise invalid(path, f"must be at least {minimum}")
    return int(value)


def _bool(value: Any, path: str) -> bool:
    if not isinstance(value, bool):
        raise invalid(path, f"must be true or false, not {_kind(value)}")
    return value


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    return {bool: "a boolean", int: "a number", float: "a number", str: "a text", list: "an array", dict: "an object"}.get(
        type(value), type(value).__name__
    )


def _metadata(value: Any, path: str) -> dict[str, Any] | None:
    return None if value is None else _obj(value, path)


# -- the order at create ------------------------------------------------------------


def read_new_order(body: Any) -> dict[str, Any]:
    """The client's part of a new order: mandator, portal, projects, bunches, payload (+ seed fields)."""
    data = _obj(body, "order")
    version = _text(_required(data, "version", ""), "version")
    if version not in ("1.0", "1"):
        raise invalid("version", f"must be \"1.0\", not {version!r}")
    order: dict[str, Any] = {
        "version": "1.0",
        "mandator": _int(_required(data, "mandator", ""), "mandator", minimum=0),
        "portal": _int(_required(data, "portal", ""), "portal", minimum=0),
    }
    if data.get("locale") is not None:
        order["locale"] = _text(data["locale"], "locale")
    if data.get("order_url") is not None:
        order["order_url"] = _text(data["order_url"], "order_url")
    if data.get("client") is not None:
        order["client"] = _client(data["client"])
    projects = [_project(p, f"projects[{i}]") for i, p in enumerate(_list(_required(data, "projects", ""), "projects", non_empty=True))]
    identifiers = [p["identifier"] for p in projects]
    duplicate = _first_duplicate(identifiers)
    if duplicate is not None:
        raise unprocessable(f"Project identifier '{duplicate}' is used more than once")
    payload = [_payload(p, f"payload[{i}]") for i, p in enumerate(_list(_required(data, "payload", ""), "payload"))]
    duplicate = _first_duplicate([p["name"] for p in payload])
    if duplicate is not None:
        raise unprocessable(f"Payload name '{duplicate}' is used more than once; names must be unique inside the ZIP")
    bunches = [_bunch(b, f"bunches[{i}]") for i, b in enumerate(_list(_required(data, "bunches", ""), "bunches"))]
    names = {p["name"] for p in payload}
    known = set(identifiers)
    for index, bunch in enumerate(bunches):
        if bunch["project"] not in known:
            raise unprocessable(f"Bunch {index} refers to unknown project '{bunch['project']}'")
        for item in bunch["items"]:
            if item["type"] == "Payload" and item["reference"] not in names:
                raise unprocessable(f"Bunch item refers to '{item['reference']}', which is not listed in payload")
    order.update(projects=projects, bunches=bunches, payload=payload)
    if data.get("customer") is not None:
        order["customer"] = read_customer(data["customer"], "customer", require_delivery=False)
    return order


def _client(value: Any) -> dict[str, Any]:
    data = _obj(value, "client")
    client: dict[str, Any] = {}
    if data.get("type") is not None:
        kind = _text(data["type"], "client.type")
        if kind not in CLIENT_TYPES:
            raise invalid("client.type", f"must be one of {', '.join(CLIENT_TYPES)}, not {kind!r}")
        client["type"] = kind
    if data.get("device") is not None:
        device = _obj(data["device"], "client.device")
        client["device"] = {k: _text(device.get(k), f"client.device.{k}", optional=True) for k in ("model", "os")}
    if data.get("version") is not None:
        client["version"] = _text(data["version"], "client.version")
    return client


def _project(value: Any, path: str) -> dict[str, Any]:
    data = _obj(value, path)
    processor = _obj(_required(data, "processor", f"{path}."), f"{path}.processor")
    metadata = _obj(_required(processor, "metadata", f"{path}.processor."), f"{path}.processor.metadata")
    sku = _text(_required(metadata, "sku", f"{path}.processor.metadata."), f"{path}.processor.metadata.sku")
    project: dict[str, Any] = {
        "identifier": _text(_required(data, "identifier", f"{path}."), f"{path}.identifier"),
        "count": _int(data.get("count", 1), f"{path}.count", minimum=1),
        "title": _text(data.get("title"), f"{path}.title", optional=True),
        "processor": {
            "identifier": _text(_required(processor, "identifier", f"{path}.processor."), f"{path}.processor.identifier"),
            "metadata": {**metadata, "sku": sku},
        },
    }
    if data.get("outputs") is not None:
        project["outputs"] = _list(data["outputs"], f"{path}.outputs")
    return project


def _bunch(value: Any, path: str) -> dict[str, Any]:
    data = _obj(value, path)
    items = []
    for index, raw in enumerate(_list(_required(data, "items", f"{path}."), f"{path}.items")):
        where = f"{path}.items[{index}]"
        item = _obj(raw, where)
        kind = _text(_required(item, "type", f"{where}."), f"{where}.type")
        if kind not in BUNCH_ITEM_TYPES:
            raise invalid(f"{where}.type", f"must be one of {', '.join(BUNCH_ITEM_TYPES)}, not {kind!r}")
        entry: dict[str, Any] = {
            "type": kind,
            "mimetype": _text(item.get("mimetype"), f"{where}.mimetype", optional=True),
            "reference": _text(_required(item, "reference", f"{where}."), f"{where}.reference", blank=kind == "Text"),
        }
        if item.get("metadata") is not None:
            entry["metadata"] = _metadata(item["metadata"], f"{where}.metadata")
        items.append(entry)
    return {"project": _text(_required(data, "project", f"{path}."), f"{path}.project"), "items": items}


def _payload(value: Any, path: str) -> dict[str, Any]:
    data = _obj(value, path)
    entry: dict[str, Any] = {
        "name": _text(_required(data, "name", f"{path}."), f"{path}.name"),
        "mimetype": _text(data.get("mimetype"), f"{path}.mimetype", optional=True),
    }
    if data.get("metadata") is not None:
        entry["metadata"] = _metadata(data["metadata"], f"{path}.metadata")
    return entry


def _first_duplicate(values: list[str]) -> str | None:
    seen: set[str] = set()
    for value in values:
        if value in seen:
            return value
        seen.add(value)
    return None


# -- checkout data ------------------------------------------------------------------

_ADDRESS_REQUIRED = ("firstname", "lastname", "street", "zipcode", "city", "country")
_ADDRESS_OPTIONAL = ("title", "company", "housenumber")


def read_customer(value: Any, path: str, *, require_delivery: bool = True) -> dict[str, Any]:
    data = _obj(value, path)
    customer: dict[str, Any] = {
        "email": _text(data.get("email"), f"{path}.email", optional=not require_delivery),
        "telephone": _text(data.get("telephone"), f"{path}.telephone", optional=True),
        "telefax": _text(data.get("telefax"), f"{path}.telefax", optional=True),
    }
    if customer["email"] is not None and "@" not in customer["email"]:
        raise invalid(f"{path}.email", f"must be an e-mail address, not {customer['email']!r}")
    if require_delivery or data.get("deliveryaddress") is not None:
        customer["deliveryaddress"] = read_address(_required(data, "deliveryaddress", f"{path}."), f"{path}.deliveryaddress")
    if data.get("billingaddress") is not None:
        customer["billingaddress"] = read_address(data["billingaddress"], f"{path}.billingaddress")
    return customer


def read_address(value: Any, path: str) -> dict[str, Any]:
    data = _obj(value, path)
    address: dict[str, Any] = {key: _text(data.get(key), f"{path}.{key}", optional=True) for key in _ADDRESS_OPTIONAL}
    for key in _ADDRESS_REQUIRED:
        address[key] = _text(_required(data, key, f"{path}."), f"{path}.{key}")
    country = address["country"]
    if len(country) != 2 or not country.isalpha():
        raise invalid(f"{path}.country", f"must be an ISO 3166-1 alpha-2 code such as DE, not {country!r}")
    address["country"] = country.upper()
    return address


def read_payment(value: Any) -> dict[str, Any]:
    data = _obj(value, "payment")
    return {
        "provider": _text(_required(data, "provider", "payment."), "payment.provider"),
        "metadata": _metadata(data.get("metadata"), "payment.metadata"),
    }


def read_subcarts(value: Any) -> list[dict[str, Any]]:
    """The client's cart: ``{"subcarts": [...]}`` with the mandator's prices, ids and shipping."""
    cart = _obj(value, "cart")
    subcarts = []
    for index, raw in enumerate(_list(_required(cart, "subcarts", "cart."), "cart.subcarts")):
        path = f"cart.subcarts[{index}]"
        data = _obj(raw, path)
        items = []
        for item_index, item_raw in enumerate(_list(_required(data, "items", f"{path}."), f"{path}.items")):
            where = f"{path}.items[{item_index}]"
            item = _obj(item_raw, where)
            items.append(
                {
                    "sku": _text(_required(item, "sku", f"{where}."), f"{where}.sku"),
                    "count": _int(_required(item, "count", f"{where}."), f"{where}.count", minimum=1),
                    "price": _int(item.get("price", 0), f"{where}.price", minimum=0),
                    "description": _text(item.get("description"), f"{where}.description", optional=True, blank=True),
                    "project": _text(_required(item, "project", f"{where}."), f"{where}.project"),
                    "processorIndex": _int(item.get("processorIndex", 0), f"{where}.processorIndex", minimum=0),
                }
            )
        voucher = None
        if data.get("voucher") is not None:
            raw_voucher = _obj(data["voucher"], f"{path}.voucher")
            voucher = {
                "code": _text(_required(raw_voucher, "code", f"{path}.voucher."), f"{path}.voucher.code"),
                "description": _text(raw_voucher.get("description"), f"{path}.voucher.description", optional=True, blank=True),
                "value": _int(raw_voucher.get("value", 0), f"{path}.voucher.value", minimum=0),
            }
        subcarts.append(
            {
                "orderId": _int(data.get("orderId"), f"{path}.orderId", optional=True),
                "paymentOrderId": _text(data.get("paymentOrderId"), f"{path}.paymentOrderId", optional=True),
                "producer": _text(data.get("producer"), f"{path}.producer", optional=True),
                "qos": _text(data.get("qos"), f"{path}.qos", optional=True),
                "shipping": _int(data.get("shipping", 0), f"{path}.shipping", minimum=0),
                "voucher": voucher,
                "items": items,
            }
        )
    return subcarts


# -- status entries -----------------------------------------------------------------


def read_status_entry(body: Any) -> dict[str, Any]:
    """``{status, date?, acknowledged?, metadata?}`` of ``PUT /v1/orders/{id}/status``."""
    data = _obj(body, "status entry")
    status = read_status(_required(data, "status", ""), "status")
    acknowledged = data.get("acknowledged", True)
    return {
        "status": status,
        "date": _int(data.get("date"), "date", optional=True),
        "acknowledged": _bool(acknowledged, "acknowledged"),
        "metadata": _metadata(data.get("metadata"), "metadata"),
    }


def read_status(value: Any, path: str) -> str:
    status = _text(value, path)
    if status not in STATUSES:
        raise invalid(path, f"must be one of {', '.join(STATUSES)}, not {status!r}")
    return status
