"""Profiles files: lookup, errors at their position, credentials from the environment only."""

from __future__ import annotations

import threading
import typing
from collections.abc import Iterator
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from orderspec.errors import SourceError
from orderspec.orders import LiveTransport, ProfileError, default_profile, load_profiles, select_profile
from orderspec.orders._client import make_client
from orderspec.profiles import credentials, find_profiles_file

ROOT = Path(__file__).resolve().parents[2]


def _write(folder: Path, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "orderspec.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_repository_example_profiles_file_loads() -> None:
    profiles = load_profiles(ROOT / "orderspec.yaml")
    assert profiles["ctq-production"].auth.header == "organization_id"
    assert profiles["acme-user-panel"].options["upload_path"] == "/upload/"
    assert profiles["tophoto-live"].auth.kind == "basic"
    # none of them is named like a system, so the examples keep using the sandbox defaults
    assert not set(profiles) & {"ctq", "3yourmind-service-panel", "3yourmind-user-panel", "tophoto"}


def test_found_by_walking_up_from_the_spec(tmp_path: Path) -> None:
    path = _write(tmp_path / "repo", "profiles: {}\n")
    deep = tmp_path / "repo" / "orders" / "2024"
    deep.mkdir(parents=True)
    assert find_profiles_file(deep / "spec.yaml") == path


def test_a_profile_named_like_the_system_is_the_default(tmp_path: Path) -> None:
    _write(tmp_path, "profiles:\n  ctq:\n    system: ctq\n    base_url: https://ctq.example/api/v1/\n")
    profile = select_profile("ctq", None, tmp_path / "spec.yaml")
    assert (profile.name, profile.base_url) == ("ctq", "https://ctq.example/api/v1")
    assert profile.auth.header == "x-api-key" and profile.options["language"] == "en"  # inherited from the default
    assert select_profile("tophoto", None, tmp_path / "spec.yaml") == default_profile("tophoto")


def test_unknown_key_is_located(tmp_path: Path) -> None:
    _write(tmp_path, "profiles:\n  prod:\n    system: ctq\n    base_ulr: https://x\n")
    with pytest.raises(SourceError) as caught:
        load_profiles(tmp_path / "orderspec.yaml")
    assert str(caught.value).startswith(f"{tmp_path / 'orderspec.yaml'}:4:5: profile 'prod': unknown key 'base_ulr'")


def test_bad_auth_kind_is_located(tmp_path: Path) -> None:
    _write(tmp_path, "profiles:\n  prod:\n    system: tophoto\n    auth: {kind: oauth, env: X}\n")
    with pytest.raises(SourceError) as caught:
        load_profiles(tmp_path / "orderspec.yaml")
    assert ":4:" in str(caught.value) and "auth kind must be one of none, token, bearer, basic, header, query" in str(caught.value)


def test_profile_for_another_system_is_refused(tmp_path: Path) -> None:
    _write(tmp_path, "profiles:\n  shop:\n    system: tophoto\n")
    with pytest.raises(ProfileError) as caught:
        select_profile("ctq", "shop", tmp_path / "spec.yaml")
    assert "is for tophoto, but the spec targets ctq" in str(caught.value)


def test_credentials_come_from_the_named_variables_only() -> None:
    profile = default_profile("tophoto")
    assert credentials(profile, {"TOPHOTO_USERNAME": "u", "TOPHOTO_PASSWORD": "p"}) == {"secret": "p", "username": "u"}
    with pytest.raises(ProfileError) as caught:
        credentials(profile, {"TOPHOTO_USERNAME": "u"})
    assert "TOPHOTO_PASSWORD" in str(caught.value)


class _Recorder(BaseHTTPRequestHandler):
    seen: typing.ClassVar[list[tuple[int, str | None]]] = []

    def do_GET(self) -> None:
        self.seen.append((self.server.server_address[1], self.headers.get("x-api-key")))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def two_servers() -> Iterator[list[int]]:
    servers = [ThreadingHTTPServer(("127.0.0.1", 0), _Recorder) for _ in range(2)]
    threads = [threading.Thread(target=server.serve_forever, daemon=True) for server in servers]
    for thread in threads:
        thread.start()
    _Recorder.seen = []
    yield [server.server_address[1] for server in servers]
    for server in servers:
        server.shutdown()
        server.server_close()


def test_the_credential_goes_to_the_profile_host_only(two_servers: list[int]) -> None:
    api, storage = two_servers
    profile = replace(default_profile("ctq"), base_url=f"http://127.0.0.1:{api}")
    with make_client(profile, {"secret": "org-123"}, LiveTransport()) as client:
        client.get(f"http://127.0.0.1:{api}/info")
        client.get(f"http://127.0.0.1:{storage}/bucket/model.stl")
    assert _Recorder.seen == [(api, "org-123"), (storage, None)]
