"""Talking to a target: the live transport, and the profile's credential applied to its own origin only.

Flows carry no credentials; the HTTP layer adds them, per the profile's auth kind, to
requests for the origin (scheme, host, port) of the profile's base URL and to nothing
else, so a signed upload URL on another host (CTQ's Cloud Storage) never receives the
organization id, token or password, and a flow cannot send them anywhere else.
"""

from __future__ import annotations

import base64
from collections.abc import Generator, Iterator, Mapping
from contextlib import contextmanager

import httpx

from orderspec.profiles import Profile

TIMEOUT = 30.0


class OriginAuth(httpx.Auth):
    """Set one header, or one query parameter, on requests to one origin."""

    def __init__(self, base_url: str, *, header: str | None = None, param: str | None = None, value: str) -> None:
        url = httpx.URL(base_url)
        self._origin = (url.scheme, url.host, url.port)
        self._header = header
        self._param = param
        self._value = value

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        if (request.url.scheme, request.url.host, request.url.port) == self._origin:
            if self._header is not None:
                request.headers[self._header] = self._value
            if self._param is not None:
                request.url = request.url.copy_set_param(self._param, self._value)
        yield request


def auth_for(profile: Profile, secrets: Mapping[str, str]) -> httpx.Auth | None:
    """The auth the profile asks for, with ``secrets`` from ``orderspec.profiles.credentials``."""
    auth = profile.auth
    if auth.kind == "none" or not profile.base_url:
        return None
    secret = secrets["secret"]
    if auth.kind == "token":
        return OriginAuth(profile.base_url, header="Authorization", value=f"{auth.scheme} {secret}")
    if auth.kind == "bearer":
        return OriginAuth(profile.base_url, header="Authorization", value=f"Bearer {secret}")
    if auth.kind == "basic":
        pair = f"{secrets['username']}:{secret}".encode()
        return OriginAuth(profile.base_url, header="Authorization", value="Basic " + base64.b64encode(pair).decode("ascii"))
    if auth.kind == "query":
        return OriginAuth(profile.base_url, param=auth.param, value=secret)
    return OriginAuth(profile.base_url, header=auth.header, value=auth.prefix + secret)


class LiveTransport(httpx.BaseTransport):
    """Plain HTTP at once; the verifying HTTPS transport only when an https:// URL comes.

    Building a verifying TLS context (loading the CA bundle) costs tens of
    milliseconds, a large share of a whole ``apply`` against a loopback sandbox.
    The plain transport never sees an https:// URL, so it needs no TLS context.
    """

    def __init__(self) -> None:
        self._http = httpx.HTTPTransport(verify=False)
        self._https: httpx.HTTPTransport | None = None

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.scheme == "https":
            if self._https is None:
                self._https = httpx.HTTPTransport()
            return self._https.handle_request(request)
        return self._http.handle_request(request)

    def close(self) -> None:
        self._http.close()
        if self._https is not None:
            self._https.close()


@contextmanager
def live(_target: object) -> Iterator[httpx.BaseTransport]:
    """The real network, one connection pool per spec run: the default ``Runtime.transport``."""
    transport = LiveTransport()
    try:
        yield transport
    finally:
        transport.close()


def make_client(profile: Profile, secrets: Mapping[str, str], transport: httpx.BaseTransport) -> httpx.Client:
    """A client for one target over ``transport``; redirects are never followed (they could carry credentials away)."""
    return httpx.Client(auth=auth_for(profile, secrets), timeout=TIMEOUT, follow_redirects=False, transport=transport)
