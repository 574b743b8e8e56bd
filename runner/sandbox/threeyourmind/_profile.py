"""``/api/v2.0/my-profile/…``: the token owner's profile, preferences and addresses (3YD-sdk ``my_profile.py``).

Preferences are the user's own and change with ``PUT`` (only the keys sent; ``country``,
``currency`` and ``language`` may be set to null, as the SDK's ``NoValue`` docstring
says). Uploads through the SDK take their unit from here.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import Response
from starlette.routing import Route

from orderspec.sandbox.threeyourmind import _errors, _fields
from orderspec.sandbox.threeyourmind._catalogue import ADDRESS_FIELDS
from orderspec.sandbox.threeyourmind._fields import FieldErrors, Invalid
from orderspec.sandbox.threeyourmind._http import Call, answer, route

PREFIX = "/api/v2.0/my-profile"
_REQUIRED_ADDRESS = ("firstName", "lastName", "line1", "zipCode", "city", "country")
UNITS = ("mm", "inch")


async def profile(call: Call) -> Response:
    me = call.state.catalogue.me
    addresses = call.state.my_addresses
    return answer({**me.json, "defaultAddressId": addresses[0]["id"] if addresses else None, "roles": ["customer"]})


async def list_addresses(call: Call) -> Response:
    return answer(call.state.my_addresses)


async def get_address(call: Call) -> Response:
    address_id = call.path_int("address_id")
    for address in call.state.my_addresses:
        if address["id"] == address_id:
            return answer(address)
    raise _errors.not_found()


async def create_address(call: Call) -> Response:
    body = await call.json_body()
    errors = FieldErrors()
    address: dict[str, Any] = {}
    for name in ADDRESS_FIELDS:
        raw = _fields.lookup(body, name)
        if _fields.missing(raw) or raw is None:
            if name in _REQUIRED_ADDRESS:
                errors.add(name, _errors.REQUIRED)
            address[name] = ""
            continue
        try:
            address[name] = _fields.as_str(raw, max_length=255, allow_blank=name not in _REQUIRED_ADDRESS)
        except Invalid as exc:
            errors.add(name, exc.message)
    country = address.get("country")
    if country and "country" not in errors.errors and country not in call.state.catalogue.countries:
        errors.add("country", _errors.invalid_choice(country))
    errors.check()
    created = {"id": call.state.new_address_id(), **address}
    call.state.my_addresses.append(created)
    return answer(created, 201)


async def get_preferences(call: Call) -> Response:
    return answer(call.state.preferences)


async def put_preferences(call: Call) -> Response:
    catalogue = call.state.catalogue
    body = await call.json_body()
    errors = FieldErrors()
    changes: dict[str, Any] = {}
    for key, choices, nullable in (
        ("country", catalogue.countries, True),
        ("currency", catalogue.currencies, True),
        ("language", catalogue.languages, True),
        ("unit", UNITS, False),
    ):
        raw = _fields.lookup(body, key)
        if _fields.missing(raw):
            continue
        if raw is None:
            if nullable:
                changes[key] = None
            else:
                errors.add(key, _errors.NULL)
        elif not isinstance(raw, str) or raw not in choices:
            errors.add(key, _errors.invalid_choice(raw))
        else:
            changes[key] = raw
    errors.check()
    call.state.preferences.update(changes)
    return answer(call.state.preferences)


def routes() -> list[Route]:
    return [
        route(f"{PREFIX}/profile/", get=profile),
        route(f"{PREFIX}/addresses/", get=list_addresses, post=create_address),
        route(f"{PREFIX}/addresses/{{address_id:int}}/", get=get_address),
        route(f"{PREFIX}/preferences/", get=get_preferences, put=put_preferences),
    ]
