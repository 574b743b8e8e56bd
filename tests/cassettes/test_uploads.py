"""Uploads: streamed through the recorder and the replayer, described by digest, deterministic on the wire."""

from __future__ import annotations

import hashlib
import tracemalloc
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
import yaml

from orderspec.cassettes import record, replay
from orderspec.engine import InstantClock, load_flow, run_flow
from orderspec.sandbox._server import serve_in_thread

from . import _app
from .conftest import Api

SIZE = 50 * 1024 * 1024
MEMORY_LIMIT = 12 * 1024 * 1024

UPLOAD_FLOW = """
apiVersion: orderspec/v1
kind: Flow
name: uploads
base_url: "{{ target.base_url }}"
steps:
  - name: signed url
    request: {method: POST, url: /upload-url}
    capture: {url: response.body.upload_url}
  - name: raw
    request:
      method: PUT
      url: "{{ vars.url }}"
      content: {path: "{{ order.model }}", content_type: application/octet-stream}
  - name: multipart
    request:
      method: POST
      url: /storage/parts
      multipart:
        fields: {unit: mm, note: "{{ order.note }}"}
        files:
          file: {path: "{{ order.model }}", content_type: model/stl}
          photos: {zip: ["{{ order.photo }}", {path: "{{ order.model }}", name: model.stl}]}
"""


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


@pytest.fixture
def big_file(tmp_path: Path) -> Path:
    path = tmp_path / "big.stl"
    with path.open("wb") as stream:  # sparse: takes no room on disk
        stream.seek(SIZE - 5)
        stream.write(b"solid")
    return path


@pytest.fixture
def photo(tmp_path: Path) -> Path:
    path = tmp_path / "photo.jpg"
    path.write_bytes(b"\xff\xd8\xff\xe0" + bytes(range(256)) * 8 + b"\xff\xd9")
    return path


@pytest.fixture
def another_api() -> Iterator[Api]:
    app, state = _app.create_app()
    running = serve_in_thread(app)
    try:
        yield Api(running, state)
    finally:
        running.stop()


def _run(flow: Path, transport: httpx.BaseTransport, base_url: str, model: Path, photo: Path) -> None:
    context = {"order": {"model": str(model), "photo": str(photo), "note": "two parts"}, "target": {"base_url": base_url}}
    assert run_flow(load_flow(flow), context, transport=transport, clock=InstantClock()).ok


def test_a_50_mb_upload_is_recorded_and_replayed_with_bounded_memory(
    api: Api, write_flow: Callable[..., Path], tmp_path: Path, big_file: Path, photo: Path
) -> None:
    flow = write_flow(UPLOAD_FLOW)
    cassette = tmp_path / "big.yaml"
    tracemalloc.start()
    try:
        with record(cassette, httpx.HTTPTransport()) as transport:
            _run(flow, transport, api.base_url, big_file, photo)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < MEMORY_LIMIT, f"recording held {peak / 2**20:.1f} MiB"
    digest = sha256_of(big_file)
    assert api.state.bodies[0] == {"size": SIZE, "sha256": digest, "content_type": "application/octet-stream"}
    assert cassette.stat().st_size < 20_000

    interactions = yaml.safe_load(cassette.read_text(encoding="utf-8"))["interactions"]
    assert interactions[1]["request"]["body"] == {"file": {"size": SIZE, "sha256": digest}}
    parts = interactions[2]["request"]["body"]["multipart"]
    assert parts[0] == {"name": "unit", "value": "mm"} and parts[1] == {"name": "note", "value": "two parts"}
    assert parts[2] == {"name": "file", "filename": "big.stl", "content_type": "model/stl", "size": SIZE, "sha256": digest}
    assert parts[3]["name"] == "photos" and parts[3]["filename"] == "files.zip" and parts[3]["content_type"] == "application/zip"
    assert parts[3]["size"] > SIZE

    api.stop()
    tracemalloc.start()
    try:
        with replay(cassette, strict=True) as transport:
            _run(flow, transport, api.base_url, big_file, photo)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < MEMORY_LIMIT, f"replay held {peak / 2**20:.1f} MiB"


def test_uploads_are_the_same_bytes_every_time_and_re_record_identically(
    api: Api, another_api: Api, write_flow: Callable[..., Path], tmp_path: Path, photo: Path
) -> None:
    model = tmp_path / "part.stl"
    model.write_bytes(b"solid part\n" * 3000)
    flow = write_flow(UPLOAD_FLOW)
    first, second = tmp_path / "first.yaml", tmp_path / "second.yaml"
    with record(first, httpx.HTTPTransport()) as transport:
        _run(flow, transport, api.base_url, model, photo)
    with record(second, httpx.HTTPTransport()) as transport:
        _run(flow, transport, another_api.base_url, model, photo)

    # the same multipart body (boundary included) and the same ZIP reached both servers
    assert api.state.bodies == another_api.state.bodies
    assert api.state.bodies[1]["content_type"].startswith("multipart/form-data; boundary=")
    # a fresh signed URL (expiry, signature) and another port each time, and yet:
    assert first.read_bytes() == second.read_bytes()
    text = first.read_text(encoding="utf-8")
    assert "expires=<scrubbed>&signature=<scrubbed>" in text
    assert "127.0.0.1:" not in text


def test_a_changed_zip_entry_fails_replay_by_digest(api: Api, write_flow: Callable[..., Path], tmp_path: Path, photo: Path) -> None:
    model = tmp_path / "part.stl"
    model.write_bytes(b"solid part\n" * 3000)
    flow = write_flow(UPLOAD_FLOW)
    cassette = tmp_path / "zip.yaml"
    with record(cassette, httpx.HTTPTransport()) as transport:
        _run(flow, transport, api.base_url, model, photo)
    api.stop()
    photo.write_bytes(photo.read_bytes()[:-1] + b"\x00")
    from orderspec.errors import OrderspecError

    with replay(cassette) as transport, pytest.raises(OrderspecError) as failure:
        _run(flow, transport, api.base_url, model, photo)
    error = getattr(failure.value, "cause", failure.value)
    assert "upload photos (files.zip): recorded " in error.message
    assert "SHA-256" in error.message
