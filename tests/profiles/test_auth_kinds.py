"""Each auth kind reaches the profile's own origin, and nothing else, over real HTTP."""

from __future__ import annotations

import base64
import threading
import typing
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from orderspec.orders import LiveTransport
from orderspec.orders._client import make_client
from orderspec.profiles import credentials, load_profiles


class _Recorder(BaseHTTPRequestHandler):
    seen: typing.ClassVar[list[tuple[int, dict[str, str], dict[str, list[str]]]]] = []

    def do_GET(self) -> None:
        query = parse_qs(urlsplit(self.path).query)
        self.seen.append((self.server.server_address[1], {k.lower(): v for k, v in self.headers.items()}, query))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def servers() -> Iterator[tuple[int, int]]:
    running = [ThreadingHTTPServer(("127.0.0.1", 0), _Recorder) for _ in range(2)]
    for server in running:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    _Recorder.seen = []
    yield running[0].server_address[1], running[1].server_address[1]
    for server in running:
        server.shutdown()
        server.server_close()


def _profile(tmp_path: Path, port: int, auth: str) -> typing.Any:
    (tmp_path / "orderspec.yaml").write_text(f"profiles:\n  vendor:\n    base_url: http://127.0.0.1:{port}/api\n    auth: {auth}\n")
    return load_profiles(tmp_path / "orderspec.yaml")["vendor"]


ENV = {"VENDOR_KEY": "k-123", "VENDOR_USER": "ada"}


@pytest.mark.parametrize(
    ("auth", "header", "value", "param"),
    [
        ("{kind: bearer, env: VENDOR_KEY}", "authorization", "Bearer k-123", None),
        ("{kind: token, env: VENDOR_KEY}", "authorization", "Token k-123", None),
        ("{kind: token, env: VENDOR_KEY, scheme: ApiKey}", "authorization", "ApiKey k-123", None),
        ("{kind: basic, env: VENDOR_KEY, username_env: VENDOR_USER}", "authorization", "Basic " + base64.b64encode(b"ada:k-123").decode(), None),
        ("{kind: header, header: X-Api-Key, env: VENDOR_KEY}", "x-api-key", "k-123", None),
        ("{kind: header, header: X-Auth, prefix: 'Key ', env: VENDOR_KEY}", "x-auth", "Key k-123", None),
        ("{kind: query, param: api_key, env: VENDOR_KEY}", None, None, ("api_key", "k-123")),
    ],
)
def test_each_kind_authenticates_at_the_profile_origin_only(
    tmp_path: Path, servers: tuple[int, int], auth: str, header: str | None, value: str | None, param: tuple[str, str] | None
) -> None:
    api, elsewhere = servers
    profile = _profile(tmp_path, api, auth)
    with make_client(profile, credentials(profile, ENV), LiveTransport()) as client:
        client.get(f"http://127.0.0.1:{api}/api/things", params={"page": "2"})
        client.get(f"http://127.0.0.1:{elsewhere}/upload/model.stl")
    (port_a, headers_a, query_a), (port_b, headers_b, query_b) = _Recorder.seen
    assert (port_a, port_b) == (api, elsewhere)
    if header is not None:
        assert headers_a[header] == value
    if param is not None:
        assert query_a[param[0]] == [param[1]] and query_a["page"] == ["2"]
    assert "k-123" not in repr(headers_b) + repr(query_b)
    assert "authorization" not in headers_b


def test_none_sends_no_credential(tmp_path: Path, servers: tuple[int, int]) -> None:
    api, _ = servers
    profile = _profile(tmp_path, api, "{kind: none}")
    assert credentials(profile, ENV) == {}
    with make_client(profile, {}, LiveTransport()) as client:
        client.get(f"http://127.0.0.1:{api}/api/things")
    [(_, headers, query)] = _Recorder.seen
    assert "authorization" not in headers and query == {}
