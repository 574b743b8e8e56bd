"""``orderspec plan`` and ``orderspec apply`` as a user runs them: a real subprocess."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "specs" / "examples"


def orderspec(*args: str, cwd: Path = ROOT, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "orderspec", *args],
        cwd=cwd,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_apply_all_examples_against_the_sandboxes() -> None:
    done = orderspec("apply", "--sandbox", "--yes", "specs/examples")
    assert done.returncode == 0, done.stderr
    placed = [line for line in done.stdout.splitlines() if line.startswith("placed ")]
    assert len(placed) == 4
    assert "placed ctq-bracket: order 10001 for " in done.stdout
    assert "placed tophoto-mug: order 1230 " in done.stdout
    assert done.stdout.endswith("4 orders placed.\n")
    # progress per step, with upload sizes, on stderr
    assert "ok    create order  POST " in done.stderr
    assert "upload models[0]/upload: uploaded 1,284 bytes" in done.stderr
    assert "Traceback" not in done.stderr


def test_apply_json_report() -> None:
    done = orderspec("apply", "--sandbox", "--yes", "--format", "json", "specs/examples/ctq-bracket.yaml", "specs/examples/tophoto-mug.yaml")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["failed"] == []
    numbers = {entry["name"]: entry["order_number"] for entry in report["placed"]}
    assert numbers == {"ctq-bracket": "10001", "tophoto-mug": "1230"}
    ctq = next(entry for entry in report["placed"] if entry["system"] == "ctq")
    assert ctq["sandbox"] is True and ctq["quote"]["currency"] == "EUR"


def test_plan_json_places_nothing() -> None:
    done = orderspec("plan", "--sandbox", "--format", "json", "specs/examples")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["placed"] == 0
    by_system = {entry["system"]: entry for entry in report["orders"]}
    assert set(by_system) == {"ctq", "3yourmind-service-panel", "3yourmind-user-panel", "tophoto"}
    service = by_system["3yourmind-service-panel"]
    assert service["resolved"]["offer_ids"] == [21]
    # gross, tax included (docs/targets/amounts.md): (3 x (24.50 + 4.50) + 9.90) x 1.19
    assert service["quote"] == {"total": 115.31, "currency": "EUR"} and service["quote_source"] == "catalogue"
    assert by_system["ctq"]["items"][0]["material"] == "PA12"
    assert by_system["ctq"]["would_run"][0] == "create order"


def test_plan_text_shows_the_order() -> None:
    done = orderspec("plan", "--sandbox", "--quote", "specs/examples/ctq-bracket.yaml")
    assert done.returncode == 0, done.stderr
    text = done.stdout
    assert "1. models/bracket.stl  x2  SLS / PA12 / Standard / White  + Dyeing  [mm]" in text
    assert "ship to:   Jonas Weber, Weber Maschinenbau GmbH, Invalidenstraße 117, 10115 Berlin, DE" in text
    assert "(priced on a draft that was deleted)" in text
    assert "budget:    250.00 EUR (ok)" in text
    assert "nothing was placed" in text


@pytest.fixture
def spec_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "specs"
    shutil.copytree(EXAMPLES, folder)
    return folder


def test_unknown_name_is_one_clear_message(spec_copy: Path) -> None:
    spec = spec_copy / "ctq-bracket.yaml"
    data = yaml.safe_load(spec.read_text())
    data["items"][0]["quality"] = "Fien"
    spec.write_text(yaml.safe_dump(data, allow_unicode=True))
    done = orderspec("apply", "--sandbox", "--yes", str(spec))
    assert done.returncode == 1
    lines = done.stderr.splitlines()
    start = next(index for index, line in enumerate(lines) if line.startswith("error:"))
    assert lines[start] == f"error: {spec}: 1 name is not in the CTQ catalogue (profile ctq):"
    assert lines[start + 1].startswith(f"  {spec}:")
    assert "items[0].quality 'Fien': no quality" in lines[start + 1] and "closest match 'Fine'" in lines[start + 1]
    assert "Traceback" not in done.stderr


def test_wrong_credentials_against_a_running_sandbox(spec_copy: Path, tmp_path: Path) -> None:
    server = subprocess.Popen(
        [sys.executable, "-m", "orderspec", "sandbox", "serve", "3yourmind", "--port", "0"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        first = server.stdout.readline()
        base_url = first.split("listening on ", 1)[1].strip()
        (spec_copy / "orderspec.yaml").write_text(
            yaml.safe_dump({"profiles": {"3yourmind-user-panel": {"system": "3yourmind-user-panel", "base_url": base_url, "auth": {"kind": "token", "env": "MY_TOKEN"}}}})
        )
        state = ("--state", str(tmp_path / "state.db"))  # not the checkout's own state
        bad = orderspec("apply", "--yes", *state, str(spec_copy / "3yourmind-user-panel.yaml"), env={"MY_TOKEN": "wrong-secret-token"})
        assert bad.returncode == 1
        assert f"error: {spec_copy / '3yourmind-user-panel.yaml'}: step 'addresses' failed: GET {base_url}/api/v2.0/my-profile/addresses/ answered 401 Unauthorized" in bad.stderr
        assert "wrong-secret-token" not in bad.stderr + bad.stdout
        good = orderspec("apply", "--yes", *state, "--format", "json", str(spec_copy / "3yourmind-user-panel.yaml"), env={"MY_TOKEN": "sandbox-token"})
        assert good.returncode == 0, good.stderr
        assert json.loads(good.stdout)["placed"][0]["order_number"] == "SO-9001"
        assert len(httpx.get(f"{base_url}/_sandbox/orders").json()) == 1
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_bad_spec_is_reported_before_anything_runs(spec_copy: Path) -> None:
    spec = spec_copy / "tophoto-mug.yaml"
    spec.write_text(spec.read_text().replace("locale: de_DE", "locael: de_DE"))
    done = orderspec("apply", "--sandbox", "--yes", str(spec))
    assert done.returncode == 1
    assert "locael" in done.stderr and "Traceback" not in done.stderr


def test_missing_path_is_a_usage_error() -> None:
    done = orderspec("plan", "--sandbox", "specs/nowhere")
    assert done.returncode == 2
    assert "does not exist" in done.stderr


def _on_a_terminal(*args: str, answer: bytes) -> tuple[str, int]:
    """Run ``orderspec`` on a terminal, as a person would; answer its question once it is asked."""
    import pty
    import select
    import time

    controller, terminal = pty.openpty()
    process = subprocess.Popen([sys.executable, "-m", "orderspec", *args], cwd=ROOT, stdin=terminal, stdout=terminal, stderr=terminal)
    os.close(terminal)
    seen = b""
    answered = False
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([controller], [], [], 0.2)
            if ready:
                try:
                    chunk = os.read(controller, 65536)
                except OSError:  # the command closed the terminal: it has finished
                    break
                if not chunk:
                    break
                seen += chunk
            if not answered and b"[y/N]" in seen:
                os.write(controller, answer)
                answered = True
            if process.poll() is not None and not ready:
                break
        return seen.decode().replace("\r\n", "\n"), process.wait(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
        os.close(controller)


def test_apply_on_a_terminal_shows_the_plan_before_asking() -> None:
    output, code = _on_a_terminal("apply", "--sandbox", "specs/examples/ctq-bracket.yaml", answer=b"n\n")
    assert code == 130
    question = output.index("Place this order on the local sandboxes? [y/N]")
    assert 0 < output.index("1. models/bracket.stl  x2  SLS / PA12 / Standard / White") < question
    assert "apply:     create order" in output[:question]
    assert "placed " not in output


def test_apply_on_a_terminal_places_after_yes() -> None:
    output, code = _on_a_terminal("apply", "--sandbox", "specs/examples/tophoto-mug.yaml", answer=b"y\n")
    assert code == 0, output
    assert output.index("[y/N]") < output.index("placed tophoto-mug: order 1230 ")
