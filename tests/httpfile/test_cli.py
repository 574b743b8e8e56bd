"""``orderspec import-http`` as a user runs it: a real subprocess."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml

from .conftest import DATA


def _orderspec(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "orderspec", *args], capture_output=True, text=True, cwd=cwd, timeout=60)


def test_writes_the_flow_and_lists_warnings_with_lines(tmp_path: Path) -> None:
    out = tmp_path / "flow.yaml"
    done = _orderspec("import-http", str(DATA / "service-panel.http"), "-o", str(out))
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    lines = done.stderr.splitlines()
    source = str(DATA / "service-panel.http")
    assert [line.split(": warning: ")[0] for line in lines[:6]] == [f"{source}:{n}" for n in (3, 8, 105, 108, 112, 127)]
    # the model is not in the flow's folder, so the flow could not send it
    assert "is outside the flow's folder" in lines[4]
    # the status read once: the document says to poll, and the warning shows how
    assert "reads the analysis status once; the document says to call it periodically" in lines[5]
    assert lines[5].endswith("add to this step: poll: {until: \"response.body.status == 'finished'\", fail_if: \"response.body.status not in ['analysing', 'finished']\", every: 1, timeout: 300}")
    # then one line per step whose effect was inferred, for the user to confirm
    assert [line.split(": warning: ")[1].split(":")[0] for line in lines[6:12]] == [
        "step 'POST baskets'", "step 'PATCH baskets {basked_id}'", "step 'POST lines'",
        "step 'PATCH lines {line_id}'", "step 'POST files'", "step 'POST orders'",
    ]  # fmt: skip
    assert lines[12] == f"wrote {out}: 12 steps, 6 warnings, 6 effects inferred"
    assert lines[13] == f"run it with: orderspec run {out} --secret token=TOKEN"
    flow = yaml.safe_load(out.read_text())
    assert flow["kind"] == "Flow" and len(flow["steps"]) == 12
    assert "Traceback" not in done.stderr


def test_without_output_the_flow_goes_to_stdout(tmp_path: Path) -> None:
    (tmp_path / "ping.http").write_text("GET https://x.test/ping\n")
    done = _orderspec("import-http", "ping.http", "--name", "ping-check", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("# yaml-language-server: $schema=")
    flow = yaml.safe_load(done.stdout)
    assert flow["name"] == "ping-check"
    assert flow["steps"] == [{"name": "GET ping", "request": {"method": "GET", "url": "/ping"}}]
    assert done.stderr == "converted: 1 step, 0 warnings\n"


def test_existing_output_needs_force(tmp_path: Path) -> None:
    out = tmp_path / "flow.yaml"
    out.write_text("keep me\n")
    (tmp_path / "ping.http").write_text("GET https://x.test/ping\n")
    refused = _orderspec("import-http", str(tmp_path / "ping.http"), "-o", str(out))
    assert refused.returncode == 2
    assert refused.stderr == f"error: {out} exists; pass --force to overwrite it\n"
    assert out.read_text() == "keep me\n"
    forced = _orderspec("import-http", str(tmp_path / "ping.http"), "-o", str(out), "--force")
    assert forced.returncode == 0
    assert yaml.safe_load(out.read_text())["steps"][0]["request"]["url"] == "/ping"


def test_strict_writes_nothing_when_something_was_not_converted(tmp_path: Path) -> None:
    out = tmp_path / "flow.yaml"
    done = _orderspec("import-http", str(DATA / "service-panel.http"), "-o", str(out), "--strict")
    assert done.returncode == 1
    assert done.stderr.splitlines()[-1] == "nothing written: 6 problems (--strict)"
    assert not out.exists()


def test_bad_input_is_a_message_not_a_traceback(tmp_path: Path) -> None:
    missing = _orderspec("import-http", str(tmp_path / "nope.http"))
    assert (missing.returncode, missing.stderr) == (2, f"error: {tmp_path / 'nope.http'}: no such file\n")  # usage, as everywhere
    (tmp_path / "bin.http").write_bytes(b"GET https://x.test/\n\xff\xfe\n")
    binary = _orderspec("import-http", str(tmp_path / "bin.http"))
    assert (binary.returncode, binary.stderr) == (1, f"error: {tmp_path / 'bin.http'}:2: the file is not UTF-8 text\n")
    no_folder = _orderspec("import-http", str(DATA / "service-panel.http"), "-o", str(tmp_path / "missing" / "flow.yaml"))
    assert (no_folder.returncode, no_folder.stderr) == (2, f"error: {tmp_path / 'missing'} is not a folder; create it first\n")


def test_an_order_spec_is_not_taken_for_an_http_file(tmp_path: Path) -> None:
    spec = Path(__file__).resolve().parents[2] / "specs" / "examples" / "ctq-bracket.yaml"
    out = tmp_path / "flow.yaml"
    done = _orderspec("import-http", str(spec), "-o", str(out))
    assert done.returncode == 1
    assert done.stderr.startswith(f"error: {spec}: holds no request a flow can send (line ")
    assert "is not a URL" in done.stderr and "Traceback" not in done.stderr
    assert not out.exists()


def test_a_folder_as_output_is_refused_even_with_force(tmp_path: Path) -> None:
    (tmp_path / "ping.http").write_text("GET https://x.test/ping\n")
    (tmp_path / "flows").mkdir()
    done = _orderspec("import-http", "ping.http", "-o", "flows", "--force", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr == "error: flows is a folder; name the flow file to write\n"
    assert list((tmp_path / "flows").iterdir()) == [] and [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
