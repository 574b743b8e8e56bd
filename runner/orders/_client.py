"""The HTTP client a spec's flow runs with: the profile's auth, scoped to the target's host.

Built-in flows carry no credentials; the client adds them. The credential goes only to
the origin of the profile's base URL, so a signed upload URL on another host (CTQ's
Cloud Storage) never receives the organization id, token or password.
"""

from __future__ import annotations

import base64
from collections.abc import Generator, Mapping

import httpx

from orderspec.orders._profiles import Profile

TIMEOUT = 30.0


class ScopedAuth(httpx.Auth):
    """Set one header on requests to one origin (scheme, host, port)."""

    def __init__(self, base_url: str, header: str, value: str) -> None:
        url = httpx.URL(base_url)
        self._origin = (url.scheme, url.host, url.port)
        self._header = header
        self._value = value

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        if (request.url.scheme, request.url.host, request.url.port) == self._origin:
            request.headers[self._header] = self._value
        yield request


def auth_for(profile: Profile, secrets: Mapping[str, str]) -> httpx.Auth | None:
    """The auth the profile asks for, with ``secrets`` from ``credentials()``."""
    auth = profile.auth
    if auth.kind == "none":
        return None
    secret = secrets["secret"]
    if auth.kind == "token":
        return ScopedAuth(profile.base_url, auth.header, f"{auth.scheme} {secret}")
    if auth.kind == "basic":
        pair = f"{secrets['username']}:{secret}".encode()
        return ScopedAuth(profile.base_url, "Authorization", "Basic " + base64.b64encode(pair).decode("ascii"))
    return ScopedAuth(profile.base_url, auth.header, secret)


class _Transport(httpx.BaseTransport):
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


def make_client(profile: Profile, secrets: Mapping[str, str]) -> httpx.Client:
    """A client for one target; close it when the spec is done."""
    return httpx.Client(auth=auth_for(profile, secrets), timeout=TIMEOUT, follow_redirects=False, transport=_Transport())
