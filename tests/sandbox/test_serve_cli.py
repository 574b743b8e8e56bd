"""``orderspec sandbox serve`` as a real process: announces itself, serves, stops on Ctrl-C."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

ORDERSPEC = [sys.executable, "-m", "orderspec"]
HEADERS = {"x-api-key": "sandbox-org", "language": "en"}


@contextmanager
def serving(*args: str) -> Iterator[tuple[subprocess.Popen[str], str, list[str]]]:
    process = subprocess.Popen([*ORDERSPEC, "sandbox", "serve", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        assert " listening on http://127.0.0.1:" in first, first + (process.stderr.read() if process.stderr else "")
        lines = [first]
        while not lines[-1].startswith("Press Ctrl-C"):
            lines.append(process.stdout.readline())
        yield process, first.split(" listening on ")[1].strip(), lines
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_serve_prints_url_and_credentials_and_stops_on_ctrl_c() -> None:
    with serving("ctq") as (process, base_url, lines):
        assert any("x-api-key: sandbox-org" in line for line in lines)
        assert httpx.get(f"{base_url}/info", headers=HEADERS).status_code == 200
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=10)
    assert process.returncode == 0, err
    assert "sandbox stopped" in out and "Traceback" not in err


def test_serve_takes_a_config_file_with_faults(tmp_path: Path) -> None:
    config = tmp_path / "sandbox.yaml"
    config.write_text(
        "options: {auth_header: organization_id}\nfaults: {error_rate: 1.0, error_statuses: [503], paths: [/info]}\n",
        encoding="utf-8",
    )
    with serving("ctq", "--config", str(config)) as (process, base_url, lines):
        assert any("organization_id: sandbox-org" in line for line in lines)
        headers = {"organization_id": "sandbox-org", "language": "en"}
        assert httpx.get(f"{base_url}/info", headers=headers).status_code == 503
        assert httpx.get(f"{base_url}/orders/nope", headers=headers).status_code == 404
        process.send_signal(signal.SIGTERM)
        process.communicate(timeout=10)
    assert process.returncode == 0


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT])
def test_serve_stops_promptly_with_a_request_in_flight(tmp_path: Path, stop: signal.Signals) -> None:
    """A request held by a 60 s latency fault gets the documented grace, then is cut off; no traceback."""
    import threading
    import time

    from orderspec.sandbox._server import SHUTDOWN_GRACE_SECONDS

    config = tmp_path / "sandbox.yaml"
    config.write_text("faults: {latency_ms: 60000, paths: [/info]}\n", encoding="utf-8")
    answers: list[object] = []
    with serving("ctq", "--config", str(config)) as (process, base_url, _):

        def slow() -> None:
            try:
                answers.append(httpx.get(f"{base_url}/info", headers=HEADERS, timeout=90).status_code)
            except httpx.HTTPError as exc:
                answers.append(exc)

        client = threading.Thread(target=slow)
        client.start()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and httpx.get(f"{base_url}/_sandbox/faults").json().get("latency", 0) < 1:
            time.sleep(0.05)
        started = time.monotonic()
        process.send_signal(stop)
        out, err = process.communicate(timeout=30)
        took = time.monotonic() - started
        client.join(timeout=30)
    assert process.returncode == 0 and "sandbox stopped" in out
    assert "Traceback" not in err and "CancelledError" not in err, err
    assert took < SHUTDOWN_GRACE_SECONDS + 5  # not the 60 s the request would have waited
    assert answers and answers[0] != 200  # the request in flight was cut off, not answered
    docs = (Path(__file__).resolve().parents[2] / "docs" / "sandbox.md").read_text(encoding="utf-8")
    assert f"get {SHUTDOWN_GRACE_SECONDS} seconds to finish" in docs


def test_serve_on_a_chosen_port(tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with serving("ctq", "--port", str(port)) as (process, base_url, _):
        assert base_url == f"http://127.0.0.1:{port}"
        busy = subprocess.run(
            [*ORDERSPEC, "sandbox", "serve", "ctq", "--port", str(port)], capture_output=True, text=True, timeout=30
        )
        assert busy.returncode == 2 and f"cannot listen on 127.0.0.1:{port}" in busy.stderr
        assert "Traceback" not in busy.stderr
        process.send_signal(signal.SIGINT)
        process.communicate(timeout=10)


@pytest.mark.parametrize(
    ("args", "config_text", "expected", "code"),
    [
        (["nope"], None, "'nope' is not one of", 2),
        (["ctq", "--config", "{missing}"], None, "does not exist", 2),
        (["ctq", "--config", "{config}"], "faults: {error_rate: 3}\n", "sandbox.yaml:1:", 2),
        (["ctq", "--config", "{config}"], "faults: [\n", "sandbox.yaml:2:1:", 1),
        (["ctq", "--config", "{config}"], "catalogue: nowhere.yaml\n", "the CTQ catalogue cannot be read", 2),
        (["ctq", "--config", "{config}"], "options: {signed_url_seconds: soon}\n", "cannot start with these settings", 2),
    ],
)
def test_bad_input_gives_a_message_and_non_zero_exit(
    tmp_path: Path, args: list[str], config_text: str | None, expected: str, code: int
) -> None:
    config = tmp_path / "sandbox.yaml"
    if config_text is not None:
        config.write_text(config_text, encoding="utf-8")
    argv = [arg.format(missing=tmp_path / "missing.yaml", config=config) for arg in args]
    result = subprocess.run([*ORDERSPEC, "sandbox", "serve", *argv], capture_output=True, text=True, timeout=30)
    assert result.returncode == code, result.stderr
    assert expected in result.stderr and "Traceback" not in result.stderr


def test_list_names_every_system() -> None:
    result = subprocess.run([*ORDERSPEC, "sandbox", "list"], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0
    assert [line.split()[0] for line in result.stdout.splitlines()] == [
        "ctq",
        "3yourmind",
        "3yourmind-user-panel",
        "3yourmind-service-panel",
        "tophoto",
    ]
