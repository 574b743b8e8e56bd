"""Reading request values the way DRF serializer fields do, with DRF's messages.

Each reader returns the clean value or raises ``Invalid``; ``FieldErrors`` collects
those per field so one 400 answer lists every problem, as DRF does.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from orderspec.sandbox.threeyourmind import _errors

_MISSING = object()
_INT_TEXT = re.compile(r"\s*-?[0-9]{1,18}\s*", re.ASCII)
_CENT = Decimal("0.01")


class Invalid(Exception):
    """One field's value is wrong; ``message`` is what DRF would say."""

    def __init__(self, message: Any) -> None:
        super().__init__(message)
        self.message = message


class FieldErrors:
    """Collects field errors; ``check()`` raises the 400 answer if there are any."""

    def __init__(self) -> None:
        self.errors: dict[str, Any] = {}

    def add(self, name: str, message: Any) -> None:
        if isinstance(message, (dict, list)):
            self.errors[name] = message
        else:
            self.errors.setdefault(name, []).append(message)

    def __bool__(self) -> bool:
        return bool(self.errors)

    def check(self) -> None:
        if self.errors:
            raise _errors.fields(self.errors)


def lookup(body: dict[str, Any], *names: str) -> Any:
    """The value under the first of ``names`` present (camelCase and the seed's snake_case), else ``MISSING``."""
    for name in names:
        if name in body:
            return body[name]
    return _MISSING


def missing(value: Any) -> bool:
    return value is _MISSING


def as_int(value: Any, *, minimum: int | None = None) -> int:
    if isinstance(value, bool):
        raise Invalid(_errors.INVALID_INT)
    if isinstance(value, int):
        number = value
    elif (isinstance(value, float) and value.is_integer()) or (isinstance(value, str) and _INT_TEXT.fullmatch(value)):
        number = int(value)
    else:
        raise Invalid(_errors.INVALID_INT)
    if minimum is not None and number < minimum:
        raise Invalid(f"Ensure this value is greater than or equal to {minimum}.")
    if number > 2_147_483_647:
        raise Invalid("Ensure this value is less than or equal to 2147483647.")
    return number


def optional_int(value: str | None, errors: FieldErrors, key: str) -> int | None:
    """An integer sent as text (form field or query parameter); blank is None, a wrong one is noted under ``key``."""
    if value is None or value == "":
        return None
    try:
        return as_int(value)
    except Invalid as exc:
        errors.add(key, exc.message)
        return None


def as_decimal(value: Any) -> Decimal:
    """A money amount: string or number, at most 2 decimal places and 12 digits, not negative."""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)) or (isinstance(value, str) and len(value) > 100):
        raise Invalid(_errors.INVALID_NUMBER)
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        raise Invalid(_errors.INVALID_NUMBER) from None
    if not amount.is_finite():
        raise Invalid(_errors.INVALID_NUMBER)
    exponent = amount.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -2 and amount != amount.quantize(_CENT):
        raise Invalid("Ensure that there are no more than 2 decimal places.")
    if abs(amount) >= Decimal(10) ** 10:
        raise Invalid("Ensure that there are no more than 12 digits in total.")
    if amount < 0:
        raise Invalid("Ensure this value is greater than or equal to 0.")
    return amount.quantize(_CENT)


def as_str(value: Any, *, max_length: int = 1000, allow_blank: bool = True) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise Invalid(_errors.INVALID_STRING)
    text = str(value)
    if not allow_blank and not text.strip():
        raise Invalid(_errors.BLANK)
    if len(text) > max_length:
        raise Invalid(f"Ensure this field has no more than {max_length} characters.")
    return text
