"""Hiding secret values in any text that leaves the engine.

A secret can come back in many spellings: a server that echoes the ``Authorization``
header of a failed request prints ``base64(user:password)``, a JSON report escapes
quotes and backslashes, a JUnit report escapes ``&`` and ``<``, a URL percent-encodes.
The ``Masker`` knows each of these forms of every secret it was given, so the one
place that masks a text catches all of them.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterable
from itertools import permutations
from urllib.parse import quote, quote_plus, unquote, urlsplit

MASK = "***"

# Query parameters that carry a credential in a URL (signed upload URLs, tokens).
_SIGNED_QUERY = re.compile(
    r"(?i)([?&](?:[\w.-]*(?:signature|credential|token)|sig|api_?key|key|password|passwd)=)[^&#\s\"'<>]+"
)
# ``scheme://user:password@`` or ``scheme://token@``: whatever stands before ``@`` in an authority.
_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/?#@\s\"'<>]+@")
_PERCENT = re.compile(r"%[0-9A-F]{2}")
_MIN_PARTIAL = 8
"""Shortest base64 fragment masked on its own: shorter ones would hide unrelated text."""


def _escaped_forms(text: str) -> set[str]:
    """``text`` as JSON, XML and URLs write it."""
    forms = {text, quote(text, safe=""), quote(text), quote_plus(text)}
    forms |= {_PERCENT.sub(lambda match: match.group(0).lower(), form) for form in list(forms)}
    forms.add(json.dumps(text)[1:-1])
    forms.add(json.dumps(text, ensure_ascii=False)[1:-1])
    forms.update({repr(text)[1:-1], ascii(text)[1:-1]})  # as ``{value!r}`` shows it
    xml_text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    forms.add(xml_text)
    forms.add(xml_text.replace('"', "&quot;").replace("\n", "&#10;").replace("\r", "&#13;").replace("\t", "&#09;"))
    normalised = " ".join(text.split())
    if normalised:
        forms.add(normalised)
    return forms


def _base64_forms(data: bytes, *, whole: bool) -> set[str]:
    """The base64 spellings of ``data``: whole (as a header carries it), and as part of a longer encoded text.

    Inside a longer text, ``data`` can start at any offset modulo 3; the characters of
    each alignment that depend on ``data`` alone are searched for.
    """
    forms: set[str] = set()
    for encode in (base64.b64encode, base64.urlsafe_b64encode):
        if whole:
            encoded = encode(data).decode("ascii")
            forms.update({encoded, encoded.rstrip("=")})
        for offset in range(3):
            encoded = encode(b"\0" * offset + data).decode("ascii")
            start = 4 if offset else 0  # the group shared with the bytes before is not the secret's alone
            end = (offset + len(data)) // 3 * 4  # nor is the group shared with the bytes after
            fragment = encoded[start:end]
            if len(fragment) >= _MIN_PARTIAL:
                forms.add(fragment)
    return forms


class Masker:
    """Replaces every secret value, in every spelling it may be printed in, with ``***``.

    The forms: the value itself, URL-encoded (upper and lower case hex, ``+`` for
    blanks), JSON-escaped, XML-escaped, with its runs of blanks collapsed, base64 (also
    inside a longer base64 text), and the base64 of ``a:b`` for every two secrets (HTTP
    Basic of a user name and password). URL signatures and tokens in query strings and
    ``user:password@`` in URLs are masked too, even without secrets: a signed upload URL
    is as good as a password until it expires.
    """

    __slots__ = ("_values",)

    def __init__(self, secrets: Iterable[object]) -> None:
        texts = sorted({str(secret) for secret in secrets if secret is not None and str(secret)})
        values: set[str] = set()
        for text in texts:
            values |= _escaped_forms(text)
            values |= _base64_forms(text.encode(), whole=len(text) >= 4)
        for first, second in permutations(texts, 2):
            values |= _base64_forms(f"{first}:{second}".encode(), whole=True)
        values.discard("")
        self._values = tuple(sorted(values, key=len, reverse=True))

    def __bool__(self) -> bool:
        """Whether there is any secret to hide (a masker of none still hides URL credentials)."""
        return bool(self._values)

    def found(self, text: str) -> bool:
        """Whether ``text`` holds a secret in any of its forms."""
        return any(value in text for value in self._values)

    def __call__(self, text: str) -> str:
        for value in self._values:
            if value in text:
                text = text.replace(value, MASK)
        if "=" in text:
            text = _SIGNED_QUERY.sub(lambda match: match.group(1) + MASK, text)
        if "@" in text and "://" in text:
            text = _USERINFO.sub(lambda match: match.group(1) + MASK + "@", text)
        return text



def url_credentials(url: object) -> list[str]:
    """The user name and password written in ``url`` (``https://user:pass@host``), decoded; none when it has none.

    httpx sends them as HTTP Basic, so a server can echo them back: they are masked like secrets.
    """
    if not isinstance(url, str) or "@" not in url:
        return []
    try:
        parts = urlsplit(url)
    except ValueError:
        return []
    return [unquote(value) for value in (parts.username, parts.password) if value]
