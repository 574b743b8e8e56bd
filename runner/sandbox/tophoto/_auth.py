"""Basic auth of to.photo: an account belongs to one mandator and one portal.

Credentials come from the to.photo key account manager and must match the order's
``mandator`` and ``portal``: no or wrong credentials are 401, credentials of another
mandator or portal are 403.
"""

from __future__ import annotations

import base64
import binascii
import hmac
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from orderspec.sandbox._config import SandboxConfigError
from orderspec.sandbox.tophoto._errors import ApiError

DEFAULT_USERNAME = "sandbox"
DEFAULT_PASSWORD = "sandbox-secret"
DEFAULT_MANDATOR = 0
DEFAULT_PORTAL = 1000

_CHALLENGE = {"WWW-Authenticate": 'Basic realm="to.photo"'}


@dataclass(frozen=True)
class Account:
    username: str
    password: str
    mandator: int
    portal: int

    @property
    def header(self) -> str:
        token = base64.b64encode(f"{self.username}:{self.password}".encode()).decode("ascii")
        return f"Basic {token}"


def accounts_from(credentials: Mapping[str, Any], extra: Iterable[Mapping[str, Any]] = ()) -> tuple[Account, ...]:
    """The default account (``credentials`` override its fields) and any ``options["accounts"]``."""
    first = _account(credentials, DEFAULT_USERNAME, DEFAULT_PASSWORD)
    return (first, *(_account(entry, None, None) for entry in extra))


def _account(entry: Mapping[str, Any], username: str | None, password: str | None) -> Account:
    if not isinstance(entry, Mapping):
        raise SandboxConfigError(f"a to.photo sandbox account must be a mapping, not {entry!r}", hint=_ACCOUNT_HINT)
    user = entry.get("username", username)
    secret = entry.get("password", password)
    if not user or not secret:
        raise SandboxConfigError("a to.photo sandbox account needs a username and a password", hint=_ACCOUNT_HINT)
    return Account(
        username=str(user),
        password=str(secret),
        mandator=_whole(entry.get("mandator", DEFAULT_MANDATOR), "mandator"),
        portal=_whole(entry.get("portal", DEFAULT_PORTAL), "portal"),
    )


_ACCOUNT_HINT = "e.g. {username: shop, password: secret, mandator: 0, portal: 1000}"


def _whole(value: Any, name: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise SandboxConfigError(f"the {name} of a to.photo sandbox account must be a whole number, not {value!r}") from None


class Authenticator:
    """Finds the account of a request's ``Authorization`` header; the exact header is a dict lookup."""

    def __init__(self, accounts: tuple[Account, ...]) -> None:
        self.accounts = accounts
        self._by_header = {account.header: account for account in accounts}

    def account(self, authorization: str | None) -> Account:
        if not authorization:
            raise ApiError(401, "Full authentication is required to access this resource", headers=_CHALLENGE)
        found = self._by_header.get(authorization)
        if found is not None:
            return found
        scheme, _, token = authorization.strip().partition(" ")
        if scheme.lower() != "basic":
            raise ApiError(401, "Bad credentials", "Only Basic authentication is supported", headers=_CHALLENGE)
        try:
            user, _, secret = base64.b64decode(token.strip(), validate=True).decode("utf-8").partition(":")
        except (binascii.Error, UnicodeDecodeError, ValueError):
            raise ApiError(401, "Bad credentials", "The Basic credentials are not valid base64", headers=_CHALLENGE) from None
        for account in self.accounts:
            if hmac.compare_digest(account.username.encode(), user.encode()) and hmac.compare_digest(
                account.password.encode(), secret.encode()
            ):
                return account
        raise ApiError(401, "Bad credentials", headers=_CHALLENGE)


def require_access(account: Account, mandator: int, portal: int) -> None:
    """403 unless ``account`` belongs to ``mandator`` and ``portal``."""
    if account.mandator != mandator or account.portal != portal:
        raise ApiError(
            403,
            "Access is denied",
            f"These credentials are for mandator {account.mandator} / portal {account.portal}, "
            f"not mandator {mandator} / portal {portal}",
        )
