"""``orderspec cassette check``: located problems, exit codes, and the pre-commit hook."""

from __future__ import annotations

import base64
import os
import shlex
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import httpx
import yaml

from orderspec.cassettes import check_cassettes, record
from orderspec.engine import InstantClock, load_flow, run_flow

from . import _app
from .conftest import ROOT, Api

BAD = """\
# edited by hand
version: 1
interactions:
- request:
    method: POST
    uri: https://api.vendor.example/v1/orders?api_key=live_8f7e6d5c4b3a2910
    headers:
      authorization: Bearer eyJhbGciOiJIUzI1NiJ9.payload.signature
      x-org: org-4711-secret
    body: |-
      {
        "note": "ring twice",
        "session_token": "0123456789abcdef0123456789abcdef"
      }
  response:
    status: {code: 201, message: Created}
    headers:
      set-cookie: sid=9f8e7d6c5b4a; HttpOnly
    body:
      string: '{"upload": "https://bucket.s3.amazonaws.com/m.stl?X-Amz-Signature=deadbeefcafe0123"}'
- request:
    method: PUT
    uri: http://127.0.0.1:8701/storage/model.stl
    headers:
      content-type: application/octet-stream
    body: "solid cube\\n facet normal 0 0 1\\n"
  response:
    status: {code: 200, message: OK}
    headers: {}
    body: {string: ''}
"""


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "orderspec", "cassette", "check", *args], capture_output=True, text=True, env={**os.environ, **(env or {})}, cwd=ROOT
    )


def test_each_problem_is_reported_at_its_line_and_column(tmp_path: Path) -> None:
    cassette = write(tmp_path / "cassettes" / "bad.yaml", BAD)
    report = check_cassettes([cassette], secrets={"ORG_ID": "org-4711-secret"})
    lines = [str(finding) for finding in report.findings]
    name = str(cassette)
    expected = [
        f"{name}:6:18: host api.vendor.example is named by no profile (no orderspec.yaml found)",
        f"{name}:6:46: query parameter api_key holds a credential",
        f"{name}:8:22: header authorization holds a credential",
        f"{name}:13:27: body field 'session_token' holds a credential",
        f"{name}:18:19: header set-cookie holds a credential",
        f"{name}:20:65: query parameter X-Amz-Signature holds a credential",
        f"{name}:26:11: the request body holds the bytes of an upload (application/octet-stream)",
        f"{name}:9:14: the value of $ORG_ID appears here",
    ]
    for line in expected:
        assert any(found.startswith(line) for found in lines), f"{line}\nnot in\n" + "\n".join(lines)
    assert all(" (" in line and line.endswith(")") for line in lines)  # every problem carries a hint
    assert not any("org-4711-secret" in line for line in lines)  # a finding never prints the secret
    assert not report.ok


def test_a_recorded_cassette_is_clean_and_a_leaked_secret_is_found_in_any_encoding(api: Api, write_flow: Callable[..., Path], tmp_path: Path) -> None:
    flow = write_flow(
        """
apiVersion: orderspec/v1
kind: Flow
name: order
base_url: "{{ target.base_url }}"
headers: {Authorization: "Token {{ secrets.token }}"}
steps:
  - name: find
    request: {method: GET, url: /items, params: {search: PA12}}
"""
    )
    cassette = tmp_path / "cassettes" / "order.yaml"
    with record(cassette, httpx.HTTPTransport(), secrets=[_app.API_TOKEN]) as transport:
        run_flow(load_flow(flow), {"target": {"base_url": api.base_url}, "secrets": {"token": _app.API_TOKEN}}, transport=transport, clock=InstantClock())
    env = {"SHOP_TOKEN": _app.API_TOKEN}
    clean = cli(str(cassette.parent), "--secret-env", "SHOP_TOKEN", env=env)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert clean.stdout == "" and "1 cassette checked: clean" in clean.stderr

    leaked = cassette.read_text(encoding="utf-8").replace("search=PA12", "search=" + base64.b64encode(_app.API_TOKEN.encode()).decode())
    cassette.write_text(leaked, encoding="utf-8")
    found = cli(str(cassette), "--secret-env", "SHOP_TOKEN", env=env)
    assert found.returncode == 1
    assert found.stdout.startswith(f"{cassette}:6:")  # the line of the uri
    assert "the value of $SHOP_TOKEN appears here" in found.stdout
    assert _app.API_TOKEN not in found.stdout + found.stderr


def test_hosts_come_from_the_profiles_and_loopback_is_always_fine(tmp_path: Path) -> None:
    text = BAD.replace("api_key=live_8f7e6d5c4b3a2910", "page=1")
    write(tmp_path / "orderspec.yaml", yaml.safe_dump({"profiles": {"prod": {"system": "ctq", "base_url": "https://api.vendor.example/v1"}}}))
    cassette = write(tmp_path / "cassettes" / "c.yaml", text)
    messages = [finding.message for finding in check_cassettes([cassette]).findings]
    assert not any("host" in message for message in messages)
    other = write(tmp_path / "elsewhere" / "profiles.yaml", yaml.safe_dump({"profiles": {"x": {"system": "ctq", "base_url": "https://other.example"}}}))
    messages = [finding.message for finding in check_cassettes([cassette], profiles=other).findings]
    assert f"host api.vendor.example is named by no profile in {other}" in messages
    messages = [finding.message for finding in check_cassettes([cassette], profiles=other, allow_hosts=["api.vendor.example"]).findings]
    assert not any("host" in message for message in messages)


def test_folders_skip_yaml_that_is_no_cassette_but_a_named_file_is_reported(tmp_path: Path) -> None:
    write(tmp_path / "cassettes" / "notes.yaml", "title: not a cassette\n")
    write(tmp_path / "cassettes" / ".hidden" / "x.yaml", BAD)
    report = check_cassettes([tmp_path / "cassettes"])
    assert report.ok and report.files == ()
    named = check_cassettes([tmp_path / "cassettes" / "notes.yaml"])
    assert [str(finding) for finding in named.findings] == [
        f"{tmp_path / 'cassettes' / 'notes.yaml'}:1:1: not a cassette: no 'interactions' list (a cassette is a mapping with version and interactions)"
    ]
    broken = write(tmp_path / "broken.yaml", "interactions: [\n")
    (finding,) = check_cassettes([broken]).findings
    assert finding.line == 2 and "not valid YAML" in finding.message


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    missing = cli(str(tmp_path / "nothing"))
    assert missing.returncode == 2 and "no such file or folder" in missing.stderr
    unset = cli(str(tmp_path), "--secret-env", "ORDERSPEC_SURELY_UNSET_VARIABLE")
    assert unset.returncode == 2 and "ORDERSPEC_SURELY_UNSET_VARIABLE" in unset.stderr
    assert cli().returncode == 2


def test_the_pre_commit_hook_checks_cassettes(tmp_path: Path) -> None:
    hooks = {hook["id"]: hook for hook in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))}
    hook = hooks["orderspec-cassette-check"]
    assert hook["language"] == "python"
    cassette = write(tmp_path / "cassettes" / "bad.yaml", BAD)
    import re

    assert re.search(hook["files"], "cassettes/bad.yaml") and not re.search(hook["files"], "specs/order.yaml")
    argv = shlex.split(hook["entry"]) + list(hook.get("args", [])) + [str(cassette)]
    assert argv[:3] == ["orderspec", "cassette", "check"]
    result = subprocess.run([sys.executable, "-m", "orderspec", *argv[1:]], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 1 and f"{cassette}:" in result.stdout


def test_words_after_basic_or_token_in_prose_are_not_credentials(tmp_path: Path) -> None:
    prose = BAD.replace("api_key=live_8f7e6d5c4b3a2910", "page=1").replace(
        '"note": "ring twice"', '"note": "Basic delivery, Token ring; Bearer of the parcel: the reception desk"'
    )
    cassette = write(tmp_path / "cassettes" / "prose.yaml", prose)
    messages = [finding.message for finding in check_cassettes([cassette], allow_hosts=["api.vendor.example"]).findings]
    assert not any(message.startswith("a ") for message in messages), messages
    leaked = prose.replace("Basic delivery", "Basic " + base64.b64encode(b"bot:hunter22").decode())
    cassette.write_text(leaked.replace("Bearer of", "Bearer eyJhbGciOiJIUzI1NiJ9.e30.x1y2z3 of"), encoding="utf-8")
    messages = [finding.message for finding in check_cassettes([cassette], allow_hosts=["api.vendor.example"]).findings]
    assert "a Basic credential" in messages and "a Bearer credential" in messages
