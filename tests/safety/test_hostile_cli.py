"""Against a server that echoes every request in its errors, no credential reaches stdout,
stderr, a JSON or JUnit report, the state store or a cassette, in any encoding."""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote, quote_plus

import pytest

ROOT = Path(__file__).resolve().parents[2]
USER = "hostile-user"
PASSWORD = 'pa"ss\\wörd +/=&<x>  end'
TOKEN = "tok-3f9a81c2d4e5b6a7"


def _forms(secret: str) -> list[str]:
    return [
        secret,
        quote(secret, safe=""),
        quote_plus(secret),
        json.dumps(secret)[1:-1],
        json.dumps(secret, ensure_ascii=True)[1:-1],
        base64.b64encode(secret.encode()).decode(),
        " ".join(secret.split()),
    ]


def _leaks(text: str) -> list[str]:
    pair = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
    found = [form for secret in (PASSWORD, TOKEN) for form in _forms(secret) if form in text]
    return found + ([pair] if pair in text else [])


FLOW = """apiVersion: orderspec/v1
kind: Flow
name: hostile
base_url: "{{ target.base_url }}"
steps:
  - name: catalogue
    request: {method: GET, url: "/ok"}
  - name: order
    effect: place
    request: {method: POST, url: "/%(echo)s/500", json: {reference: "{{ order.reference }}"}}
    capture: {order_number: response.body.number}
outputs:
  order_number: vars.order_number
contract:
  order_number: order_number
"""

SPEC = """apiVersion: orderspec/v1
kind: Order
metadata:
  name: hostile-order
target:
  flow: hostile.flow.yaml
  profile: hostile
customer: {name: Ada Lovelace, email: ada@example.com}
addresses:
  shipping: {name: Ada Lovelace, street: Main Street 1, zip: "12345", city: Springfield, country: US}
items:
  - file: models/bracket.stl
    material: PLA
    quantity: 1
reference: r-1
"""


def _project(tmp_path: Path, base_url: str, echo: str) -> Path:
    shutil.copytree(ROOT / "specs" / "examples" / "models", tmp_path / "models")
    (tmp_path / "hostile.flow.yaml").write_text(FLOW % {"echo": echo}, encoding="utf-8")
    (tmp_path / "order.yaml").write_text(SPEC, encoding="utf-8")
    (tmp_path / "orderspec.yaml").write_text(
        f"profiles:\n  hostile:\n    base_url: {base_url}\n    auth: {{kind: basic, username_env: HOSTILE_USER, env: HOSTILE_PASSWORD}}\n",
        encoding="utf-8",
    )
    return tmp_path / "order.yaml"


def _orderspec(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HOSTILE_USER": USER, "HOSTILE_PASSWORD": PASSWORD, "HOSTILE_TOKEN": TOKEN}
    return subprocess.run(
        [sys.executable, "-m", "orderspec", *args], cwd=cwd, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120
    )


def _everything_written(folder: Path) -> str:
    """Every file under ``folder`` but the inputs, as text (the SQLite database and its WAL included)."""
    texts = []
    for path in sorted(folder.rglob("*")):
        if path.is_file() and path.suffix not in (".stl",) and path.name not in ("order.yaml", "orderspec.yaml", "hostile.flow.yaml"):
            texts.append(path.read_bytes().decode("utf-8", "replace"))
    return "\n".join(texts)


@pytest.mark.parametrize("echo", ["echo", "echo-text", "echo-escaped", "echo-urlencoded", "echo-spaced", "echo-padded"])
def test_apply_against_an_echoing_server_leaks_no_credential(hostile, tmp_path: Path, echo: str) -> None:
    spec = _project(tmp_path, hostile.base_url, echo)
    done = _orderspec(tmp_path, "apply", "--yes", "--format", "json", "--junit", "report.xml", "--record", str(spec))
    assert done.returncode in (1, 3), done.stderr
    sent = [seen for seen in hostile.seen if seen.path.startswith(f"/{echo}/")]
    assert sent and sent[-1].headers["Authorization"].startswith("Basic ")  # the credential did go out, to its origin
    assert "500" in done.stderr + done.stdout
    for where, text in {"stdout": done.stdout, "stderr": done.stderr, "files": _everything_written(tmp_path)}.items():
        assert not _leaks(text), (where, _leaks(text))


def test_plan_against_an_echoing_server_leaks_no_credential(hostile, tmp_path: Path) -> None:
    spec = _project(tmp_path, hostile.base_url, "echo")
    (tmp_path / "hostile.flow.yaml").write_text(
        (FLOW % {"echo": "echo"}).replace('url: "/ok"', 'url: "/echo-text/500"'), encoding="utf-8"
    )
    done = _orderspec(tmp_path, "plan", "--format", "json", "--junit", "plan.xml", str(spec))
    assert done.returncode == 1 and "500" in done.stderr + done.stdout
    assert "500" in (tmp_path / "plan.xml").read_text(encoding="utf-8")
    assert not _leaks(done.stdout + done.stderr + _everything_written(tmp_path))


def test_orderspec_run_against_an_echoing_server_leaks_no_secret(hostile, tmp_path: Path) -> None:
    flow = tmp_path / "run.flow.yaml"
    flow.write_text(
        "apiVersion: orderspec/v1\nkind: Flow\nname: run\nbase_url: \"{{ target.base_url }}\"\n"
        "headers: {Authorization: 'Bearer {{ secrets.token }}'}\n"
        "steps:\n  - name: echo\n    request: {method: GET, url: /echo-escaped/500, params: {t: '{{ secrets.token }}'}}\n",
        encoding="utf-8",
    )
    done = _orderspec(
        tmp_path, "run", str(flow), "--secret", "token=HOSTILE_TOKEN", "--base-url", hostile.base_url, "--format", "json", "--junit", "run.xml"
    )
    assert done.returncode == 1 and "500" in done.stdout + done.stderr
    assert hostile.seen[-1].headers["Authorization"] == f"Bearer {TOKEN}"
    assert not _leaks(done.stdout + done.stderr + (tmp_path / "run.xml").read_text())


def test_a_base_url_with_a_password_is_never_printed(hostile, tmp_path: Path) -> None:
    flow = tmp_path / "run.flow.yaml"
    flow.write_text(
        "apiVersion: orderspec/v1\nkind: Flow\nname: run\nbase_url: \"{{ target.base_url }}\"\n"
        "steps:\n  - name: fail\n    request: {method: GET, url: /echo/500}\n",
        encoding="utf-8",
    )
    with_password = hostile.base_url.replace("http://", f"http://{USER}:{quote(PASSWORD, safe='')}@")
    done = _orderspec(tmp_path, "run", str(flow), "--base-url", with_password, "--format", "json")
    assert done.returncode == 1
    assert "***@127.0.0.1" in done.stdout + done.stderr
    assert not _leaks(done.stdout + done.stderr)
