"""Look-ups common to all panels (3YD-sdk ``common.py``) and a basket line's part requirements.

``colors/``, ``units/``, ``countries/``, ``currencies/`` (bare strings), ``materials/``,
``forms/`` and ``tax-types/`` (bare strings), read from the catalogue. The SDK documents
only what each lists, not the keys: those are inferred (docs/targets).
"""

from __future__ import annotations

from typing import Any

from starlette.responses import Response
from starlette.routing import Route

from orderspec.sandbox.threeyourmind import _baskets, _errors, _fields, _ordering
from orderspec.sandbox.threeyourmind._fields import FieldErrors, Invalid
from orderspec.sandbox.threeyourmind._http import Call, answer, route

API = "/api/v2.0"
UNITS = [{"code": "mm", "name": "Millimeter"}, {"code": "inch", "name": "Inch"}]
COUNTRY_NAMES = {
    "AT": "Austria", "BE": "Belgium", "CH": "Switzerland", "DE": "Germany", "ES": "Spain", "FR": "France",
    "GB": "United Kingdom", "IT": "Italy", "NL": "Netherlands", "PL": "Poland", "SE": "Sweden", "US": "United States",
}  # fmt: skip
TAX_TYPES = ["VAT"]


async def colors(call: Call) -> Response:
    seen: dict[int, dict[str, Any]] = {}
    for pp in call.state.catalogue.post_processings.values():
        for color in pp.json["colors"]:
            seen.setdefault(color["id"], color)
    return answer(list(seen.values()))


async def units(call: Call) -> Response:
    return answer(UNITS)


async def countries(call: Call) -> Response:
    return answer([{"code": code, "name": COUNTRY_NAMES.get(code, code)} for code in call.state.catalogue.countries])


async def currencies(call: Call) -> Response:
    return answer(list(call.state.catalogue.currencies))


async def materials(call: Call) -> Response:
    return answer([m.json for m in call.state.catalogue.materials.values()])


async def forms(call: Call) -> Response:
    return answer(list(call.state.catalogue.forms))


async def tax_types(call: Call) -> Response:
    return answer(TAX_TYPES)


async def part_requirements(call: Call) -> Response:
    """``{formId, fields: [{formFieldId, value}]}`` for one of the user's basket lines (3YD-sdk)."""
    state = call.state
    line_id = call.path_int("line_id")
    basket = next((b for b in state.baskets.values() if line_id in b.lines and b.panel == _ordering.USER_PANEL), None)
    if basket is None:
        raise _errors.not_found()
    body = await call.json_body()
    errors = FieldErrors()
    form: dict[str, Any] | None = None
    try:
        form = _ordering.pk(_fields.lookup(body, "formId"), {f["id"]: f for f in state.catalogue.forms})
    except Invalid as exc:
        errors.add("formId", exc.message)
    raw = _fields.lookup(body, "fields")
    if _fields.missing(raw) or raw is None:
        errors.add("fields", _errors.REQUIRED)
        raw = []
    elif not isinstance(raw, list):
        errors.add("fields", _errors.expected_list(raw))
        raw = []
    errors.check()
    assert form is not None
    known = {f["id"]: f for f in form["fields"]}
    values: dict[int, Any] = {}
    item_errors: list[dict[str, Any]] = []
    for item in raw:
        problems: dict[str, Any] = {}
        try:
            if not isinstance(item, dict):
                raise Invalid(_errors.expected_dict(item))
            field = _ordering.pk(_fields.lookup(item, "formFieldId"), known)
            value = _fields.lookup(item, "value")
            if _fields.missing(value):
                raise Invalid(_errors.REQUIRED)
            if field["options"] and value not in [o["id"] for o in field["options"]]:
                raise Invalid(_errors.invalid_choice(value))
            values[field["id"]] = value
        except Invalid as exc:
            problems["non_field_errors"] = [exc.message]
        item_errors.append(problems)
    if any(item_errors):
        raise _errors.fields({"fields": item_errors})
    missing = [f["name"] for f in form["fields"] if f["required"] and f["id"] not in values]
    if missing:
        raise _errors.fields({"fields": [f'"{name}" is required.' for name in missing]})
    _baskets.ensure_editable(basket)
    requirements = {"formId": form["id"], "fields": [{"formFieldId": k, "value": v} for k, v in values.items()]}
    basket.lines[line_id].part_requirements = requirements
    return answer({"lineId": line_id, **requirements}, 201)


def routes() -> list[Route]:
    return [
        route(f"{API}/colors/", get=colors),
        route(f"{API}/units/", get=units),
        route(f"{API}/countries/", get=countries),
        route(f"{API}/currencies/", get=currencies),
        route(f"{API}/materials/", get=materials),
        route(f"{API}/forms/", get=forms),
        route(f"{API}/tax-types/", get=tax_types),
        route(f"{API}/user-panel/forms/basket-line/{{line_id:int}}/", post=part_requirements),
    ]
