"""Names in a converted flow: variables, secrets, environment variables, steps."""

from __future__ import annotations

import re
from pathlib import Path

from orderspec.httpfile._templates import REFERENCE, name_of

_CREDENTIAL_WORDS = frozenset(
    {"token", "password", "passwd", "pwd", "secret", "key", "apikey", "credential", "credentials", "auth", "authorization", "bearer"}
)


def identifier(name: str) -> str:
    """A flow variable name (letters, digits, ``_``) for an HTTP Client variable name."""
    ident = re.sub(r"[^A-Za-z0-9_]", "_", name)
    return ident if re.match(r"[A-Za-z_]", ident) else "_" + ident


def looks_like_credential(name: str) -> bool:
    """True for names such as ``token``, ``api_key``, ``clientSecret``, ``X-Api-Key``."""
    words = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name).lower()
    return any(word in _CREDENTIAL_WORDS for word in re.split(r"[^a-z0-9]+", words))


def env_name(name: str) -> str:
    """The environment variable suggested for a secret: ``apiKey`` -> ``API_KEY``."""
    return re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", identifier(name)).upper()


def flow_name(path: str) -> str:
    """``service-panel`` for ``…/Service Panel.http``."""
    name = re.sub(r"[^a-z0-9]+", "-", Path(path).stem.lower()).strip("-")
    return name or "imported"


def step_name(method: str, path: str) -> str:
    """``GET users``, ``PATCH baskets {basket_id}``: the resource a request is about."""
    segments = [s for s in path.split("/") if s]
    if not segments:
        return method
    shown = [REFERENCE.sub(lambda m: "{" + name_of(m) + "}", s) for s in segments]
    if REFERENCE.search(segments[-1]) and len(segments) > 1 and not REFERENCE.search(segments[-2]):
        return f"{method} {shown[-2]} {shown[-1]}"
    literal = [s for s, raw in zip(shown, segments) if not REFERENCE.search(raw)]
    return f"{method} {literal[-1] if literal else shown[-1]}"


def last_literal_segment(path: str) -> str:
    segments = [s for s in path.split("/") if s and not REFERENCE.search(s)]
    return segments[-1] if segments else ""
