"""The sandbox's catalogue: what the one printing service sells, and to whom.

Loaded once per app from ``catalogue.yaml`` (or the user's replacement) into frozen
values whose JSON shapes are built up front, so handlers never copy or re-serialise
the catalogue per request.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from orderspec.sandbox._catalogue import load_catalogue_file

BUILT_IN = Path(__file__).resolve().parent / "catalogue.yaml"

ADDRESS_FIELDS = (
    "title",
    "firstName",
    "lastName",
    "companyName",
    "department",
    "line1",
    "line2",
    "zipCode",
    "city",
    "state",
    "country",
    "phoneNumber",
    "vatId",
)


@dataclass(frozen=True)
class PostProcessing:
    id: int
    name: str
    price: Decimal
    colors: dict[int, str]
    json: dict[str, Any] = field(compare=False)


@dataclass(frozen=True)
class Offer:
    id: int
    name: str
    material_id: int
    material_name: str
    unit_price: Decimal
    post_processing_ids: tuple[int, ...]
    json: dict[str, Any] = field(compare=False)


@dataclass(frozen=True)
class Named:
    """A catalogue entry that is picked by id and shown by name (shipping, payment, pickup, material)."""

    id: int
    name: str
    price: Decimal
    json: dict[str, Any] = field(compare=False)


@dataclass(frozen=True)
class Customer:
    id: int
    first_name: str
    last_name: str
    email: str
    addresses: tuple[dict[str, Any], ...]
    json: dict[str, Any] = field(compare=False)

    @property
    def search_text(self) -> str:
        return f"{self.first_name} {self.last_name} {self.email}".casefold()


@dataclass(frozen=True)
class Catalogue:
    currency: str
    tax_rate: Decimal
    service_id: int
    service_name: str
    countries: tuple[str, ...]
    materials: dict[int, Named]
    post_processings: dict[int, PostProcessing]
    offers: dict[int, Offer]
    shipping_methods: dict[int, Named]
    payment_methods: dict[int, Named]
    pickup_locations: dict[int, Named]
    vouchers: dict[str, Decimal]
    users: dict[int, Customer]
    me: Customer
    preferences: dict[str, Any]
    currencies: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    forms: tuple[dict[str, Any], ...] = ()
    """Part-requirement forms: ``{id, name, fields: [{id, name, type, required, options: [{id, name}]}]}``."""

    def offers_json(self, material_id: int | None = None) -> list[dict[str, Any]]:
        return [o.json for o in self.offers.values() if material_id is None or o.material_id == material_id]


def load_catalogue(path: Path | None = None) -> Catalogue:
    """Read and check a catalogue file; a broken file raises ``CatalogueError`` naming the problem."""
    return load_catalogue_file("3YOURMIND", path, BUILT_IN, _build)


def _money(value: Any) -> Decimal:
    amount = Decimal(str(value))
    if not amount.is_finite() or amount < 0:
        raise ValueError(f"price {value!r} must be a non-negative number")
    return amount.quantize(Decimal("0.01"))


def _address(raw: dict[str, Any]) -> dict[str, Any]:
    return {"id": int(raw["id"]), **{key: raw.get(key, "") for key in ADDRESS_FIELDS}}


def _customer(raw: dict[str, Any]) -> Customer:
    customer = Customer(
        id=int(raw["id"]),
        first_name=str(raw["firstName"]),
        last_name=str(raw["lastName"]),
        email=str(raw["email"]),
        addresses=tuple(_address(a) for a in raw.get("addresses") or ()),
        json={},
    )
    customer.json.update(
        id=customer.id,
        firstName=customer.first_name,
        lastName=customer.last_name,
        fullName=f"{customer.first_name} {customer.last_name}",
        email=customer.email,
    )
    return customer


def _by_id(entries: list[Any]) -> dict[int, Any]:
    out: dict[int, Any] = {}
    for entry in entries:
        if entry.id in out:
            raise ValueError(f"id {entry.id} appears twice")
        out[entry.id] = entry
    return out


def _build(data: dict[str, Any]) -> Catalogue:
    currency = str(data["currency"])
    materials = _by_id(
        [
            Named(
                int(m["id"]),
                str(m["name"]),
                Decimal(0),
                {"id": int(m["id"]), "name": str(m["name"]), "technology": m.get("technology", ""), "description": m.get("description", "")},
            )
            for m in data["materials"]
        ]
    )
    post_processings = _by_id(
        [
            PostProcessing(
                id=int(p["id"]),
                name=str(p["name"]),
                price=_money(p["price"]),
                colors={int(c["id"]): str(c["name"]) for c in p.get("colors") or ()},
                json={
                    "id": int(p["id"]),
                    "name": str(p["name"]),
                    "price": str(_money(p["price"])),
                    "currency": currency,
                    "colors": [{"id": int(c["id"]), "name": str(c["name"]), "hexValue": c.get("hexValue", "")} for c in p.get("colors") or ()],
                },
            )
            for p in data["post_processings"]
        ]
    )
    tax_rate = str(Decimal(str(data["tax_rate"])).quantize(Decimal("0.01")))
    offers = []
    for o in data["offers"]:
        material = materials.get(int(o["material"]))
        if material is None:
            raise ValueError(f"offer {o['id']} names material {o['material']}, which is not under materials")
        pp_ids = tuple(int(i) for i in o.get("post_processings") or ())
        unknown = [i for i in pp_ids if i not in post_processings]
        if unknown:
            raise ValueError(f"offer {o['id']} names post-processing {unknown[0]}, which is not under post_processings")
        offers.append(
            Offer(
                id=int(o["id"]),
                name=str(o["name"]),
                material_id=material.id,
                material_name=material.name,
                unit_price=_money(o["unit_price"]),
                post_processing_ids=pp_ids,
                json={
                    "id": int(o["id"]),
                    "name": str(o["name"]),
                    "materialId": material.id,
                    "materialName": material.name,
                    "technology": material.json["technology"],
                    "unitPrice": str(_money(o["unit_price"])),
                    "taxRate": tax_rate,
                    "currency": currency,
                    "leadTimeDays": int(o.get("lead_time_days", 5)),
                    "postProcessings": [post_processings[i].json for i in pp_ids],
                },
            )
        )
    shipping = [
        Named(
            int(s["id"]),
            str(s["name"]),
            _money(s["price"]),
            {
                "id": int(s["id"]),
                "name": str(s["name"]),
                "price": str(_money(s["price"])),
                "taxRate": tax_rate,
                "currency": currency,
                "deliveryTime": {"min": int(s.get("min_days", 1)), "max": int(s.get("max_days", 5)), "unit": "business days"},
            },
        )
        for s in data["shipping_methods"]
    ]
    payment = [
        Named(int(p["id"]), str(p["name"]), Decimal(0), {"id": int(p["id"]), "name": str(p["name"]), "type": str(p.get("type", ""))})
        for p in data["payment_methods"]
    ]
    pickup = [
        Named(int(p["id"]), str(p["name"]), Decimal(0), {"id": int(p["id"]), **{k: v for k, v in p.items() if k != "id"}})
        for p in data.get("pickup_locations") or ()
    ]
    me_raw = data["me"]
    return Catalogue(
        currency=currency,
        tax_rate=Decimal(str(data["tax_rate"])),
        service_id=int(data["service"]["id"]),
        service_name=str(data["service"]["name"]),
        countries=tuple(str(c) for c in data["countries"]),
        materials=materials,
        post_processings=post_processings,
        offers=_by_id(offers),
        shipping_methods=_by_id(shipping),
        payment_methods=_by_id(payment),
        pickup_locations=_by_id(pickup),
        vouchers={str(v["code"]): Decimal(str(v["percent"])) for v in data.get("vouchers") or ()},
        users=_by_id([_customer(u) for u in data["users"]]),
        me=_customer(me_raw),
        preferences=dict(me_raw.get("preferences") or {"country": "DE", "currency": currency, "language": "en", "unit": "mm"}),
        currencies=tuple(str(c) for c in data.get("currencies") or (currency,)),
        languages=tuple(str(c) for c in data.get("languages") or ("en",)),
        forms=tuple(_form(f) for f in data.get("forms") or ()),
    )


def _form(raw: dict[str, Any]) -> dict[str, Any]:
    fields = [
        {
            "id": int(f["id"]),
            "name": str(f["name"]),
            "type": str(f.get("type", "text")),
            "required": bool(f.get("required", False)),
            "options": [{"id": int(o["id"]), "name": str(o["name"])} for o in f.get("options") or ()],
        }
        for f in raw.get("fields") or ()
    ]
    return {"id": int(raw["id"]), "name": str(raw["name"]), "fields": fields}
