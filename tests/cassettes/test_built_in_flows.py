"""Recording each built-in flow against its sandbox and replaying it with the sandbox gone."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from orderspec.cassettes import CassetteMismatch, record, replay
from orderspec.cassettes._scrub import pair_forms, secret_forms
from orderspec.errors import OrderspecError
from orderspec.sandbox.testing import cube_stl

from .conftest import SPECS

SYSTEMS = list(SPECS)


def mismatch(failure: pytest.ExceptionInfo[OrderspecError]) -> CassetteMismatch:
    """The ``CassetteMismatch`` a replayed run stopped with (the engine may carry it as the cause of its own error)."""
    error = getattr(failure.value, "cause", failure.value)
    assert isinstance(error, CassetteMismatch), repr(failure.value)
    assert failure.value.exit_code == 1
    return error


def _record(session: Any, path: Path) -> Any:
    with record(path, httpx.HTTPTransport(), secrets=[session.secrets["secret"]], pairs=session.pairs) as transport:
        return session.run(transport)


@pytest.mark.parametrize("system", SYSTEMS)
def test_a_recorded_session_replays_with_the_same_outcome_after_the_sandbox_is_stopped(
    system: str, sandbox_session: Callable[..., Any], tmp_path: Path
) -> None:
    session, running = sandbox_session(system)
    cassette = tmp_path / "cassettes" / f"{system}.yaml"
    live = _record(session, cassette)
    assert live.ok
    running.stop()
    with httpx.Client() as probe, pytest.raises(httpx.ConnectError):
        probe.get(session.base_url + "/")  # the sandbox is really gone

    with replay(cassette, strict=True) as transport:
        replayed = session.run(transport, credentials=False)

    assert replayed.ok
    assert replayed.outputs == live.outputs
    assert [(step.path, step.status) for step in replayed.steps] == [(step.path, step.status) for step in live.steps]


@pytest.mark.parametrize("system", SYSTEMS)
def test_the_cassette_holds_no_credential_in_any_encoding_and_no_upload_bytes(system: str, sandbox_session: Callable[..., Any], tmp_path: Path) -> None:
    session, _ = sandbox_session(system)
    cassette = tmp_path / f"{system}.yaml"
    _record(session, cassette)
    text = cassette.read_text(encoding="utf-8")

    forms = secret_forms(session.secrets["secret"])
    for username, password in session.pairs:
        forms |= pair_forms(username, password)
    leaked = sorted(form for form in forms if form in text)
    assert not leaked, f"credential forms in the cassette: {leaked}"
    assert "<scrubbed>" in text

    order = yaml.safe_load(session.spec.read_text(encoding="utf-8"))
    files = [item["file"] for item in order["items"] if "file" in item] + [f for item in order["items"] for f in item.get("files", [])]
    assert files
    for name in files:
        data = (session.spec.parent / name).read_bytes()
        for window in (data[:48], data[len(data) // 2 : len(data) // 2 + 48], data[-48:]):
            assert window.decode("latin-1") not in text
        if system != "tophoto":  # to.photo sends one ZIP of all photos: its digest is the ZIP's
            assert hashlib.sha256(data).hexdigest() in text


def test_tophoto_zip_of_the_photos_is_described_by_size_and_digest(sandbox_session: Callable[..., Any], tmp_path: Path) -> None:
    session, _ = sandbox_session("tophoto")
    cassette = tmp_path / "tophoto.yaml"
    _record(session, cassette)
    data = yaml.safe_load(cassette.read_text(encoding="utf-8"))
    bodies = [interaction["request"].get("body") for interaction in data["interactions"]]
    uploads = [body["multipart"] for body in bodies if isinstance(body, dict) and "multipart" in body]
    assert len(uploads) == 1
    (part,) = uploads[0]
    assert part["name"] == "file" and part["content_type"] == "application/zip" and part["filename"].endswith(".zip")
    assert part["size"] > 0 and len(part["sha256"]) == 64 and "value" not in part


def test_a_changed_json_field_fails_replay_with_the_key_and_both_values(
    sandbox_session: Callable[..., Any], specs: Callable[..., Path], tmp_path: Path
) -> None:
    session, running = sandbox_session("ctq")
    cassette = tmp_path / "ctq.yaml"
    _record(session, cassette)
    running.stop()

    def more_brackets(data: dict[str, Any]) -> None:
        data["items"][0]["quantity"] = 3

    session.spec = specs("ctq", more_brackets)
    with replay(cassette) as transport, pytest.raises(OrderspecError) as failure:
        session.run(transport, credentials=False)
    message = mismatch(failure).message
    assert "no recorded request matches PATCH /orders/" in message
    assert "body field items[0].quantity: recorded 2, this request 3" in message


def test_a_changed_model_file_fails_replay_with_sizes_and_digests(sandbox_session: Callable[..., Any], tmp_path: Path) -> None:
    session, running = sandbox_session("ctq")
    cassette = tmp_path / "ctq.yaml"
    _record(session, cassette)
    running.stop()
    model = session.spec.parent / "models" / "bracket.stl"
    before = model.read_bytes()
    model.write_bytes(cube_stl(12.5))

    with replay(cassette) as transport, pytest.raises(OrderspecError) as failure:
        session.run(transport, credentials=False)
    message = mismatch(failure).message
    assert "PUT /_storage/" in message and "bracket.stl" in message
    assert f"recorded {len(before)} bytes, SHA-256 {hashlib.sha256(before).hexdigest()}" in message
    assert f"this request {model.stat().st_size} bytes, SHA-256 {hashlib.sha256(model.read_bytes()).hexdigest()}" in message


def test_a_changed_model_in_a_multipart_upload_names_the_file(sandbox_session: Callable[..., Any], tmp_path: Path) -> None:
    session, running = sandbox_session("3yourmind-user-panel")
    cassette = tmp_path / "panel.yaml"
    _record(session, cassette)
    running.stop()
    order = yaml.safe_load(session.spec.read_text(encoding="utf-8"))
    model = session.spec.parent / order["items"][0]["file"]
    model.write_bytes(cube_stl(12.5))

    with replay(cassette) as transport, pytest.raises(OrderspecError) as failure:
        session.run(transport, credentials=False)
    message = mismatch(failure).message
    assert f"upload file ({model.name}): recorded " in message
    assert f"this request {model.stat().st_size} bytes, SHA-256 {hashlib.sha256(model.read_bytes()).hexdigest()}" in message


def test_a_changed_path_fails_replay_with_both_paths(sandbox_session: Callable[..., Any], specs: Callable[..., Path], tmp_path: Path) -> None:
    session, running = sandbox_session("ctq")
    cassette = tmp_path / "ctq.yaml"
    _record(session, cassette)
    running.stop()

    def other_code(data: dict[str, Any]) -> None:
        data["discount_code"] = "SPRING20"

    session.spec = specs("ctq", other_code)
    with replay(cassette) as transport, pytest.raises(OrderspecError) as failure:
        session.run(transport, credentials=False)
    message = mismatch(failure).message
    assert "no recorded request matches POST /orders/" in message
    assert "path: recorded /orders/" in message and "/apply-discount/WELCOME10, this request /orders/" in message
    assert message.endswith("/apply-discount/SPRING20")


@pytest.mark.parametrize("system", SYSTEMS)
def test_re_recording_an_unchanged_session_gives_a_byte_identical_cassette(system: str, sandbox_session: Callable[..., Any], tmp_path: Path) -> None:
    first, second = tmp_path / "first.yaml", tmp_path / "second.yaml"
    session, _ = sandbox_session(system)
    _record(session, first)
    session, _ = sandbox_session(system)  # a fresh sandbox on another random port
    _record(session, second)
    assert first.read_bytes() == second.read_bytes()
