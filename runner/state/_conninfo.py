"""Showing a state location without its password, and splitting off orderspec's own options."""

from __future__ import annotations

import re
from urllib.parse import SplitResult, parse_qsl, quote, quote_plus, unquote, urlencode, urlsplit, urlunsplit

MASK = "***"
POSTGRES_SCHEMES = ("postgresql", "postgres")
_KEYWORD_PASSWORD = re.compile(r"(?i)(\bpassword\s*=\s*)('(?:[^'\\]|\\.)*'|[^\s]+)")
_SECRET_QUERY_KEYS = {"password", "sslpassword"}
_USERINFO_PASSWORD = re.compile(r"(://[^:/@?#]*:)[^@/?#]*@")
_QUERY_PASSWORD = re.compile(r"(?i)([?&](?:ssl)?password=)[^&#]*")


def _split(url: str) -> SplitResult | None:
    try:
        return urlsplit(url)
    except ValueError:  # e.g. an unclosed [IPv6 bracket
        return None


def is_postgres_url(url: str) -> bool:
    return url.split(":", 1)[0].lower() in POSTGRES_SCHEMES and "://" in url


def describe_url(url: str) -> str:
    """``url`` as it may be printed: any password (in the user part or a query) becomes ``***``.

    Works on PostgreSQL URLs and on ``key=value`` connection strings; other text (SQLite
    paths) is returned as it is.
    """
    if "://" in url:
        parts = _split(url)
        if parts is None:
            return _QUERY_PASSWORD.sub(lambda match: match.group(1) + MASK, _USERINFO_PASSWORD.sub(lambda match: match.group(1) + MASK + "@", url))
        netloc = parts.netloc
        if "@" in netloc:
            userinfo, _, hostinfo = netloc.rpartition("@")
            if ":" in userinfo:
                netloc = f"{userinfo.split(':', 1)[0]}:{MASK}@{hostinfo}"
        query = parts.query
        pairs = parse_qsl(query, keep_blank_values=True)
        if any(key.lower() in _SECRET_QUERY_KEYS for key, _ in pairs):
            query = urlencode([(key, MASK if key.lower() in _SECRET_QUERY_KEYS else value) for key, value in pairs], safe="*")
        if (netloc, query) == (parts.netloc, parts.query):
            return url
        return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))
    if "=" in url:
        return _KEYWORD_PASSWORD.sub(lambda match: match.group(1) + MASK, url)
    return url


def password_of(url: str) -> str | None:
    """The password written in ``url``, if any (to scrub it from error text)."""
    if "://" in url:
        parts = _split(url)
        if parts is None:
            match = _USERINFO_PASSWORD.search(url)
            return unquote(match.group(0)[len(match.group(1)) : -1]) if match else None
        if parts.password:
            return unquote(parts.password)
        for key, value in parse_qsl(parts.query, keep_blank_values=True):
            if key.lower() == "password":
                return value
        return None
    match = _KEYWORD_PASSWORD.search(url)
    if match is None:
        return None
    value = match.group(2)
    return value[1:-1] if value.startswith("'") else value


def scrub_password(text: str, url: str) -> str:
    """``text`` with the password of ``url`` masked, in its plain and URL-encoded forms."""
    password = password_of(url)
    if password:
        for form in sorted({password, quote(password, safe=""), quote_plus(password)}, key=len, reverse=True):
            text = text.replace(form, MASK)
    return text


def split_schema(url: str, default: str) -> tuple[str, str]:
    """Take orderspec's ``schema`` query parameter off a PostgreSQL URL: (url for libpq, schema)."""
    parts = _split(url)
    if parts is None:
        return url, default
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    schema = default
    kept = []
    for key, value in pairs:
        if key == "schema":
            schema = value
        else:
            kept.append((key, value))
    if len(kept) == len(pairs):
        return url, schema
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(kept), parts.fragment)), schema
