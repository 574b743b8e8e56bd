"""What 3YOURMIND's documents attest about each answer, field by field, with the source.

3YOURMIND publishes no OpenAPI; the documents are the seed's ``.http`` example (seed 001),
the "Place Orders Programmatically" wiki page (3YD-wiki), the use-case page (3YD-usecases)
and the vendor's Python SDK (3YD-sdk, including the scripts in its ``examples/``). A field
is attested when one of them reads it from an answer, or writes it as a field of the same
resource (the address fields of ``create_user_address``, a quote's ``requestForQuoteId``).

Names are the exception: the documents say to *choose* a material, offer, post-processing,
payment and shipping method, but show no key to choose by. Those keys are marked
``label``: inferred, yet kept in ``documented_only`` mode, because a spec names what it
orders and nothing could be chosen without them. Prices, tax rates, order numbers and
everything else the sandbox invents are left out in that mode.

One table feeds both the sandbox (``prune``) and ``docs/targets/`` (``markdown``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

SEED = "seed 001 (.http example)"
WIKI = "3YD-wiki"
SDK = "3YD-sdk"
USECASES = "3YD-usecases"
LABEL = "*inferred*, kept as a label"
"""The document column of a label: its key is inferred; a spec's names are matched against it."""


@dataclass(frozen=True)
class Field:
    path: str
    """Dotted; ``[]`` is every element of a list (``results[].id``, ``[].name`` for a bare array)."""
    document: str
    section: str


@dataclass(frozen=True)
class Endpoint:
    operation: str
    """``METHOD /path/{param}/`` as the sandbox routes it."""
    fields: tuple[Field, ...] = ()
    note: str = ""
    _paths: frozenset[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        paths = set()
        for item in self.fields:  # every field's containers too, so pruning can descend to it
            parts = item.path.replace("[]", ".[]").split(".")
            for end in range(1, len(parts) + 1):
                paths.add(".".join(parts[:end]).replace(".[]", "[]"))
        object.__setattr__(self, "_paths", frozenset(p for p in paths if p))

    def prune(self, body: Any, prefix: str = "") -> Any:
        """``body`` with only the attested fields (and labels)."""
        if isinstance(body, Mapping):
            out = {}
            for key, value in body.items():
                path = f"{prefix}.{key}" if prefix else str(key)
                if path in self._paths:
                    out[key] = self.prune(value, path)
            return out
        if isinstance(body, list):
            return [self.prune(element, f"{prefix}[]") for element in body]
        return body


def _f(document: str, section: str, *paths: str) -> tuple[Field, ...]:
    return tuple(Field(path, document, section) for path in paths)


SP = "/api/v2.0/service-panel/services/{service_id}"
UP = "/api/v2.0/user-panel"
PROFILE = "/api/v2.0/my-profile"
ADDRESS_KEYS = ("city", "country", "firstName", "lastName", "line1", "line2", "phoneNumber", "zipCode", "companyName", "department", "state", "title", "vatId")
_ADDRESS_SECTION = "examples/migrate_users.py reads these of an address; organization_panel.create_user_address writes them"


def _page(section: str) -> tuple[Field, ...]:
    return _f(SDK, section, "count", "currentPage", "totalPages", "pageSize", "results")


def _addresses(prefix: str) -> tuple[Field, ...]:
    return _f(SDK, _ADDRESS_SECTION, *(prefix + key for key in ADDRESS_KEYS))


def _post_processing_labels(prefix: str) -> tuple[Field, ...]:
    section = "post-processings of the offer, as [{postProcessingId, colorId}] (3YD-sdk PostProcessingConfig; 3YD-wiki: 'set an offer and post-processing')"
    return _f(
        LABEL,
        section,
        f"{prefix}postProcessings[].id",
        f"{prefix}postProcessings[].name",
        f"{prefix}postProcessings[].colors[].id",
        f"{prefix}postProcessings[].colors[].name",
    )


_QUOTE = (
    *_f(SDK, "user_panel.get_quote / finalize_quote / place_order_from_quote address a quote by its id", "id"),
    *_f(USECASES, "Create a Quote based on a RequestForQuote: requestForQuoteId is a field of the quote", "requestForQuoteId"),
    *_f(SDK, "user_panel.quick_order_quote reads them", "status", "partner.id", "currency", "totalPrice.inclusiveTax"),
)
_NO_BODY = "No document shows this answer's body."

ENDPOINTS: dict[str, Endpoint] = {
    e.operation: e
    for e in (
        # -- Service Panel: the seed's twelve steps ----------------------------------------
        Endpoint(
            f"GET {SP}/internal-ordering/users/",
            (
                *_page("pagination: get_baskets / organization_panel.get_users docstrings"),
                *_f(SEED, "step 1: response.body.results[0].id", "results[].id"),
                *_f(SDK, "examples/migrate_users.py reads a user's email, firstName, lastName", "results[].email", "results[].firstName", "results[].lastName"),
            ),
        ),
        Endpoint(
            f"GET {SP}/internal-ordering/users/{{user_id}}/addresses/",
            (*_f(SEED, "step 4: response.body[2].id", "[].id"), *_addresses("[].")),
        ),
        Endpoint(
            f"GET {SP}/payment-methods/", (*_f(SEED, "step 5: response.body[0].id", "[].id"), *_f(LABEL, "3YD-wiki step 5: 'Choose payment method'", "[].name"))
        ),
        Endpoint(
            f"GET {SP}/shipping-methods/",
            (*_f(SEED, "step 6: response.body[0].id", "[].id"), *_f(LABEL, "3YD-wiki step 6: 'Choose shipping method'", "[].name")),
        ),
        Endpoint(
            f"GET {SP}/offers/",
            (
                *_f(SEED, "step 7: response.body[0].id", "[].id"),
                *_f(LABEL, "3YD-wiki step 7: 'Choose material for this line' from this list", "[].materialName"),
                *_post_processing_labels("[]."),
            ),
        ),
        Endpoint(f"POST {SP}/baskets/", _f(SEED, "step 2: response.body.id", "id")),
        Endpoint(f"PATCH {SP}/baskets/{{basket_id}}/", note=_NO_BODY + " The flow reads nothing."),
        Endpoint(f"POST {SP}/baskets/{{basket_id}}/lines/", _f(SEED, "step 8: response.body.id", "id")),
        Endpoint(f"PATCH {SP}/baskets/{{basket_id}}/lines/{{line_id}}/", note=_NO_BODY + " The flow reads nothing."),
        Endpoint(
            f"GET {SP}/baskets/{{basket_id}}/lines/{{line_id}}/file-status/",
            _f(SDK, "user_panel.check_uploaded_file_status: analysing until finished (3YD-wiki step 11: poll each 1s)", "status"),
        ),
        Endpoint(f"POST {SP}/internal-ordering/orders/", _f(SDK, "user_panel.get_order(order_id): orders are addressed by id", "id")),
        Endpoint(f"POST {SP}/quotes/", _QUOTE),
        # -- uploads -------------------------------------------------------------------
        Endpoint("POST /api/v2.0/files/", note=_NO_BODY + " (seed step 10; 3YD-wiki)"),
        Endpoint("POST /upload/", note=_NO_BODY + " (3YD-sdk upload_cad_file)"),
        # -- User Panel (3YD-sdk user_panel.py) -------------------------------------------
        Endpoint(f"GET {UP}/baskets/", (*_page("get_baskets docstring"), *_f(SDK, "get_basket(basket_id)", "results[].id"))),
        Endpoint(f"POST {UP}/baskets/", _f(SDK, "examples/import_catalog_items/script.py: basket['id']", "id")),
        Endpoint(f"GET {UP}/baskets/{{basket_id}}/", _f(SDK, "get_basket(basket_id)", "id")),
        Endpoint(f"POST {UP}/baskets/{{basket_id}}/lines/", _f(SDK, "create_line_with_cad_file_and_product: line_response['id']", "id")),
        Endpoint(
            f"PATCH {UP}/baskets/{{basket_id}}/lines/{{line_id}}/",
            _f(SDK, "examples/import_catalog_items/script.py: line['id'] of update_basket_line's answer", "id"),
        ),
        Endpoint(
            f"GET {UP}/baskets/{{basket_id}}/lines/{{line_id}}/materials/",
            (*_f(SDK, "get_products(material_id)", "[].id"), *_f(LABEL, "3YD-wiki: 'Update the basket line to set an offer' (of a material)", "[].name")),
        ),
        Endpoint(
            f"GET {UP}/baskets/{{basket_id}}/lines/{{line_id}}/materials/{{material_id}}/offers/",
            (*_f(SDK, "update_basket_line(product_id) sends it as offerId", "[].id"), *_post_processing_labels("[].")),
        ),
        Endpoint(f"GET {UP}/baskets/{{basket_id}}/lines/{{line_id}}/file-status/", _f(SDK, "check_uploaded_file_status: analysing until finished", "status")),
        Endpoint(
            f"GET {UP}/baskets/{{basket_id}}/price/",
            note="3YD-wiki 'Get Basket Price', 3YD-sdk get_basket_price ('Dict containing basket prices'): no field is documented.",
        ),
        Endpoint(
            f"GET {UP}/services/{{service_id}}/payment-methods/",
            (*_f(SDK, "quick_order_quote: payment_methods[0]['id']", "[].id"), *_f(LABEL, "3YD-wiki: 'a Payment method'", "[].name")),
        ),
        Endpoint(
            f"GET {UP}/services/{{service_id}}/shipping-methods/",
            (*_f(SDK, "quick_order_quote: shipping_methods[0]['id']", "[].id"), *_f(LABEL, "3YD-wiki: 'or a Shipping Method'", "[].name")),
        ),
        Endpoint(f"POST {UP}/requests-for-quote/", _f(USECASES, "Create a Quote based on a RequestForQuote: requestForQuoteId", "id")),
        Endpoint(f"GET {UP}/quotes/", (*_page("pagination as in get_baskets"), *(Field("results[]." + f.path, f.document, f.section) for f in _QUOTE))),
        Endpoint(f"GET {UP}/quotes/{{quote_id}}/", _QUOTE),
        Endpoint(f"PUT {UP}/quotes/{{quote_id}}/finalize/", note=_NO_BODY + " The SDK returns it unread."),
        Endpoint(f"POST {UP}/orders/", _f(SDK, "get_order(order_id): orders are addressed by id", "id")),
        Endpoint(f"GET {UP}/orders/", (*_page("pagination as in get_baskets"), *_f(SDK, "get_order(order_id)", "results[].id"))),
        Endpoint(f"GET {UP}/orders/{{order_id}}/", _f(SDK, "get_order(order_id)", "id")),
        # -- my profile and look-ups ----------------------------------------------------
        Endpoint(f"GET {PROFILE}/addresses/", (*_f(SDK, "quick_order_quote: addresses[0]['id']", "[].id"), *_addresses("[]."))),
        Endpoint(f"POST {PROFILE}/addresses/", (*_f(SDK, "get_address(address_id)", "id"), *_addresses(""))),
        Endpoint(f"GET {PROFILE}/addresses/{{address_id}}/", (*_f(SDK, "get_address(address_id)", "id"), *_addresses(""))),
        Endpoint(
            f"GET {PROFILE}/preferences/",
            _f(SDK, "my_profile.get_preferences docstring; get_materials reads country, uploads read unit", "country", "currency", "language", "unit"),
        ),
        Endpoint(f"PUT {PROFILE}/preferences/", _f(SDK, "my_profile.set_preferences", "country", "currency", "language", "unit")),
        Endpoint(f"GET {PROFILE}/profile/", note="3YD-sdk get_profile: 'name, default address, access roles etc.', without keys."),
        Endpoint("GET /api/v2.0/currencies/", note="3YD-sdk get_currencies: a list of currency codes (strings)."),
        Endpoint("GET /api/v2.0/tax-types/", note="3YD-sdk get_tax_types: a list of strings."),
    )
}


def prune(operation: str, body: Any) -> Any:
    """The answer of ``operation`` as the documents show it; an endpoint not listed keeps no field."""
    return ENDPOINTS.get(operation, Endpoint(operation)).prune(body)


def markdown(operations: Iterable[str]) -> str:
    """The documented fields of ``operations``: one table each (field, document, section)."""
    lines = ["<!-- generated from runner/sandbox/threeyourmind/_documented.py; do not edit by hand -->", ""]
    for operation in operations:
        endpoint = ENDPOINTS[operation]
        lines += [f"#### `{operation}`", ""]
        if endpoint.note:
            lines += [endpoint.note, ""]
        if endpoint.fields:
            lines += ["| field | document | section |", "| --- | --- | --- |"]
            lines += [f"| `{f.path}` | {f.document} | {f.section} |" for f in endpoint.fields]
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"
