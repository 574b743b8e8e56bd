"""Scrubbing what a cassette must never hold: credentials in any encoding, signatures, tokens.

One ``Scrubber`` serves a whole recording. It knows the run's secret values and
learns more on the way (the value of every credential header, every token a response
hands out), and rewrites request and response records so that none of them is left
in plain, base64, JSON-escaped or URL-encoded form. It also takes out what changes
from run to run without meaning anything: the random port of a loopback sandbox, the
expiry and signature of a signed URL.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import threading
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import quote, quote_plus, unquote_plus, urlsplit, urlunsplit

PLACEHOLDER = "<scrubbed>"
"""What every scrubbed value is replaced with; in a recorded request it matches any value."""

MIN_SECRET = 4
"""Shorter values are not treated as secrets: scrubbing them would garble the cassette."""

CREDENTIAL_HEADERS = frozenset(
    {
        "authorization",
        "proxy-authorization",
        "cookie",
        "set-cookie",
        "x-api-key",
        "api-key",
        "x-auth-token",
        "x-access-token",
        "organization_id",
        "organization-id",
    }
)
"""Header names (lower case) whose values are credentials wherever they are sent."""

CREDENTIAL_PARAMS = frozenset({"token", "access_token", "key", "api_key", "apikey", "signature", "sig", "credential", "password", "secret", "client_secret"})
"""Query parameter names (lower case) whose values are credentials."""

SIGNED_PREFIXES = ("x-amz-", "x-goog-")
"""Every parameter of a cloud-storage signed URL (credential, date, expiry, signature)."""

SIGNING_PARAMS = frozenset({"signature", "sig", "x-amz-signature", "x-goog-signature"})
"""A URL with one of these is signed: its ``expires`` changes each time and is scrubbed too."""

TOKEN_KEYS = frozenset(
    {
        "token",
        "accesstoken",
        "refreshtoken",
        "idtoken",
        "authtoken",
        "sessiontoken",
        "apikey",
        "xapikey",
        "secret",
        "clientsecret",
        "password",
        "passwd",
        "privatekey",
    }
)
"""JSON keys (lower case, without ``_`` and ``-``) whose string values are credentials."""

DROPPED_REQUEST_HEADERS = frozenset({"host", "user-agent", "accept-encoding", "connection", "content-length", "transfer-encoding", "expect"})
"""Request headers that say nothing about the request itself (they vary with the client or the port)."""

DROPPED_RESPONSE_HEADERS = frozenset(
    {"date", "server", "content-length", "connection", "keep-alive", "transfer-encoding", "content-encoding", "alt-svc", "via"}
)
"""Response headers that change from run to run or are recomputed on replay."""

_URL = re.compile(r"(?i)\bhttps?://[^\s\"'<>\\`{}|^]+")
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9_-]*)\s+\S")
_LOOPBACK = re.compile(r"^(?:localhost|127(?:\.\d{1,3}){3}|\[::1\])$", re.IGNORECASE)


def is_loopback(host: str) -> bool:
    """Whether ``host`` (as in a URL, IPv6 in brackets or not) is this machine."""
    host = host.lower()
    return bool(_LOOPBACK.match(host)) or host == "::1"


def key_is_credential(key: str) -> bool:
    """Whether a JSON key or form field name holds a credential (``access_token``, ``apiKey``, ...)."""
    return key.lower().replace("_", "").replace("-", "") in TOKEN_KEYS


def param_is_credential(name: str) -> bool:
    """Whether a query parameter carries a credential (``token``, ``X-Amz-Signature``, ...)."""
    lowered = name.lower()
    return lowered in CREDENTIAL_PARAMS or lowered.startswith(SIGNED_PREFIXES)


def secret_forms(secret: str) -> set[str]:
    """``secret`` as it may appear in a request or an answer: plain, JSON-escaped, URL-encoded, base64.

    Base64 covers the value encoded alone (padded or not, both alphabets) and the value
    inside a longer encoded text at any byte offset (``Basic`` credentials of a pair the
    caller did not name).
    """
    forms = {
        secret,
        json.dumps(secret)[1:-1],
        json.dumps(secret, ensure_ascii=False)[1:-1],
        quote(secret, safe=""),
        quote(secret),
        quote_plus(secret),
    }
    raw = secret.encode("utf-8")
    for encode in (base64.b64encode, base64.urlsafe_b64encode):
        full = encode(raw).decode("ascii")
        forms.update({full, full.rstrip("=")})
        for offset in range(3):
            encoded = encode(b"\0" * offset + raw + b"\0\0").decode("ascii")
            first = -(-8 * offset // 6)  # the first character made only of the secret's bits
            last = (8 * offset + 8 * len(raw)) // 6  # one past the last such character
            core = encoded[first:last]
            if len(core) >= 8:
                forms.add(core)
    return {form for form in forms if form}


def pair_forms(username: str, password: str) -> set[str]:
    """The base64 forms of ``username:password`` (HTTP Basic credentials)."""
    raw = f"{username}:{password}".encode()
    forms: set[str] = set()
    for encode in (base64.b64encode, base64.urlsafe_b64encode):
        full = encode(raw).decode("ascii")
        forms.update({full, full.rstrip("=")})
    return forms


class Scrubber:
    """Rewrites requests and answers so that no credential is left; thread-safe.

    ``secrets`` are credential values (any encoding of them is found); ``pairs`` are
    ``(username, password)`` pairs sent as HTTP Basic; ``headers`` and ``params`` name
    further credential headers (a profile's own auth header) and query parameters.
    """

    def __init__(
        self,
        secrets: Iterable[str] = (),
        *,
        pairs: Iterable[tuple[str, str]] = (),
        headers: Iterable[str] = (),
        params: Iterable[str] = (),
    ) -> None:
        self._lock = threading.Lock()
        self._forms: set[str] = set()
        self._learned: set[str] = set()  # values whose forms are known: a credential header repeats on every request
        self._headers_seen: set[str] = set()
        self._pattern: re.Pattern[str] | None = None
        self.headers = CREDENTIAL_HEADERS | {name.lower() for name in headers}
        self.params = frozenset(name.lower() for name in params)
        for secret in secrets:
            self.learn(secret)
        for username, password in pairs:
            self.learn_pair(username, password)

    # -- what counts as secret ------------------------------------------------------------

    def learn(self, value: object) -> None:
        """Treat ``value`` as a secret from now on (too short a value is ignored)."""
        text = value if isinstance(value, str) else ("" if value is None else str(value))
        if len(text) < MIN_SECRET or text == PLACEHOLDER or text in self._learned:
            return
        forms = secret_forms(text)
        with self._lock:
            self._learned.add(text)
            if not forms <= self._forms:
                self._forms |= forms
                self._pattern = None

    def learn_pair(self, username: str, password: str) -> None:
        """Treat ``password`` and the Basic credentials of the pair as secrets."""
        self.learn(password)
        forms = pair_forms(username, password)
        with self._lock:
            if not forms <= self._forms:
                self._forms |= forms
                self._pattern = None

    def _learn_header(self, value: str) -> None:
        if value in self._headers_seen:
            return
        self._headers_seen.add(value)
        match = _SCHEME.match(value)
        credential = value[match.end(1) :].strip() if match else value.strip()
        if match and match.group(1).lower() == "basic":
            try:
                decoded = base64.b64decode(credential, validate=True).decode("utf-8")
            except (binascii.Error, UnicodeDecodeError):
                decoded = ""
            if ":" in decoded:
                username, password = decoded.split(":", 1)
                self.learn_pair(username, password)
        self.learn(credential)

    def _regex(self) -> re.Pattern[str] | None:
        with self._lock:
            if self._pattern is None and self._forms:
                ordered = sorted(self._forms, key=lambda form: (-len(form), form))
                self._pattern = re.compile("|".join(map(re.escape, ordered)))
            return self._pattern

    # -- text -------------------------------------------------------------------------------

    def text(self, value: str) -> str:
        """``value`` with every URL credential and every known secret scrubbed.

        URLs go first: a placeholder ends a URL, so query parameters after one would be
        missed otherwise.
        """
        if "://" in value:
            value = _URL.sub(lambda match: self._url(match.group(0)), value)
        pattern = self._regex()
        if pattern is not None:
            value = pattern.sub(PLACEHOLDER, value)
        return value

    def url(self, value: str) -> str:
        """A URL without credentials (query, user part, known secrets) and without a loopback port."""
        value = self._url(value)
        pattern = self._regex()
        return pattern.sub(PLACEHOLDER, value) if pattern is not None else value

    def _url(self, value: str) -> str:
        try:
            parts = urlsplit(value)
            host = parts.hostname or ""
            port = parts.port
        except ValueError:
            return value
        netloc = parts.netloc
        if "@" in netloc:
            netloc = PLACEHOLDER + "@" + netloc.rsplit("@", 1)[1]
        if port is not None and is_loopback(host):
            netloc = netloc[: netloc.rfind(":")]
        query = self._query(parts.query) if parts.query else parts.query
        return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))

    def _query(self, query: str) -> str:
        pieces = query.split("&")
        names = [unquote_plus(piece.split("=", 1)[0]).lower() for piece in pieces]
        signed = any(name in SIGNING_PARAMS for name in names)
        scrubbed = []
        for piece, name in zip(pieces, names):
            credential = param_is_credential(name) or name in self.params or (signed and name == "expires")
            if credential and piece.split("=", 1)[-1] not in ("", PLACEHOLDER) and "=" in piece:
                piece = piece.split("=", 1)[0] + "=" + PLACEHOLDER
            scrubbed.append(piece)
        return "&".join(scrubbed)

    # -- structured values --------------------------------------------------------------------

    def data(self, value: Any) -> Any:
        """A JSON value with the string values of credential keys replaced (and learned).

        Other strings are left for ``text`` over the value's JSON text.
        """
        if isinstance(value, dict):
            result: dict[str, Any] = {}
            for key, item in value.items():
                if isinstance(item, str) and item and key_is_credential(str(key)):
                    self.learn(item)
                    result[key] = PLACEHOLDER
                else:
                    result[key] = self.data(item)
            return result
        if isinstance(value, list):
            return [self.data(item) for item in value]
        return value

    def header(self, name: str, value: str) -> str:
        """A header value: a credential header keeps only its scheme (``Token <scrubbed>``)."""
        if name.lower() in self.headers:
            if value == PLACEHOLDER or value.endswith(" " + PLACEHOLDER):
                return value
            self._learn_header(value)
            match = _SCHEME.match(value)
            if match and name.lower() in ("authorization", "proxy-authorization"):
                return f"{match.group(1)} {PLACEHOLDER}"
            return PLACEHOLDER
        return self.text(value)

    def headers_of(self, headers: Mapping[str, Any]) -> dict[str, Any]:
        """Scrub every header value (a value may be a list of values)."""
        result: dict[str, Any] = {}
        for name, value in headers.items():
            if isinstance(value, list):
                result[name] = [self.header(name, str(item)) for item in value]
            else:
                result[name] = self.header(name, str(value))
        return result

    def learn_from_headers(self, headers: Mapping[str, Any]) -> None:
        """Learn the credential values of ``headers`` without changing them."""
        for name, value in headers.items():
            if name.lower() in self.headers:
                for item in value if isinstance(value, list) else [value]:
                    if str(item) != PLACEHOLDER and not str(item).endswith(" " + PLACEHOLDER):
                        self._learn_header(str(item))

    def learn_from_data(self, value: Any) -> None:
        """Learn the values under credential keys of a JSON value without changing it."""
        if isinstance(value, dict):
            for key, item in value.items():
                if isinstance(item, str) and key_is_credential(str(key)):
                    self.learn(item)
                else:
                    self.learn_from_data(item)
        elif isinstance(value, list):
            for item in value:
                self.learn_from_data(item)
